import { describe, expect, it } from 'vitest';
import { Registry, stencilRelaxPath, tf } from '@npde/core';
import { STENCIL_RELAX_KERNEL } from '@npde/core/internal';
import { FUSED_KERNEL_ENV, fusedKernelMode, wasmBackend } from '../index.js';

// Its own process: the environment variable is read by the first setup().
describe(`${FUSED_KERNEL_ENV}=off`, () => {
  it('registers no fused kernels: stencilRelax runs the op path on wasm', async () => {
    expect(fusedKernelMode().mode).toBe('op-path');
    process.env[FUSED_KERNEL_ENV] = 'off';
    try {
      await new Registry().register(wasmBackend).ready({ backend: 'wasm' });
    } finally {
      delete process.env[FUSED_KERNEL_ENV];
    }
    expect(tf.getKernel(STENCIL_RELAX_KERNEL, 'wasm')).toBeUndefined();
    expect(fusedKernelMode()).toMatchObject({ mode: 'op-path' });
    expect(fusedKernelMode().reason).toMatch(/turned off/);
    expect(stencilRelaxPath()).toMatchObject({ path: 'op-path', backend: 'wasm' });
  });
});
