import { describe, expect, it } from 'vitest';
import { STENCIL_RELAX_KERNEL, stencilRelaxPath, tf } from '@npde/core';
import { fusedKernelMode, wasmBackend } from '../index.js';
import { EDGE_GEOMETRIES, allConfigs, expectFusedMatchesReferences } from './stencil-cases.test-util.js';

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
    for (const [i, config] of allConfigs(EDGE_GEOMETRIES.slice(0, 2)).entries()) expectFusedMatchesReferences(config, 300 + i);
  });
});
