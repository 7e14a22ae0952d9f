// Special cases of the relaxation dynamics (theory §4), checked on the real plugins.
import { beforeAll, describe, expect, it } from 'vitest';
import { Matrix, solve } from 'ml-matrix';
import { NeuralPde, createDefaultRegistry, tf, type ModelSpec } from './index.js';

const registry = createDefaultRegistry();

beforeAll(async () => {
  await registry.ready({ backend: 'cpu' });
});

/** Deterministic pseudo-random numbers in [-1, 1). */
function rand(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

describe('theory §4 special cases', () => {
  it('identity: b = 0, W = I, f = identity keeps z = x at every depth, for any ω', () => {
    const spec: ModelSpec = {
      field: { shape: [16] },
      layers: 12,
      kernel: { id: '@npde/kernels/dense', options: { shared: true, init: 'identity', noise: 0 } },
      activation: '@npde/activations/identity',
      omega: 0.37,
    };
    const model = NeuralPde.create(spec, { registry });
    const x = tf.randomNormal([5, 16], 0, 1, 'float32', 3);
    const states = model.trajectory(x);
    expect(states).toHaveLength(13);
    const x0 = x.dataSync();
    for (const s of states) {
      const d = s.dataSync();
      for (let i = 0; i < d.length; i++) expect(Math.abs(d[i]! - x0[i]!)).toBeLessThanOrEqual(4e-7 * Math.max(1, Math.abs(x0[i]!)));
    }
    tf.dispose([x, ...states]);
    model.dispose();
  });

  // The identity case above holds for any ω, so it would pass with ω ignored; here ω
  // decides the answer: with W = 0 and b = 0, f(W z − b) = f(0) = 0 and every step is
  // z ← (1 − ω) z, so z_l = (1 − ω)^l x, through the unfused (dense) and the fused (ADR) path.
  it.each([
    { kernel: { id: '@npde/kernels/dense', options: { shared: true, noise: 0 } }, activation: '@npde/activations/identity', zeroW: true, fused: false },
    // adr's C = 1 − 2D/Δ² + R: R = −1 with U = D = 0 makes every tap 0.
    { kernel: { id: '@npde/kernels/adr', options: { init: { U: 0, D: 0, R: -1, noise: 0 } } }, activation: '@npde/activations/tanh', zeroW: false, fused: true },
  ])('decay: b = 0, W = 0 (f(0) = 0) gives z_l = (1 − ω)^l x with $kernel.id (fused: $fused)', ({ kernel, activation, zeroW, fused }) => {
    const N = 10;
    const L = 6;
    for (const omega of [0.37, 0.8]) {
      const model = NeuralPde.create({ field: { shape: [N] }, layers: L, kernel, activation, omega }, { registry });
      if (zeroW) model.setWeights({ 'kernel/W': new Array<number>(N * N).fill(0) }, { partial: true });
      expect(model.fused).toBe(fused);
      const x = tf.randomNormal([4, N], 0, 1, 'float32', 21);
      const states = model.trajectory(x);
      const x0 = x.dataSync();
      states.forEach((s, l) => {
        const d = s.dataSync();
        const factor = (1 - omega) ** l;
        // float32: l roundings of a product, ≤ 1e-6 relative (ω ignored would be off by 1 − factor ≥ 0.37).
        for (let i = 0; i < d.length; i++) expect(Math.abs(d[i]! - factor * x0[i]!), `ω=${omega} l=${l}`).toBeLessThanOrEqual(1e-6 * Math.max(1e-3, Math.abs(x0[i]!)));
      });
      tf.dispose([x, ...states]);
      model.dispose();
    }
  });

  it('linear steady state: with f = identity, z(t → ∞) = (W − I)⁻¹ b (float64 solve)', () => {
    const N = 12;
    const r = rand(42);
    // ‖W‖ small enough that the iteration (1 − ω) I + ω W contracts
    const W = Array.from({ length: N }, () => Array.from({ length: N }, () => (0.6 * r()) / Math.sqrt(N)));
    const b = Array.from({ length: N }, () => r());
    const spec: ModelSpec = {
      field: { shape: [N] },
      layers: 300,
      kernel: { id: '@npde/kernels/dense', options: { shared: true } },
      activation: '@npde/activations/identity',
      omega: 0.5,
      bias: 'shared',
    };
    const model = NeuralPde.create(spec, { registry });
    model.setWeights({ 'kernel/W': W.flat(), bias: b }, { partial: true });
    const WminusI = new Matrix(W).sub(Matrix.eye(N));
    const expected = solve(WminusI, Matrix.columnVector(b)).getColumn(0);
    const x = tf.randomNormal([3, N], 0, 1, 'float32', 9);
    const y = model.predict(x).arraySync() as number[][];
    const scale = Math.max(...expected.map(Math.abs));
    for (const row of y) row.forEach((v, i) => expect(Math.abs(v - expected[i]!)).toBeLessThan(1e-5 * scale));
    tf.dispose([x]);
    model.dispose();
  });

  it('Euler relaxation with ω = 1 is exactly a plain dense layer stack z ← tanh(W_l z − b_l)', () => {
    const N = 10;
    const L = 4;
    const spec: ModelSpec = {
      field: { shape: [N] },
      layers: L,
      kernel: { id: '@npde/kernels/dense', options: { init: 'glorot' } },
      activation: '@npde/activations/tanh',
      omega: 1,
      bias: 'per-layer',
      seed: 5,
    };
    const model = NeuralPde.create(spec, { registry });
    const r = rand(7);
    model.setWeights({ bias: Array.from({ length: L * N }, () => 0.3 * r()) }, { partial: true });
    const x = tf.randomNormal([6, N], 0, 1, 'float32', 1);
    const got = model.predict(x);
    const W = model.parameters['kernel/W']!;
    const bias = model.parameters['bias']!;
    const stack = tf.tidy(() => {
      let z = x;
      for (let l = 0; l < L; l++) {
        const Wl = tf.gather(W, l);
        z = tf.tanh(tf.sub(tf.matMul(z, Wl, false, true), tf.gather(bias, l)));
      }
      return z;
    });
    expect(Array.from(got.dataSync())).toEqual(Array.from(stack.dataSync()));
    // and against a float64 plain-JavaScript evaluation of the same formula
    const Wv = W.arraySync() as number[][][];
    const bv = bias.arraySync() as number[][];
    const xs = x.arraySync() as number[][];
    const g = got.arraySync() as number[][];
    xs.forEach((row, s) => {
      let z = row.slice();
      for (let l = 0; l < L; l++) z = Wv[l]!.map((wi, i) => Math.tanh(wi.reduce((a, w, j) => a + w * z[j]!, 0) - bv[l]![i]!));
      z.forEach((v, i) => expect(g[s]![i]!).toBeCloseTo(v, 5));
    });
    tf.dispose([x, got, stack]);
    model.dispose();
  });
});
