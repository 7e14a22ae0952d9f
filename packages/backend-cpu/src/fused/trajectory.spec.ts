import * as v from 'valibot';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  NeuralPde,
  Registry,
  defineKernelFamily,
  hasFusedStencilTrajectory,
  stencilRelaxTrajectory,
  tf,
  type KernelInstance,
  type Scalar,
  type StencilRelaxConfig,
  type Tensor2D,
} from '@npde/core';
import { STENCIL_TRAJECTORY_GRAD_KERNEL, STENCIL_TRAJECTORY_KERNEL, compareStencilTrajectory } from '@npde/core/internal';
import { checkGradients, describeStencilConfig, referenceEuler, referenceNoReservoir, referencePdeStage, referenceTanh, withReferenceDefaults } from '@npde/core/testing';
import { cpuBackend } from '../cpu-backend.js';
import { registerStencilRelaxCpuKernels, stencilTrajectoryCpuKernelConfig, stencilTrajectoryGradCpuKernelConfig } from './stencil-kernels.js';

beforeAll(async () => {
  await cpuBackend.setup({}); // tf.setBackend('cpu') and the fused kernels
});

const CONFIGS: StencilRelaxConfig[] = [
  { geometry: { dims: 1, sites: 11, radius: 1 }, boundary: 'periodic', activation: 'tanh' },
  { geometry: { dims: 1, sites: 13, radius: 3 }, boundary: 'zero', activation: 'softplus' },
  { geometry: { dims: 2, height: 4, width: 5, points: 5 }, boundary: 'periodic', activation: 'sigmoid' },
  { geometry: { dims: 2, height: 5, width: 6, points: 9 }, boundary: 'zero', activation: 'relu' },
];

/**
 * Against L op-path steps differentiated by tfjs: the cpu kernels accumulate in
 * float64 and round to float32 per step, the op path in float32 throughout, so they
 * differ by float32 rounding, compounded over L = 4 steps of O(1) fields (~1e-6);
 * taps' and bias' gradients sum B · L products. A wrong step's taps or a gradient not
 * summed over the steps is off by O(0.1).
 */
function expectAgreement(r: ReturnType<typeof compareStencilTrajectory>): void {
  expect(r.fused).toBe(true);
  expect(r.diff.out).toBeLessThanOrEqual(1e-5 * Math.max(1, r.scale.out));
  expect(r.diff.dz).toBeLessThanOrEqual(2e-5 * Math.max(1, r.scale.dz));
  expect(r.diff.dtaps).toBeLessThanOrEqual(5e-5 * Math.max(1, r.scale.dtaps));
  expect(r.diff.dbias).toBeLessThanOrEqual(5e-5 * Math.max(1, r.scale.dbias));
  expect(r.diff.domega).toBeLessThanOrEqual(5e-5 * Math.max(1, r.scale.domega));
}

