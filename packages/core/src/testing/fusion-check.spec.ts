// The kit's fusion checks prove they can fail: a kernel whose stencil() is not its
// apply(), an activation whose stencilActivation is not its apply, an integrator or
// a reservoir that claims fusability wrongly, each fails; the honest parts pass.
import * as v from 'valibot';
import { beforeAll, describe, expect, it } from 'vitest';
import { fusedRelaxStep, fusionBlocker, type RelaxationParts } from '../ops/stencil-relax/fusion.js';
import { defineActivation, defineKernelFamily } from '../plugins/define.js';
import { resolveField } from '../plugins/field.js';
import type { ActivationInstance, IntegratorInstance, KernelInstance, PdeBlockView, ReservoirInstance, StepContext } from '../plugins/types.js';
import { tf, type Scalar, type Tensor2D } from '../tensor/tf.js';
import { checkActivation, checkKernelFamily } from './conformance.js';
import { ConformanceError } from './conformance-error.js';
import { checkBlockFusion, checkFusion } from './fusion-check.js';
import { referenceCpuBackend, referenceEuler, referenceNoReservoir, referenceTanh } from './reference-plugins.js';

beforeAll(async () => {
  await referenceCpuBackend.setup({});
});

interface Lies {
  /** Added to tap 1 (the centre) of site 2 in stencil() only. */
  readonly perturb?: number;
  /** stencil() returns taps read back from the variable (not differentiable). */
  readonly detach?: boolean;
  /** stencil() claims this boundary; apply() is periodic. */
  readonly boundary?: 'zero' | 'periodic';
}

/**
 * A 1-D periodic radius-1 stencil kernel with per-site, per-layer taps, whose
 * `apply` shifts by slice + concat (no stencil op) and whose `stencil()` tells
 * the `lies` it is given.
 */
function stencilKernel(lies: Lies = {}) {
  return defineKernelFamily({
    id: '@test/fusion/stencil',
    description: 'periodic 3-tap stencil with per-site taps',
    options: v.strictObject({}),
    create: ({ field, layers, seed }): KernelInstance => {
      const n = field.size;
      const taps = tf.tidy(() => tf.variable(tf.randomUniform([layers, n, 3], -0.6, 0.6, 'float32', seed), true));
      const at = (l: number) => tf.reshape(tf.slice(taps, [l, 0, 0], [1, n, 3]), [n, 3]) as Tensor2D;
      return {
        params: { taps },
        paramCount: layers * n * 3,
        apply: (z, l) => {
          const t = at(l);
          const left = tf.concat([tf.slice(z, [0, n - 1], [-1, 1]), tf.slice(z, [0, 0], [-1, n - 1])], 1);
          const right = tf.concat([tf.slice(z, [0, 1], [-1, n - 1]), tf.slice(z, [0, 0], [-1, 1])], 1);
          const col = (k: number) => tf.reshape(tf.slice(t, [0, k], [n, 1]), [1, n]);
          return tf.addN([tf.mul(left, col(0)), tf.mul(z, col(1)), tf.mul(right, col(2))]) as Tensor2D;
        },
        stencil: (l) => {
          let t: Tensor2D = lies.detach ? (tf.tensor2d(at(l).dataSync(), [n, 3]) as Tensor2D) : at(l);
          if (lies.perturb) t = tf.add(t, tf.scatterND([[2, 1]], [lies.perturb], [n, 3])) as Tensor2D;
          return { taps: t, geometry: { dims: 1, sites: n, radius: 1 }, boundary: lies.boundary ?? 'periodic' };
        },
        dispose: () => taps.dispose(),
      };
    },
  });
}

const FIELD = resolveField({ shape: [9] });
const LAYERS = 3;

/** An activation whose apply is sigmoid but which claims the table's tanh. */
const lyingSigmoid = defineActivation({
  id: '@test/fusion/lying-sigmoid',
  description: 'sigmoid that claims to be tanh',
  options: v.strictObject({}),
  create: () => ({ apply: (x) => tf.sigmoid(x), stencilActivation: 'tanh' }),
});

