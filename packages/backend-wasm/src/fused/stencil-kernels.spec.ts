import { describe, expect, it } from 'vitest';
import { ACTIVATION_CACHE_MAX_BYTES, keepsActivations, type TrajectoryPlan } from './stencil-kernels.js';

const plan = (layers: number, batch: number, sites: number, activation: number): TrajectoryPlan => ({
  step: { batch, height: 1, width: sites, sites, taps: 3, stencil: 1, periodic: 1, activation },
  layers,
  tapsShared: true,
  biasShared: true,
});

describe('keepsActivations (whether a trajectory forward keeps f(u) for its backward)', () => {
  // The binary's answer for activation codes 0..3 (identity, tanh, relu, sigmoid) is yes, for 4 (softplus) no.
  const wasm = { npde_stencil_caches: (act: number) => (act <= 3 ? 1 : 0) };

  it('keeps them where the binary can run the backward from them, and not otherwise', () => {
    expect(keepsActivations(wasm, plan(8, 1000, 64, 1))).toBe(true);
    expect(keepsActivations(wasm, plan(8, 1000, 64, 4))).toBe(false);
  });

  it('recomputes instead once the cache would exceed ACTIVATION_CACHE_MAX_BYTES (it is as large as the states)', () => {
    const floats = ACTIVATION_CACHE_MAX_BYTES / 4;
    expect(keepsActivations(wasm, plan(16, 64, floats / (16 * 64), 1))).toBe(true); // exactly the limit
    expect(keepsActivations(wasm, plan(16, 64, floats / (16 * 64) + 1, 1))).toBe(false);
    expect(keepsActivations(wasm, plan(1000, 1000, 65536, 1))).toBe(false);
  });
});
