import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes, ShapeError, ValidationError } from '../../errors/errors.js';
import { tf, type Scalar, type Tensor, type Tensor2D } from '../../tensor/tf.js';
import { referenceCpuBackend } from '../../testing/reference-plugins.js';
import { maxAbsDifference, stencilCaseData, stencilCaseTensors, stencilRelaxFloat64 } from '../../testing/stencil-conformance.js';
import * as core from '../../index.js';
import * as internal from '../../internal/index.js';
import type { StencilRelaxConfig } from './config.js';
import { STENCIL_RELAX_GRAD_KERNEL, STENCIL_RELAX_KERNEL, geometryFromAttrs, type StencilRelaxAttrs } from './kernel-attrs.js';
import { clearFusedPathInfo, setFusedPathInfo, stencilRelaxPath } from './path.js';
import { stencilRelaxReference } from './reference.js';
import { stencilRelax } from './stencil-relax.js';

const cfg: StencilRelaxConfig = { geometry: { dims: 2, height: 3, width: 4, points: 9 }, boundary: 'periodic', activation: 'tanh' };

beforeAll(async () => {
  await referenceCpuBackend.setup({}); // tf.setBackend('cpu'), no fused kernels
});

afterEach(() => {
  for (const name of [STENCIL_RELAX_KERNEL, STENCIL_RELAX_GRAD_KERNEL]) if (tf.getKernel(name, 'cpu')) tf.unregisterKernel(name, 'cpu');
  clearFusedPathInfo('cpu');
});

type CpuLike = { readSync(id: object): ArrayLike<number>; makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo };

/**
 * Stand-in fused kernels for `cpu` (core ships none; `@npde/backend-cpu` does): the
 * float64 reference behind the kernel interface, counting calls, so that these tests
 * see which path `stencilRelax` takes.
 */
function registerStandInKernels(): { forward: number; backward: number } {
  const calls = { forward: 0, backward: 0 };
  const read = (inputs: tf.NamedTensorInfoMap, be: CpuLike, attrs: StencilRelaxAttrs) => {
    const [B, S] = inputs['z']!.shape as [number, number];
    const config: StencilRelaxConfig = { geometry: geometryFromAttrs(attrs, S), boundary: attrs.boundary, activation: attrs.activation };
    const x = { z: be.readSync(inputs['z']!.dataId), taps: be.readSync(inputs['taps']!.dataId), omega: be.readSync(inputs['omega']!.dataId)[0]!, bias: be.readSync(inputs['bias']!.dataId) };
    return { B, S, K: inputs['taps']!.shape[1]!, config, x };
  };
  tf.registerKernel({
    kernelName: STENCIL_RELAX_KERNEL,
    backendName: 'cpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      calls.forward++;
      const be = backend as unknown as CpuLike;
      const { B, S, config, x } = read(inputs, be, attrs as unknown as StencilRelaxAttrs);
      return be.makeTensorInfo([B, S], 'float32', new Float32Array(stencilRelaxFloat64(x, config, B).out));
    },
  });
  tf.registerKernel({
    kernelName: STENCIL_RELAX_GRAD_KERNEL,
    backendName: 'cpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      calls.backward++;
      const be = backend as unknown as CpuLike;
      const { B, S, K, config, x } = read(inputs, be, attrs as unknown as StencilRelaxAttrs);
      const g = stencilRelaxFloat64(x, config, B, be.readSync(inputs['dy']!.dataId)).grads;
      return [
        be.makeTensorInfo([B, S], 'float32', new Float32Array(g.dz)),
        be.makeTensorInfo([S, K], 'float32', new Float32Array(g.dtaps)),
        be.makeTensorInfo([], 'float32', Float32Array.of(g.domega)),
        be.makeTensorInfo([S], 'float32', new Float32Array(g.dbias)),
      ];
    },
  });
  return calls;
}

