import { beforeAll, describe, expect, it } from 'vitest';
import { Registry, tf } from '@npde/core';
import { STENCIL_TRAJECTORY_GRAD_KERNEL, STENCIL_TRAJECTORY_KERNEL } from '@npde/core/internal';
import { fusedKernelMode, wasmBackend } from '../index.js';
import { wasmStencilTrajectoryGradKernel, wasmStencilTrajectoryKernel } from './fused-kernels.js';
import { trajectoryKernelTests } from './trajectory.test-util.js';

// Its own process: copy mode is forced by the first setup() of the process.
describe('whole-trajectory stencil kernels on the wasm backend, copy mode forced', () => {
  beforeAll(async () => {
    await wasmBackend.setup({ fusedKernels: 'copy' });
    await new Registry().register(wasmBackend).ready({ backend: 'wasm' });
  });

  it('are registered for wasm with the step kernels, in their mode', () => {
    expect(tf.getKernel(STENCIL_TRAJECTORY_KERNEL, 'wasm')).toBe(wasmStencilTrajectoryKernel);
    expect(tf.getKernel(STENCIL_TRAJECTORY_GRAD_KERNEL, 'wasm')).toBe(wasmStencilTrajectoryGradKernel);
    expect(fusedKernelMode().mode).toBe('copy');
  });

  trajectoryKernelTests();
});