describe('cpu NpdeStencilRelaxTrajectory / NpdeStencilRelaxTrajectoryGrad', () => {
  it('are registered (idempotently) with the step kernels', () => {
    expect(tf.getKernel(STENCIL_TRAJECTORY_KERNEL, 'cpu')?.kernelFunc).toBe(stencilTrajectoryCpuKernelConfig.kernelFunc);
    expect(tf.getKernel(STENCIL_TRAJECTORY_GRAD_KERNEL, 'cpu')?.kernelFunc).toBe(stencilTrajectoryGradCpuKernelConfig.kernelFunc);
    registerStencilRelaxCpuKernels();
    expect(tf.getKernel(STENCIL_TRAJECTORY_KERNEL, 'cpu')?.kernelFunc).toBe(stencilTrajectoryCpuKernelConfig.kernelFunc);
    expect(hasFusedStencilTrajectory('cpu', 'relu')).toBe(true);
  });

  for (const config of CONFIGS) {
    for (const [sharedTaps, sharedBias] of [
      [true, true],
      [false, false],
      [true, false],
    ] as const) {
      it(`z_L and all four gradients agree with L op-path steps: ${describeStencilConfig(config)}, taps ${sharedTaps ? 'shared' : 'per step'}, bias ${sharedBias ? 'shared' : 'per step'}`, () => {
        expectAgreement(compareStencilTrajectory(config, { layers: 4, batch: 3, sharedTaps, sharedBias, seed: 7 }));
      });
    }
  }

  it('one step (L = 1) and an odd L agree too', () => {
    expectAgreement(compareStencilTrajectory(CONFIGS[0]!, { layers: 1, seed: 3 }));
    expectAgreement(compareStencilTrajectory(CONFIGS[2]!, { layers: 5, seed: 4, sharedTaps: false }));
  });

  it('gradients pass the finite-difference check (shared and per-step taps and bias)', () => {
    const L = 3;
    CONFIGS.slice(0, 3).forEach((config, c) => {
      const shared = c % 2 === 0;
      const S = config.geometry.dims === 1 ? config.geometry.sites : config.geometry.height * config.geometry.width;
      const K = config.geometry.dims === 1 ? 2 * config.geometry.radius + 1 : config.geometry.points;
      const z = tf.variable(tf.randomUniform([2, S], -1.5, 1.5, 'float32', 10 + c));
      const taps = tf.variable(tf.randomUniform(shared ? [S, K] : [L, S, K], -0.5, 0.8, 'float32', 20 + c).div(K / 2));
      const omega = tf.variable(tf.scalar(0.7));
      const bias = tf.variable(tf.randomUniform(shared ? [S] : [L, S], -0.3, 0.3, 'float32', 30 + c));
      const dy = tf.randomUniform([2, S], -1, 1, 'float32', 40 + c);
      const loss = () => tf.sum(tf.mul(dy, stencilRelaxTrajectory(z as unknown as Tensor2D, taps, omega as unknown as Scalar, bias, L, config))) as Scalar;
      // Central differences at step 1e-2 in float32 (checkGradients' defaults: 2e-2 of the largest gradient).
      const report = checkGradients(loss, [z, taps, omega, bias], { label: `${describeStencilConfig(config)} ${shared ? 'shared' : 'per step'}` });
      expect(report.checked).toBeGreaterThan(30);
      tf.dispose([z, taps, omega, bias, dy]);
    });
  });

  it('leaves no tensors behind, forward and backward', () => {
    const config = CONFIGS[3]!;
    const z = tf.randomNormal([3, 30], 0, 1, 'float32', 1) as Tensor2D;
    const taps = tf.fill([2, 30, 9], 0.1);
    const omega = tf.scalar(0.5);
    const bias = tf.zeros([30]);
    const once = () => {
      tf.dispose(stencilRelaxTrajectory(z, taps, omega, bias, 2, config));
      tf.dispose(tf.grads((a: tf.Tensor, b: tf.Tensor) => stencilRelaxTrajectory(a as Tensor2D, b, omega, bias, 2, config))([z, taps]));
    };
    once();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) once();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([z, taps, omega, bias]);
  });
});

/** A periodic 3-tap kernel with taps shared by every layer (it says so: `sameForEveryLayer`), or one set per layer. */
const sharedStencil = defineKernelFamily<{ perLayer: boolean }>({
  id: '@test/trajectory/stencil',
  description: 'periodic 3-tap stencil, per-site taps, shared by the layers or per layer',
  options: v.strictObject({ perLayer: v.optional(v.boolean(), false) }),
  create: ({ field, layers, seed, options }): KernelInstance => {
    const n = field.size;
    const count = options.perLayer ? layers : 1;
    const taps = tf.tidy(() => tf.variable(tf.randomUniform([count, n, 3], -0.2, 0.6, 'float32', seed), true));
    const at = (l: number) => tf.reshape(tf.slice(taps, [options.perLayer ? l : 0, 0, 0], [1, n, 3]), [n, 3]) as Tensor2D;
    return {
      params: { taps },
      paramCount: count * n * 3,
      apply: (z, l) => {
        const t = at(l);
        const left = tf.concat([tf.slice(z, [0, n - 1], [-1, 1]), tf.slice(z, [0, 0], [-1, n - 1])], 1);
        const right = tf.concat([tf.slice(z, [0, 1], [-1, n - 1]), tf.slice(z, [0, 0], [-1, 1])], 1);
        const col = (k: number) => tf.reshape(tf.slice(t, [0, k], [n, 1]), [1, n]);
        return tf.addN([tf.mul(left, col(0)), tf.mul(z, col(1)), tf.mul(right, col(2))]) as Tensor2D;
      },
      stencil: (l) => ({ taps: at(l), geometry: { dims: 1, sites: n, radius: 1 }, boundary: 'periodic', sameForEveryLayer: !options.perLayer }),
      dispose: () => taps.dispose(),
    };
  },
});