function gradsOf(op: typeof stencilRelax, t: ReturnType<typeof stencilCaseTensors>, config: StencilRelaxConfig): tf.Tensor[] {
  return tf.grads((z: Tensor, w: Tensor, o: Tensor, b: Tensor) => op(z as Tensor2D, w as Tensor2D, o as Scalar, b as tf.Tensor1D, config))([t.z, t.taps, t.omega, t.bias], t.dy);
}

describe('stencilRelax', () => {
  it('is public API of @npde/core; its backend plumbing is in @npde/core/internal only', () => {
    expect(core.stencilRelax).toBe(stencilRelax);
    expect(core.stencilRelaxPath).toBe(stencilRelaxPath);
    for (const name of ['setFusedPathInfo', 'clearFusedPathInfo', 'STENCIL_RELAX_KERNEL', 'stencilRelaxAttrs', 'stencilNeighbourTable', 'stencilRelaxGradConfig', 'FUSED_ACTIVATIONS', 'matMulTransposedB']) {
      expect(core, name).not.toHaveProperty(name);
      expect(internal, name).toHaveProperty(name);
    }
    expect(core).not.toHaveProperty('cpuBackend');
    expect(core).not.toHaveProperty('registerStencilRelaxCpuKernels');
  });

  it("runs the op path where the backend has no fused kernel, says why, and equals a float64 loop over the contract's offsets, forward and backward", () => {
    const path = stencilRelaxPath();
    expect(path).toMatchObject({ path: 'op-path', mode: 'op-path', backend: 'cpu' });
    expect(path.reason).toContain(STENCIL_RELAX_KERNEL);
    const d = stencilCaseData(cfg.geometry, 4);
    const t = stencilCaseTensors(cfg.geometry, d);
    const before = tf.memory().numTensors;
    const out = stencilRelax(t.z, t.taps, t.omega, t.bias, cfg);
    expect(tf.memory().numTensors).toBe(before + 1);
    const f64 = stencilRelaxFloat64(d, cfg, t.z.shape[0], d.dy);
    // float32 arithmetic on O(1) values: well within 1e-5 of float64 (a swapped tap or a wrong boundary is off by O(0.1)).
    expect(maxAbsDifference(out.dataSync(), f64.out)).toBeLessThanOrEqual(1e-5);
    const [dz, dtaps, domega, dbias] = tf.tidy(() => gradsOf(stencilRelax, t, cfg).map((g) => g.dataSync().slice()));
    expect(maxAbsDifference(dz!, f64.grads.dz)).toBeLessThanOrEqual(1e-5);
    expect(maxAbsDifference(dtaps!, f64.grads.dtaps)).toBeLessThanOrEqual(1e-5);
    expect(Math.abs(domega![0]! - f64.grads.domega)).toBeLessThanOrEqual(1e-5 * f64.grads.domegaScale);
    expect(maxAbsDifference(dbias!, f64.grads.dbias)).toBeLessThanOrEqual(1e-5);
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.dispose([out, ...Object.values(t)]);
  });

  it('runs the registered fused kernels, forward and backward, and registers their gradient itself', async () => {
    const calls = registerStandInKernels();
    expect(stencilRelaxPath()).toMatchObject({ path: 'fused', mode: 'fused', backend: 'cpu' });
    const t = stencilCaseTensors(cfg.geometry, stencilCaseData(cfg.geometry, 3), { omega: 0.5 });
    const info = await tf.profile(() => tf.dispose(gradsOf(stencilRelax, t, cfg)));
    expect(info.kernelNames).toContain(STENCIL_RELAX_KERNEL);
    expect(info.kernelNames).toContain(STENCIL_RELAX_GRAD_KERNEL);
    expect(info.kernelNames).not.toContain('Tanh');
    expect(calls).toEqual({ forward: 1, backward: 1 });
    expect(tf.getGradient(STENCIL_RELAX_KERNEL)).toBeDefined();
    // Without the backward kernel the fused path is off (it could not be differentiated).
    tf.unregisterKernel(STENCIL_RELAX_GRAD_KERNEL, 'cpu');
    expect(stencilRelaxPath()).toMatchObject({ path: 'op-path' });
    expect(stencilRelaxPath().reason).toContain(STENCIL_RELAX_GRAD_KERNEL);
    tf.dispose(stencilRelax(t.z, t.taps, t.omega, t.bias, cfg));
    expect(calls.forward).toBe(1);
    tf.dispose(Object.values(t));
  });

  it('falls back to the op path for an activation the backend reports its kernels lack, and says so', async () => {
    const calls = registerStandInKernels();
    setFusedPathInfo('cpu', { mode: 'copy', reason: 'test: copies', activations: ['tanh', 'identity'] });
    expect(stencilRelaxPath()).toMatchObject({ path: 'fused', mode: 'fused-copy', reason: 'test: copies' });
    expect(stencilRelaxPath('tanh').path).toBe('fused');
    const relu = stencilRelaxPath('relu');
    expect(relu).toMatchObject({ path: 'op-path', mode: 'op-path', backend: 'cpu' });
    expect(relu.reason).toContain("'relu'");
    const reluCfg: StencilRelaxConfig = { ...cfg, activation: 'relu' };
    const t = stencilCaseTensors(cfg.geometry, stencilCaseData(cfg.geometry, 5), { omega: 0.5 });
    const info = await tf.profile(() => tf.dispose(gradsOf(stencilRelax, t, reluCfg)));
    expect(info.kernelNames).not.toContain(STENCIL_RELAX_KERNEL);
    expect(info.kernelNames).toContain('Relu');
    expect(calls).toEqual({ forward: 0, backward: 0 });
    tf.dispose(stencilRelax(t.z, t.taps, t.omega, t.bias, cfg));
    expect(calls.forward).toBe(1);
    tf.dispose(Object.values(t));
  });

  it('reports the mode a backend package records', () => {
    registerStandInKernels();
    setFusedPathInfo('cpu', { mode: 'zero-copy', reason: 'test: reads the heap directly' });
    expect(stencilRelaxPath()).toMatchObject({ path: 'fused', mode: 'fused-zero-copy', reason: 'test: reads the heap directly' });
    setFusedPathInfo('cpu', { mode: 'fused-cpu', reason: 'test: plain TypeScript' });
    expect(stencilRelaxPath().mode).toBe('fused-cpu');
    clearFusedPathInfo('cpu');
    expect(stencilRelaxPath()).toMatchObject({ path: 'fused', mode: 'fused' });
  });

  it('throws typed errors with a path for bad shapes and configs', () => {
    const t = stencilCaseTensors(cfg.geometry, stencilCaseData(cfg.geometry, 5), { omega: 0.5 });
    const bad = tf.zeros([12, 5]) as Tensor2D;
    for (const op of [stencilRelax, stencilRelaxReference]) {
      expect(() => op(t.z, bad, t.omega, t.bias, cfg)).toThrow(expect.objectContaining({ code: ErrorCodes.SHAPE_MISMATCH, path: 'taps' }));
      expect(() => op(t.z, bad, t.omega, t.bias, cfg)).toThrow(ShapeError);
      const badCfg = { ...cfg, geometry: { dims: 1, sites: 12, radius: 5 } } as unknown as StencilRelaxConfig;
      expect(() => op(t.z, t.taps, t.omega, t.bias, badCfg)).toThrow(ValidationError);
      expect(() => op(t.z, t.taps, t.omega, t.bias, badCfg)).toThrow(expect.objectContaining({ path: 'config.geometry.radius' }));
      const badAct = { ...cfg, activation: 'gelu' } as unknown as StencilRelaxConfig;
      expect(() => op(t.z, t.taps, t.omega, t.bias, badAct)).toThrow(expect.objectContaining({ path: 'config.activation' }));
    }
    tf.dispose([bad, ...Object.values(t)]);
  });
});
