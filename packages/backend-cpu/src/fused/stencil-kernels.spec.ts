import { beforeAll, describe, expect, it } from 'vitest';
import { stencilRelax, stencilRelaxPath, tf, type Scalar, type StencilRelaxConfig, type Tensor, type Tensor2D } from '@npde/core';
import { STENCIL_RELAX_KERNEL } from '@npde/core/internal';
import {
  checkGradients,
  checkStencilRelaxKernels,
  describeStencilConfig,
  stencilCaseData,
  stencilCaseTensors,
  stencilConfigs,
  type StencilCaseTensors,
} from '@npde/core/testing';
import { cpuBackend } from '../cpu-backend.js';
import { registerStencilRelaxCpuKernels } from './stencil-kernels.js';

beforeAll(async () => {
  await cpuBackend.setup({}); // tf.setBackend('cpu') and the fused kernels
  expect(stencilRelaxPath().path).toBe('fused');
});

const CONFIGS = stencilConfigs();

/** Gradients of sum(dy ⊙ stencilRelax(z, taps, ω, b)) with respect to z, taps, ω, b. */
function gradsOf(cfg: StencilRelaxConfig, t: StencilCaseTensors): Tensor[] {
  return tf.grads((z: Tensor, taps: Tensor, omega: Tensor, bias: Tensor) =>
    tf.sum(tf.mul(t.dy, stencilRelax(z as Tensor2D, taps as Tensor2D, omega as Scalar, bias as tf.Tensor1D, cfg))),
  )([t.z, t.taps, t.omega, t.bias]);
}

describe('cpu NpdeStencilRelax / NpdeStencilRelaxGrad', () => {
  it('forward and gradients (z, taps, ω, b) equal the op path and float64 (checkStencilRelaxKernels: forward ≤ 1e-6 absolute vs the op path, gradients ≤ 1e-5 relative)', () => {
    // Every geometry and edge geometry × boundary × activation, at the seeded ω, 0.5 and 1.
    expect(checkStencilRelaxKernels()).toMatchObject({ backend: 'cpu', mode: 'fused-cpu', cases: 3 * CONFIGS.length });
  });

  it('gradients pass the finite-difference check', () => {
    CONFIGS.forEach((cfg, c) => {
      const t = stencilCaseTensors(cfg.geometry, stencilCaseData(cfg.geometry, 900 + c), { omega: 0.7 });
      const vars = [tf.variable(t.z), tf.variable(t.taps), tf.variable(t.omega), tf.variable(t.bias)] as const;
      const loss = () => tf.sum(tf.mul(t.dy, stencilRelax(vars[0] as Tensor2D, vars[1] as Tensor2D, vars[2] as Scalar, vars[3] as tf.Tensor1D, cfg))) as Scalar;
      // relu: a central difference straddling its kink at u = 0 is off by up to the jump in
      // slope; step 1e-3 (not 1e-2) makes that 10× less likely, and its float32 rounding
      // error (~6e-8·|L|/h ≈ 1e-4 of the largest gradient here) stays far below 2e-2.
      const step = cfg.activation === 'relu' ? 1e-3 : 1e-2;
      checkGradients(loss, vars, { label: `${describeStencilConfig(cfg)} ω=0.7`, step });
      tf.dispose([...vars, ...Object.values(t)]);
    });
  });

  it('registers idempotently', () => {
    const k = tf.getKernel(STENCIL_RELAX_KERNEL, 'cpu');
    registerStencilRelaxCpuKernels();
    registerStencilRelaxCpuKernels();
    expect(tf.getKernel(STENCIL_RELAX_KERNEL, 'cpu')).toBe(k);
  });

  it('leaves no tensors behind, forward and backward', () => {
    const cfg = CONFIGS[23]!;
    const t = stencilCaseTensors(cfg.geometry, stencilCaseData(cfg.geometry, 11), { omega: 0.5 });
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      stencilRelax(t.z, t.taps, t.omega, t.bias, cfg);
      gradsOf(cfg, t);
    });
    expect(tf.memory().numTensors).toBe(before);
    // Outside tidy: only the four returned gradients survive the backward pass.
    const g = gradsOf(cfg, t);
    expect(tf.memory().numTensors).toBe(before + 4);
    tf.dispose(g);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(Object.values(t));
  });
});