function parts(over: Partial<RelaxationParts> = {}, lies: Lies = {}): RelaxationParts & { dispose(): void } {
  const ctx = { options: {}, field: FIELD, layers: LAYERS, seed: 3 };
  const kernel = over.kernel ?? stencilKernel(lies).create({ ...ctx, seed: 5 });
  return {
    kernel,
    activation: over.activation ?? referenceTanh.create(ctx),
    integrator: over.integrator ?? referenceEuler.create(ctx),
    reservoir: over.reservoir ?? referenceNoReservoir.create(ctx),
    dispose: () => kernel.dispose(),
  };
}

describe('checkKernelFamily on a kernel that offers stencil()', () => {
  it('passes an honest stencil kernel (every layer: forward, gradients, W_0 from the taps)', async () => {
    const before = tf.memory().numTensors;
    await checkKernelFamily(stencilKernel(), { field: { shape: [9] }, layers: LAYERS });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('fails when one tap of stencil() is off by 1e-3, naming the kernel, the layer and the error', async () => {
    const err = await checkKernelFamily(stencilKernel({ perturb: 1e-3 }), { field: { shape: [9] }, layers: LAYERS }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConformanceError);
    expect((err as Error).message).toMatch(/^@test\/fusion\/stencil: stencil\(0\) disagrees with apply\(z, 0\): max \|error\| \d\.\d+e-[34] at batch \d, site 2/);
  });

  it('fails when stencil() claims the wrong boundary', async () => {
    await expect(checkKernelFamily(stencilKernel({ boundary: 'zero' }), { field: { shape: [9] }, layers: LAYERS })).rejects.toThrow(/stencil\(0\) disagrees with apply/);
  });

  it('fails when the taps are a detached copy (the fused op could not train the kernel)', async () => {
    await expect(checkKernelFamily(stencilKernel({ detach: true }), { field: { shape: [9] }, layers: LAYERS })).rejects.toThrow(/stencil\(0\)\.taps are not differentiable in the kernel's parameters/);
  });
});

describe('checkActivation on a stencilActivation claim', () => {
  it('passes the reference tanh, and fails a sigmoid that claims tanh', async () => {
    await checkActivation(referenceTanh);
    await expect(checkActivation(lyingSigmoid)).rejects.toThrow(/claims stencilActivation 'tanh' but apply\(-6\.05\d*\) = /);
  });

  it('fails a claim of an activation the fused op does not have', async () => {
    const gelu = defineActivation({
      id: '@test/fusion/gelu',
      description: 'claims an activation the table lacks',
      options: v.strictObject({}),
      create: () => ({ apply: (x) => tf.tanh(x), stencilActivation: 'gelu' as unknown as 'tanh' }),
    });
    await expect(checkActivation(gelu)).rejects.toThrow(/'gelu', which is not in the fused op's activation table/);
  });
});

describe('checkBlockFusion', () => {
  it('passes honest parts: every state and the gradients of z₀, ω, b and the taps agree', () => {
    const p = parts();
    const before = tf.memory().numTensors;
    const report = checkBlockFusion(p, { layers: LAYERS, label: 'honest' });
    expect(tf.memory().numTensors).toBe(before);
    expect(report).toMatchObject({ label: 'honest', mode: 'op-path', states: LAYERS });
    expect(report.variables).toHaveLength(4); // z₀, ω, b and the kernel's taps
    expect(report.forwardError).toBeLessThan(1e-6);
    expect(report.gradientError).toBeLessThan(1e-5);
    p.dispose();
  });

  it('fails an activation that claims tanh and computes sigmoid', () => {
    const p = parts({ activation: lyingSigmoid.create({ options: {}, field: FIELD, layers: LAYERS, seed: 1 }) });
    expect(() => checkBlockFusion(p, { layers: LAYERS, label: 'lying activation' })).toThrow(ConformanceError);
    expect(() => checkBlockFusion(p, { layers: LAYERS, label: 'lying activation' })).toThrow(/^lying activation: the fused block does not compute what its parts compose[^]*state 1: fused and unfused differ/);
    p.dispose();
  });

  it('fails a kernel whose stencil() is off by 1e-3 in one tap', () => {
    const p = parts({}, { perturb: 1e-3 });
    expect(() => checkBlockFusion(p, { layers: LAYERS })).toThrow(/state 1: fused and unfused differ/);
    p.dispose();
  });

  it("fails an integrator that claims relaxation: 'euler' but steps otherwise", () => {
    const midpoint: IntegratorInstance = {
      evaluationsPerStep: 2,
      relaxation: 'euler',
      step: (c: StepContext) => {
        const half = tf.add(c.z, tf.mul(tf.mul(c.omega, 0.5), c.rhs(c.z))) as Tensor2D;
        return tf.add(c.z, tf.mul(c.omega, c.rhs(half))) as Tensor2D;
      },
    };
    const p = parts({ integrator: midpoint });
    expect(() => checkBlockFusion(p, { layers: LAYERS })).toThrow(/the fused block does not compute what its parts compose/);
    p.dispose();
  });

  it('fails a reservoir that claims to be inert but projects', () => {
    const shrink: ReservoirInstance = { params: {}, inert: true, term: () => null, project: (z) => tf.mul(z, 0.99) as Tensor2D };
    const p = parts({ reservoir: shrink });
    expect(() => checkBlockFusion(p, { layers: LAYERS })).toThrow(/state 1: fused and unfused differ/);
    p.dispose();
  });

  it('refuses parts that do not fuse, naming the blocker', () => {
    const plain: ActivationInstance = { apply: (x) => tf.tanh(x) };
    const p = parts({ activation: plain });
    expect(() => checkBlockFusion(p, { layers: LAYERS })).toThrow(/the block does not fuse: the activation is not one the fused op implements/);
    p.dispose();
  });
});

/** A relaxation block view over parts, as a pde stage exposes one (per-layer bias, trainable ω). */
function blockView(p: RelaxationParts): PdeBlockView & { dispose(): void } {
  const omega = tf.variable(tf.scalar(0.6), true);
  const bias = tf.variable(tf.randomNormal([LAYERS, FIELD.size], 0, 0.2, 'float32', 9), true);
  const view: PdeBlockView & { dispose(): void } = {
    field: FIELD,
    layers: LAYERS,
    ...p,
    pluginIds: { kernel: '@test/fusion/stencil', activation: 'a', integrator: 'i', reservoir: 'r' },
    omega: () => omega.dataSync()[0]!,
    fusion: 'auto',
    get fused(): boolean {
      return view.fusion === 'auto' && fusionBlocker(p) === undefined;
    },
    run(x: Tensor2D): Tensor2D[] {
      const states = [x];
      let z = x;
      for (let l = 0; l < LAYERS; l++) {
        const b = tf.gather(bias, l) as tf.Tensor1D;
        if (view.fused) {
          z = fusedRelaxStep(p, z, l, omega as unknown as Scalar, b);
        } else {
          const attractor = (u: Tensor2D) => p.activation.apply(tf.sub(p.kernel.apply(u, l), b), l) as Tensor2D;
          const ctx: StepContext = { z, previous: undefined, layer: l, omega: omega as unknown as Scalar, attractor, reservoirTerm: () => null, rhs: (u) => tf.sub(attractor(u), u) as Tensor2D };
          z = p.reservoir.project(p.integrator.step(ctx));
        }
        states.push(z);
      }
      return states;
    },
    dispose: () => {
      omega.dispose();
      bias.dispose();
    },
  };
  return view;
}

describe('checkFusion on a built block', () => {
  it('passes an honest block, comparing every state and the gradients of x, ω, b and the taps; restores its fusion setting', () => {
    const p = parts();
    const view = blockView(p);
    view.fusion = 'off';
    const report = checkFusion(view, { label: 'block' });
    expect(view.fusion).toBe('off');
    expect(report.states).toBe(LAYERS);
    expect(report.variables.length).toBeGreaterThanOrEqual(4);
    view.dispose();
    p.dispose();
  });

  it('fails a block whose activation claims tanh and computes sigmoid', () => {
    const p = parts({ activation: lyingSigmoid.create({ options: {}, field: FIELD, layers: LAYERS, seed: 1 }) });
    const view = blockView(p);
    expect(() => checkFusion(view)).toThrow(/fusion: the fused block does not compute what its parts compose/);
    expect(view.fusion).toBe('auto');
    view.dispose();
    p.dispose();
  });

  it('refuses a block that does not fuse under auto', () => {
    const p = parts({ activation: { apply: (x) => tf.tanh(x) } });
    const view = blockView(p);
    expect(() => checkFusion(view)).toThrow(/no block fuses under fusion 'auto' \(the activation is not one the fused op implements\)/);
    view.dispose();
    p.dispose();
  });
});
