import { describe, expect, it } from 'vitest';
import { stencilRelaxPath, tf } from '@npde/core';
import { STENCIL_RELAX_KERNEL } from '@npde/core/internal';
import { checkStencilRelaxKernels, stencilConfigs } from '@npde/core/testing';
import { fusedKernelMode, wasmBackend } from '../index.js';

// Its own process: here tfjs's wasm backend is initialized before wasmBackend.setup() runs,
// so the kernels' setupFunc cannot run at initialization; the mode is chosen at registration.
describe('fused kernels registered after the wasm backend initialized', () => {
  it('choose their mode at once and run correctly', async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    expect(await tf.setBackend('wasm')).toBe(true);
    expect(tf.getKernel(STENCIL_RELAX_KERNEL, 'wasm')).toBeUndefined();
    await wasmBackend.setup({});
    expect(fusedKernelMode().mode).toBe('zero-copy');
    expect(stencilRelaxPath().mode).toBe('fused-zero-copy');
    expect(checkStencilRelaxKernels()).toMatchObject({ backend: 'wasm', mode: 'fused-zero-copy', cases: 3 * stencilConfigs().length });
  });
});
