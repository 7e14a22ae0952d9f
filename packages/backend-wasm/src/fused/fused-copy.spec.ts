import { beforeAll, describe, expect, it } from 'vitest';
import { Registry, stencilRelax, stencilRelaxPath, tf } from '@npde/core';
import type { StencilRelaxConfig } from '@npde/core';
import { checkStencilRelaxKernels, stencilCaseData, stencilCaseTensors, stencilConfigs, stencilForwardAndGrads } from '@npde/core/testing';
import { fusedKernelMode, wasmBackend } from '../index.js';

// Its own process: copy mode is forced by the first setup() of the process.
describe('fused stencil kernels on the wasm backend, copy mode forced', () => {
  beforeAll(async () => {
    await wasmBackend.setup({ fusedKernels: 'copy' });
    await new Registry().register(wasmBackend).ready({ backend: 'wasm' });
  });

  it('reports copy mode, to core as well', () => {
    expect(fusedKernelMode().mode).toBe('copy');
    expect(fusedKernelMode().reason).toMatch(/copy mode was asked for/);
    expect(stencilRelaxPath()).toMatchObject({ path: 'fused', mode: 'fused-copy' });
  });

  it('agrees with the op path and with float64 (checkStencilRelaxKernels: every geometry and small grid × boundary × activation × 3 ω)', () => {
    expect(checkStencilRelaxKernels()).toMatchObject({ backend: 'wasm', mode: 'fused-copy', cases: 3 * stencilConfigs().length });
  });

  it('leaks no tensors and no backend buffers', () => {
    const config: StencilRelaxConfig = { geometry: { dims: 1, sites: 50, radius: 2 }, boundary: 'zero', activation: 'sigmoid' };
    const t = stencilCaseTensors(config.geometry, stencilCaseData(config.geometry, 4));
    stencilForwardAndGrads(stencilRelax, t, config);
    const tensors = tf.memory().numTensors;
    const dataIds = tf.backend().numDataIds();
    for (let i = 0; i < 3; i++) stencilForwardAndGrads(stencilRelax, t, config);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.backend().numDataIds()).toBe(dataIds);
    tf.dispose(Object.values(t));
  });

  it('grows its own memory for a large call', () => {
    const config: StencilRelaxConfig = { geometry: { dims: 2, height: 64, width: 96, points: 9 }, boundary: 'periodic', activation: 'tanh' };
    expect(checkStencilRelaxKernels({ configs: [config], seed: 77 })).toMatchObject({ mode: 'fused-copy', cases: 3 });
  });
});
