import { beforeAll, describe, expect, it } from 'vitest';
import { Registry, channelStencilPath, tf, type ChannelStencilConfig } from '@npde/core';
import { channelStencilTestParts, checkBlockFusion, checkChannelStencilGradients, compareChannelStencil } from '@npde/core/testing';
import { wasmBackend } from '../index.js';
import { channelKernelMode } from './channel-kernels.js';

/**
 * The backend-level checks of the multi-channel kernels in one mode (each spec file is its
 * own process; the mode is fixed by the first `wasmBackend.setup()` of the process).
 */
export function describeBackendChannelKernels(preference: 'auto' | 'copy', mode: 'zero-copy' | 'copy', cases: readonly ChannelStencilConfig[]): void {
  describe(`NpdeChannelStencil / NpdeChannelStencilGrad on the wasm backend (${mode})`, () => {
    beforeAll(async () => {
      await wasmBackend.setup({ fusedKernels: preference });
      await new Registry().register(wasmBackend).ready({ backend: 'wasm' });
    });

    it(`are registered and run ${mode}`, () => {
      expect(channelStencilPath()).toEqual({ path: 'fused', backend: 'wasm' });
      compareChannelStencil(cases[0]!); // the first call chooses the mode
      expect(channelKernelMode().mode).toBe(mode);
    });

    it.each(cases)('equal the op path, outputs and gradients (%o)', (cfg) => {
      for (const perChannelBias of [false, true]) {
        const r = compareChannelStencil(cfg, { perChannelBias });
        // float32 kernels vs float32 ops (other summation order; tanh approximation ≤ 3e-7):
        // differences are rounding of sums of ≤ ~100 O(1) terms.
        for (const [name, d] of Object.entries(r.maxAbsDiff)) expect(d, name).toBeLessThanOrEqual(3e-5 * Math.max(1, r.maxAbs[name as keyof typeof r.maxAbs]));
      }
    });

    it('has gradients that match finite differences (checkGradients, float32)', () => {
      const cfg: ChannelStencilConfig = { height: 4, width: 4, channels: 4, points: 9, boundary: 'periodic', activation: 'tanh' };
      expect(checkChannelStencilGradients(cfg).maxError).toBeLessThan(2e-2);
    });

    it('leaks no tensors and no backend buffers', () => {
      const cfg: ChannelStencilConfig = { height: 3, width: 4, channels: 5, points: 9, boundary: 'zero', activation: 'sigmoid' };
      compareChannelStencil(cfg, { perChannelBias: true });
      const tensors = tf.memory().numTensors;
      const dataIds = tf.backend().numDataIds();
      compareChannelStencil(cfg, { perChannelBias: true });
      expect(tf.memory().numTensors).toBe(tensors);
      expect(tf.backend().numDataIds()).toBe(dataIds);
    });

    it('handles a batch-64 28 × 28 × 8 step (grows the memory)', () => {
      const r = compareChannelStencil({ height: 28, width: 28, channels: 8, points: 9, boundary: 'zero', activation: 'tanh' }, { batch: 64, perChannelBias: true });
      // dtaps/dmixing sum 50 176 products in float32 on both paths: relative rounding ≲ 1e-5.
      for (const [name, d] of Object.entries(r.maxAbsDiff)) expect(d, name).toBeLessThanOrEqual(1e-4 * Math.max(1, r.maxAbs[name as keyof typeof r.maxAbs]));
    });

    it('runs a fusing block of a channel-stencil kernel equal to its unfused composition', () => {
      const parts = channelStencilTestParts({ height: 5, width: 4, channels: 8, points: 9, boundary: 'periodic' });
      checkBlockFusion(parts, { layers: 3, bias: 'shared' });
      parts.kernel.dispose();
    });
  });
}
