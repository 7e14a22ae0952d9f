import { beforeAll, describe, expect, it } from 'vitest';
import { Registry, tf } from '@npde/core';
import { STENCIL_TRAJECTORY_GRAD_KERNEL, STENCIL_TRAJECTORY_KERNEL } from '@npde/core/internal';
import { fusedKernelMode, wasmBackend } from '../index.js';
import { wasmStencilTrajectoryGradKernel, wasmStencilTrajectoryKernel } from './fused-kernels.js';
import { trajectoryKernelTests } from './trajectory.test-util.js';

// Runs in its own process (vitest forks pool): the first setup() here chooses the mode (zero-copy).
describe('whole-trajectory stencil kernels on the wasm backend (zero-copy)', () => {
  beforeAll(async () => {
    await new Registry().register(wasmBackend).ready({ backend: 'wasm' });
  });

  it('are registered for wasm with the step kernels, in their mode', () => {
    expect(tf.getKernel(STENCIL_TRAJECTORY_KERNEL, 'wasm')).toBe(wasmStencilTrajectoryKernel);
    expect(tf.getKernel(STENCIL_TRAJECTORY_GRAD_KERNEL, 'wasm')).toBe(wasmStencilTrajectoryGradKernel);
    expect(fusedKernelMode().mode).toBe('zero-copy');
  });

  trajectoryKernelTests();
});