describe('a model whose block fuses picks the whole-trajectory kernels', () => {
  const registry = withReferenceDefaults(new Registry().register(sharedStencil, referenceTanh, referenceEuler, referenceNoReservoir, referencePdeStage));

  for (const perLayer of [false, true]) {
    it(`reports the path that ran, and equals the per-step fused path and the op-by-op path, outputs and gradients (${perLayer ? 'per-layer' : 'shared'} taps, per-layer bias)`, async () => {
      const model = NeuralPde.create(
        { field: { shape: [10] }, layers: 4, omega: { value: 0.6, trainable: true }, bias: 'per-layer', kernel: { id: sharedStencil.id, options: { perLayer } }, activation: referenceTanh.id },
        { registry },
      );
      model.setWeights({ bias: Array.from({ length: 40 }, (_, i) => 0.05 * Math.sin(i)) }, { partial: true });
      const block = model.pde;
      expect(block.fusionPath).toBe('trajectory');
      expect(block.lastPath).toBeUndefined();
      const x = tf.randomNormal([5, 10], 0, 1, 'float32', 4) as Tensor2D;
      const y = tf.randomNormal([5, 10], 0, 0.5, 'float32', 5);
      const vars = model.trainableVariables;
      const run = () =>
        tf.tidy(() => {
          const { value, grads } = tf.variableGrads(() => tf.mean(tf.squaredDifference(model.forward(x), y)) as Scalar, vars);
          return { loss: value.dataSync()[0]!, grads: vars.map((v) => grads[v.name]!.dataSync().slice()) };
        });
      const profile = await tf.profile(() => {
        tf.dispose(run().grads as unknown as tf.Tensor[]);
      });
      expect(profile.kernelNames.filter((k) => k === STENCIL_TRAJECTORY_KERNEL)).toHaveLength(1);
      expect(profile.kernelNames.filter((k) => k === STENCIL_TRAJECTORY_GRAD_KERNEL)).toHaveLength(1);
      expect(profile.kernelNames).not.toContain('Tanh');
      const trajectory = run();
      expect(block.lastPath).toBe('trajectory');
      // Without the trajectory kernels: one fused op per step.
      tf.unregisterKernel(STENCIL_TRAJECTORY_GRAD_KERNEL, 'cpu');
      expect(block.fusionPath).toBe('step');
      const step = run();
      expect(block.lastPath).toBe('step');
      registerStencilRelaxCpuKernels();
      model.fusion = 'off';
      expect(block.fusionPath).toBe('unfused');
      const ops = run();
      expect(block.lastPath).toBe('unfused');
      model.fusion = 'auto';
      const rel = (a: ArrayLike<number>, b: ArrayLike<number>) => {
        let d = 0;
        let s = 1e-30;
        for (let i = 0; i < a.length; i++) {
          d = Math.max(d, Math.abs(a[i]! - b[i]!));
          s = Math.max(s, Math.abs(b[i]!));
        }
        return d / s;
      };
      for (const other of [step, ops]) {
        expect(Math.abs(trajectory.loss - other.loss) / other.loss).toBeLessThan(1e-5);
        vars.forEach((v, i) => expect(rel(trajectory.grads[i]!, other.grads[i]!), v.name).toBeLessThan(1e-4));
      }
      tf.dispose([x, y]);
      model.dispose();
    });
  }
});
