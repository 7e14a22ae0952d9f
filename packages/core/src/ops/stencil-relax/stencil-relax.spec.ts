import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes, ShapeError, ValidationError } from '../../errors/errors.js';
import { cpuBackend } from '../../tensor/cpu-backend.js';
import { tf, type Scalar, type Tensor, type Tensor2D } from '../../tensor/tf.js';
import { registerStencilRelaxCpuKernels } from './cpu-kernels.js';
import { STENCIL_RELAX_GRAD_KERNEL, STENCIL_RELAX_KERNEL } from './kernel-attrs.js';
import { clearFusedPathInfo, getFusedPathInfo, setFusedPathInfo, stencilRelaxPath } from './path.js';
import { stencilRelaxReference } from './reference.js';
import { stencilRelax } from './stencil-relax.js';
import { maxAbsDifference, stencilCaseData, stencilCaseTensors } from '../../testing/stencil-conformance.js';
import * as core from '../../index.js';

const cfg = { geometry: { dims: 2, height: 3, width: 4, points: 9 }, boundary: 'periodic', activation: 'tanh' } as const;

beforeAll(async () => {
  await cpuBackend.setup({}); // tf.setBackend('cpu'), without tfjs's tfjs-node advice
});

afterEach(() => {
  registerStencilRelaxCpuKernels(); // restore whatever a test unregistered
});

describe('stencilRelax', () => {
  it('is exported from @npde/core, and importing core registers the cpu kernels and the gradient', () => {
    expect(core.stencilRelax).toBe(stencilRelax);
    expect(core.stencilRelaxPath).toBe(stencilRelaxPath);
    expect(tf.getKernel(STENCIL_RELAX_KERNEL, 'cpu')).toBeDefined();
    expect(tf.getKernel(STENCIL_RELAX_GRAD_KERNEL, 'cpu')).toBeDefined();
    expect(tf.getGradient(STENCIL_RELAX_KERNEL)).toBeDefined();
  });

  it('registers idempotently', () => {
    const k = tf.getKernel(STENCIL_RELAX_KERNEL, 'cpu');
    registerStencilRelaxCpuKernels();
    registerStencilRelaxCpuKernels();
    expect(tf.getKernel(STENCIL_RELAX_KERNEL, 'cpu')).toBe(k);
  });

  it("reports the fused path on 'cpu' and runs the fused kernels, forward and backward", async () => {
    expect(stencilRelaxPath()).toMatchObject({ path: 'fused', mode: 'fused-cpu', backend: 'cpu' });
    expect(stencilRelaxPath().reason).toContain('cpu');
    const t = stencilCaseTensors(cfg.geometry, stencilCaseData(cfg.geometry, 3), { omega: 0.5 });
    const info = await tf.profile(() => {
      const g = tf.grads((z: Tensor) => tf.sum(stencilRelax(z as Tensor2D, t.taps, t.omega, t.bias, cfg)))([t.z]);
      tf.dispose(g);
    });
    expect(info.kernelNames).toContain(STENCIL_RELAX_KERNEL);
    expect(info.kernelNames).toContain(STENCIL_RELAX_GRAD_KERNEL);
    expect(info.kernelNames).not.toContain('Tanh');
    tf.dispose(Object.values(t));
  });

  it('falls back to the op path where the kernel is not registered, and says why', () => {
    const t = stencilCaseTensors(cfg.geometry, stencilCaseData(cfg.geometry, 4), { omega: 0.5 });
    const fused = stencilRelax(t.z, t.taps, t.omega, t.bias, cfg);
    tf.unregisterKernel(STENCIL_RELAX_KERNEL, 'cpu');
    const path = stencilRelaxPath();
    expect(path).toMatchObject({ path: 'op-path', mode: 'op-path', backend: 'cpu' });
    expect(path.reason).toContain(STENCIL_RELAX_KERNEL);
    const before = tf.memory().numTensors;
    const op = stencilRelax(t.z, t.taps, t.omega, t.bias, cfg);
    expect(tf.memory().numTensors).toBe(before + 1);
    const ref = stencilRelaxReference(t.z, t.taps, t.omega, t.bias, cfg);
    expect(maxAbsDifference(op.dataSync(), ref.dataSync())).toBe(0);
    expect(maxAbsDifference(op.dataSync(), fused.dataSync())).toBeLessThanOrEqual(1e-6);
    // Differentiable on the op path too, and leak-free.
    const n = tf.memory().numTensors;
    tf.tidy(() => {
      const g = tf.grads((z: Tensor, w: Tensor, o: Tensor, b: Tensor) => tf.sum(stencilRelax(z as Tensor2D, w as Tensor2D, o as Scalar, b as tf.Tensor1D, cfg)))([t.z, t.taps, t.omega, t.bias]);
      expect(g.map((x) => x.shape)).toEqual([t.z.shape, t.taps.shape, [], t.bias.shape]);
    });
    expect(tf.memory().numTensors).toBe(n);
    registerStencilRelaxCpuKernels();
    expect(stencilRelaxPath().path).toBe('fused');
    // Without the backward kernel the fused path is off too (it could not be differentiated).
    tf.unregisterKernel(STENCIL_RELAX_GRAD_KERNEL, 'cpu');
    expect(stencilRelaxPath().path).toBe('op-path');
    expect(stencilRelaxPath().reason).toContain(STENCIL_RELAX_GRAD_KERNEL);
    tf.dispose([fused, op, ref, ...Object.values(t)]);
  });

  it('reports the mode a backend package records', () => {
    const saved = getFusedPathInfo('cpu')!;
    setFusedPathInfo('cpu', { mode: 'zero-copy', reason: 'test: reads the heap directly' });
    expect(stencilRelaxPath()).toMatchObject({ path: 'fused', mode: 'fused-zero-copy', reason: 'test: reads the heap directly' });
    setFusedPathInfo('cpu', { mode: 'fused-copy', reason: 'test: copies' });
    expect(stencilRelaxPath().mode).toBe('fused-copy');
    clearFusedPathInfo('cpu');
    expect(stencilRelaxPath()).toMatchObject({ path: 'fused', mode: 'fused' });
    setFusedPathInfo('cpu', saved);
    expect(stencilRelaxPath().mode).toBe('fused-cpu');
  });

  it('throws typed errors with a path for bad shapes and configs', () => {
    const t = stencilCaseTensors(cfg.geometry, stencilCaseData(cfg.geometry, 5), { omega: 0.5 });
    const bad = tf.zeros([12, 5]) as Tensor2D;
    for (const op of [stencilRelax, stencilRelaxReference]) {
      expect(() => op(t.z, bad, t.omega, t.bias, cfg)).toThrow(ShapeError);
      try {
        op(t.z, bad, t.omega, t.bias, cfg);
      } catch (e) {
        expect((e as ShapeError).code).toBe(ErrorCodes.SHAPE_MISMATCH);
        expect((e as ShapeError).path).toBe('taps');
      }
      const badCfg = { ...cfg, geometry: { dims: 1, sites: 12, radius: 5 } } as unknown as typeof cfg;
      expect(() => op(t.z, t.taps, t.omega, t.bias, badCfg)).toThrow(ValidationError);
      try {
        op(t.z, t.taps, t.omega, t.bias, badCfg);
      } catch (e) {
        expect((e as ValidationError).path).toBe('config.geometry.radius');
      }
    }
    tf.dispose([bad, ...Object.values(t)]);
  });
});
