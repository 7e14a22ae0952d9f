import { tf } from '@npde/core';
import { Matrix, solve } from 'ml-matrix';
import { beforeAll, describe, expect, it } from 'vitest';
import { adrMatrix, adrProfiles, analysisTestRegistry, testModel } from '../testing/registry.test-util.js';
import { fixedPoint, layerFixedPoint } from './fixed-point.js';
import { blockFixedPoint, depthProfile } from './model-attractors.js';

function rng(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
}

beforeAll(async () => {
  await analysisTestRegistry().ready({ backend: 'cpu' });
});

describe('fixedPoint', () => {
  it('finds cos z = z (Dottie number) with a falling residual history', () => {
    const r = fixedPoint((z) => z.map(Math.cos), [0]);
    expect(r.converged).toBe(true);
    expect(r.z[0]).toBeCloseTo(0.7390851332151607, 9);
    expect(r.residuals.at(-1)!).toBeLessThan(1e-10);
    expect(r.residuals.at(-1)!).toBeLessThan(r.residuals[0]!);
  });

  it('reaches the linear attractor z* = (W − I)⁻¹ b where plain iteration diverges (theory §4)', () => {
    const n = 6;
    const u = rng(3);
    // W = 1.5·I + small: spectral radius > 1, so z ← W z − b diverges; I − W is invertible
    const w = Float64Array.from({ length: n * n }, (_, k) => (k % (n + 1) === 0 ? 1.5 : 0) + 0.1 * u());
    const b = Float64Array.from({ length: n }, () => u());
    const exact = solve(new Matrix(Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => w[i * n + j]! - (i === j ? 1 : 0)))), Matrix.columnVector(Array.from(b))).getColumn(0);
    const picard = layerFixedPoint({ matrix: w, bias: b }, new Float64Array(n), { method: 'picard', maxIterations: 60 });
    expect(picard.converged).toBe(false);
    const anderson = layerFixedPoint({ matrix: w, bias: b }, new Float64Array(n), { memory: n });
    expect(anderson.converged).toBe(true);
    // n + 1 steps in exact arithmetic (GMRES-like); the normal equations cost a few more in float64
    expect(anderson.iterations).toBeLessThanOrEqual(2 * n + 2);
    anderson.z.forEach((v, i) => expect(v).toBeCloseTo(exact[i]!, 8));
  });

  it('reaches a constructed tanh attractor: b = W z* − atanh(z*)', () => {
    const n = 10;
    const u = rng(11);
    const w = Float64Array.from({ length: n * n }, () => 0.8 * u());
    const zs = Float64Array.from({ length: n }, () => 0.8 * u());
    const b = zs.map((z, i) => {
      let s = 0;
      for (let j = 0; j < n; j++) s += w[i * n + j]! * zs[j]!;
      return s - Math.atanh(z);
    });
    const r = layerFixedPoint({ matrix: w, bias: b, activation: Math.tanh }, new Float64Array(n));
    expect(r.converged).toBe(true);
    r.z.forEach((v, i) => expect(v).toBeCloseTo(zs[i]!, 8));
  });
});

describe('blockFixedPoint and depthProfile', () => {
  const N = 12;
  it("finds a pde stage's attractor through its kernel and activation (float32)", () => {
    const model = testModel({
      field: { shape: [N] },
      layers: 3,
      bias: 'shared',
      kernel: { id: '@npde/kernels/dense', options: { shared: true } },
      activation: '@npde/core/testing/tanh',
    });
    const u = rng(5);
    const w = Float32Array.from({ length: N * N }, () => 0.5 * u());
    const zs = Float64Array.from({ length: N }, () => 0.6 * u());
    const b = zs.map((z, i) => {
      let s = 0;
      for (let j = 0; j < N; j++) s += w[i * N + j]! * zs[j]!;
      return s - Math.atanh(z);
    });
    model.setWeights({ 'kernel/W': w, bias: Float32Array.from(b) }, { partial: true });
    const before = tf.memory().numTensors;
    const r = blockFixedPoint(model.stages[0]!, 2);
    expect(tf.memory().numTensors).toBe(before);
    expect(r.converged).toBe(true);
    // float32 arithmetic in W z − b and tanh: agreement to ~1e-6
    r.z.forEach((v, i) => expect(Math.abs(v - zs[i]!)).toBeLessThan(2e-5));
    model.dispose();
  });

  it('gives the depth at which the loss is lowest: data made at step 3 of 6 is caught at depth 3', () => {
    const p = adrProfiles(N);
    const model = testModel({
      field: { shape: [N] },
      layers: 6,
      omega: 0.5,
      kernel: { id: '@npde/kernels/adr', options: { family: 'heterogeneous' } },
      activation: '@npde/core/testing/tanh',
    });
    model.setWeights({ 'kernel/U': p.U, 'kernel/D': p.D, 'kernel/R': p.R }, { partial: true });
    const u = rng(9);
    const x = tf.tensor2d(Array.from({ length: 20 * N }, () => u()), [20, N]);
    const states = model.trajectory(x);
    const before = tf.memory().numTensors;
    const [profile] = depthProfile(model, x, states[3]!);
    expect(tf.memory().numTensors).toBe(before);
    expect(profile!.losses).toHaveLength(7);
    expect(profile!.bestDepth).toBe(3);
    expect(profile!.bestLoss).toBeLessThan(1e-12);
    expect(profile!.losses[6]!).toBeGreaterThan(1e-4);
    // sanity: the stencil the model runs is the one the test builds
    expect(adrMatrix(p, true)[0]).toBeCloseTo(1 - 2 * p.D[0]! + p.R[0]!, 12);
    states.forEach((s) => s.dispose());
    x.dispose();
    model.dispose();
  });
});
