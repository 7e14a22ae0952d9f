import { beforeAll, describe, expect, it } from 'vitest';
import { Registry, stencilRelax, stencilRelaxPath, tf } from '@npde/core';
import type { StencilRelaxConfig } from '@npde/core';
import { fusedKernelMode, wasmBackend } from '../index.js';
import { EDGE_GEOMETRIES, GEOMETRIES, allConfigs, caseData, caseTensors, expectFusedMatchesReferences, forwardAndGrads, geometryName } from './stencil-cases.test-util.js';

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

  describe.each(allConfigs([...GEOMETRIES, ...EDGE_GEOMETRIES]).map((c, i) => [`${geometryName(c.geometry)} ${c.boundary} ${c.activation}`, c, i] as const))(
    '%s',
    (_name, config, seed) => {
      it('agrees with the op path and with float64 to 1e-5', () => {
        expectFusedMatchesReferences(config, 900 + seed);
      });
    },
  );

  it('leaks no tensors and no backend buffers', () => {
    const config: StencilRelaxConfig = { geometry: { dims: 1, sites: 50, radius: 2 }, boundary: 'zero', activation: 'sigmoid' };
    const t = caseTensors(config.geometry, caseData(config.geometry, 4));
    forwardAndGrads(stencilRelax, t, config);
    const tensors = tf.memory().numTensors;
    const dataIds = tf.backend().numDataIds();
    for (let i = 0; i < 3; i++) forwardAndGrads(stencilRelax, t, config);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.backend().numDataIds()).toBe(dataIds);
    tf.dispose(Object.values(t));
  });

  it('grows its own memory for a large call', () => {
    const config: StencilRelaxConfig = { geometry: { dims: 2, height: 64, width: 96, points: 9 }, boundary: 'periodic', activation: 'tanh' };
    expectFusedMatchesReferences(config, 77);
  });
});
