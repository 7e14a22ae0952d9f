import { ErrorCodes, Registry, TooLargeError, Trainer, findMoment, tf, type KernelMoments, type Tensor2D } from '@npde/core';
import { plugins as optimizers } from '@npde/optimizers';
import { beforeAll, describe, expect, it } from 'vitest';
import { adrMatrix, adrProfiles, analysisTestRegistry, testModel } from '../testing/registry.test-util.js';
import { matrixMoments } from './matrix-moments.js';
import { moments } from './model-moments.js';
import { physicsReport } from '../physics/model-report.js';

const N = 16;
const values = (m: KernelMoments, label: string): readonly number[] => findMoment(m, label)!.values;

beforeAll(async () => {
  await analysisTestRegistry().ready({ backend: 'cpu' });
});

function adrModel(p: { U: number[]; D: number[]; R: number[] }, boundary: 'periodic' | 'zero' = 'periodic') {
  const model = testModel({
    field: { shape: [N] },
    layers: 2,
    omega: 1,
    kernel: { id: '@npde/kernels/adr', options: { family: 'heterogeneous', boundary } },
    activation: '@npde/core/testing/tanh',
  });
  model.setWeights({ 'kernel/U': p.U, 'kernel/D': p.D, 'kernel/R': p.R }, { partial: true });
  return model;
}

describe('moments(model)', () => {
  it("reads an ADR kernel's closed-form moments and the dense W's periodic ones alike: W0 = 1 + R, odd = U, even = 2D", () => {
    const p = adrProfiles(N);
    const model = adrModel(p);
    const [closed] = moments(model, { order: 4 });
    const [dense] = moments(model, { order: 4, convention: 'periodic' });
    expect(closed!.layers).toHaveLength(2);
    expect(closed!.layers[0]!.source).toBe('kernel');
    expect(dense!.layers[1]!.source).toBe('dense');
    for (const b of [closed!, dense!]) {
      const m = b.layers[1]!.moments;
      for (let i = 0; i < N; i++) {
        // float32 parameters: ~1e-7 relative
        expect(values(m, 'W0')[i]).toBeCloseTo(1 + p.R[i]!, 6);
        expect(values(m, 'W1')[i]).toBeCloseTo(p.U[i]!, 6);
        expect(values(m, 'W2')[i]).toBeCloseTo(2 * p.D[i]!, 6);
        expect(values(m, 'W3')[i]).toBeCloseTo(p.U[i]!, 6);
        expect(values(m, 'W4')[i]).toBeCloseTo(2 * p.D[i]!, 6);
      }
    }
    model.dispose();
  });

  it('open offsets count the wrapped neighbour of an edge site at N − 1', () => {
    const p = adrProfiles(N);
    const w = adrMatrix(p, true);
    const g = { shape: [N], dims: 1, sites: N, realChannels: 1 };
    const open = matrixMoments(w, g, 1, 'open');
    const ring = matrixMoments(w, g, 1, 'periodic');
    const a0 = -p.U[0]! / 2 + p.D[0]!;
    const b0 = p.U[0]! / 2 + p.D[0]!;
    expect(values(ring, 'W1')[0]).toBeCloseTo(b0 - a0, 12);
    expect(values(open, 'W1')[0]).toBeCloseTo(b0 + (N - 1) * a0, 12);
    expect(values(open, 'W1')[5]).toBeCloseTo(values(ring, 'W1')[5]!, 12);
  });

  it('a window (maxOffset) counts only the couplings within it', () => {
    let seed = 5;
    const u = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
    const w = Float64Array.from({ length: N * N }, u);
    const m = matrixMoments(w, { shape: [N], dims: 1, sites: N, realChannels: 1 }, 3, 'periodic', 2);
    for (let i = 0; i < N; i++) {
      for (let k = 0; k <= 3; k++) {
        let s = 0;
        for (let r = -2; r <= 2; r++) s += r ** k * w[i * N + ((i + r + N) % N)]!;
        expect(values(m, `W${k}`)[i]).toBeCloseTo(s, 12);
      }
    }
    const model = adrModel(adrProfiles(N));
    const [b] = moments(model, { order: 2, maxOffset: 1 });
    expect(b!.layers[0]!.source).toBe('dense');
    expect(b!.layers[0]!.maxOffset).toBe(1);
    model.dispose();
  });

  it("refuses a dense W past maxDenseSize with TOO_LARGE, where auto falls back to the kernel's closed form", () => {
    const model = adrModel(adrProfiles(N));
    expect(moments(model, { convention: 'periodic', maxDenseSize: 8 })[0]!.layers[0]!.source).toBe('kernel');
    expect(() => moments(model, { source: 'dense', maxDenseSize: 8 })).toThrow(TooLargeError);
    try {
      moments(model, { source: 'dense', maxDenseSize: 8 });
    } catch (e) {
      expect((e as TooLargeError).code).toBe(ErrorCodes.TOO_LARGE);
    }
    model.dispose();
  });
});

describe('physicsReport', () => {
  it('reads U, D, R profiles of a heterogeneous ADR model, smoothing and stable for D > 0', () => {
    const p = adrProfiles(N);
    const model = adrModel(p);
    const before = tf.memory().numTensors;
    const report = physicsReport(model, { order: 4, convention: 'periodic' });
    expect(tf.memory().numTensors).toBe(before);
    const [b] = report.blocks;
    expect(b!.slope).toBeCloseTo(1, 5);
    expect(b!.quantities.map((q) => q.name)).toEqual(['U', 'D', 'R']);
    const ph = b!.layers[0]!.physics;
    for (let i = 0; i < N; i++) {
      expect(ph.reaction[i]).toBeCloseTo(p.R[i]!, 6);
      expect(ph.advection[0]![i]).toBeCloseTo(p.U[i]!, 6);
      expect(ph.diffusion[0]![0]![i]).toBeCloseTo(p.D[i]!, 6);
      expect(ph.dispersion[0]!.coefficient[i]).toBeCloseTo(p.U[i]! / 6, 6);
      expect(ph.hyperDiffusion[0]!.coefficient[i]).toBeCloseTo(p.D[i]! / 12, 6);
    }
    expect(ph.diffusionReading.every((r) => r === 'smoothing')).toBe(true);
    // the 3-point stencil's truncated fourth order has the anti-smoothing sign (+D/12)
    expect(ph.hyperDiffusionReading.every((r) => r === 'anti-smoothing')).toBe(true);
    // |1 + R − 2D(1 − cos k) + iU sin k| ≤ 1 with R < 0, D ∈ [0.1, 0.2], |U| ≤ 0.1
    expect(ph.stable).toBe(true);
    expect(ph.spectralRadius!).toBeLessThan(1);
    model.dispose();
  });

  it("reads a periodic ADR kernel's stability with ring offsets from its closed form: strong advection, |1 − 2D(1 − cos k) + iU sin k| ≤ 1, is stable", () => {
    // A = −U/2 + D < 0: summed at the plain offset N − 1 the seam coupling would fake growth (≈1.09 at site 0)
    const p = { U: new Array<number>(N).fill(0.3), D: new Array<number>(N).fill(0.1), R: new Array<number>(N).fill(0) };
    const model = adrModel(p);
    const layer = physicsReport(model, { order: 2 }).blocks[0]!.layers[0]!;
    expect(layer.source).toBe('kernel');
    expect(layer.physics.stable).toBe(true);
    expect(Math.max(...layer.physics.amplification!)).toBeCloseTo(1, 5);
    // the open reading of the same W's seam row does amplify: the offsets matter
    const open = physicsReport(model, { order: 2, convention: 'open' }).blocks[0]!.layers[0]!.physics;
    expect(open.amplification![0]!).toBeGreaterThan(1.05);
    expect(open.amplification![5]!).toBeCloseTo(1, 5);
    model.dispose();
  });

  it('reads a two-channel dense W per channel pair: each channel its own diffusion, the coupling 0 ← 1 a local reaction', () => {
    const n = 8;
    const C = 2;
    const size = n * C;
    const D = [0.1, 0.2];
    const couple = 0.05;
    const w = new Float32Array(size * size);
    const at = (s: number, o: number, t: number, c: number): number => (s * C + o) * size + ((t + n) % n) * C + c;
    for (let s = 0; s < n; s++) {
      for (let c = 0; c < C; c++) {
        w[at(s, c, s, c)] = 1 - 2 * D[c]!;
        w[at(s, c, s - 1, c)] = D[c]!;
        w[at(s, c, s + 1, c)] = D[c]!;
      }
      w[at(s, 0, s, 1)] = couple;
    }
    const model = testModel({
      field: { shape: [n], channels: C },
      layers: 1,
      kernel: { id: '@npde/kernels/dense', options: { shared: true } },
      activation: '@npde/core/testing/identity',
    });
    model.setWeights({ 'kernel/W': w }, { partial: true });
    const [b] = moments(model, { order: 2, convention: 'periodic' });
    const m = b!.layers[0]!.moments;
    const layer = physicsReport(model, { order: 2, convention: 'periodic' }).blocks[0]!.layers[0]!;
    const pair = (o: number, c: number) => layer.pairs.find((q) => q.channels![0] === o && q.channels![1] === c)!;
    expect(layer.pairs).toHaveLength(4);
    for (let s = 0; s < n; s++) {
      expect(findMoment(m, 'W0', [0, 1])!.values[s]).toBeCloseTo(couple, 6);
      expect(findMoment(m, 'W0', [1, 0])!.values[s]).toBeCloseTo(0, 6);
      // channel-blind: input channels summed, receiving channels averaged
      expect(findMoment(m, 'W0')!.values[s]).toBeCloseTo(1 + couple / 2, 6);
      expect(pair(0, 0).diffusion[0]![0]![s]).toBeCloseTo(D[0]!, 6);
      expect(pair(1, 1).diffusion[0]![0]![s]).toBeCloseTo(D[1]!, 6);
      expect(pair(0, 1).reaction[s]).toBeCloseTo(couple - 1, 6);
      expect(layer.physics.diffusion[0]![0]![s]).toBeCloseTo((D[0]! + D[1]!) / 2, 6);
    }
    model.dispose();
  });

  it('flags anti-diffusion (D < 0) as anti-smoothing and unstable', () => {
    const p = { U: new Array<number>(N).fill(0), D: new Array<number>(N).fill(-0.1), R: new Array<number>(N).fill(0) };
    const model = adrModel(p);
    const ph = physicsReport(model, { order: 2 }).blocks[0]!.layers[0]!.physics;
    expect(ph.diffusionReading.every((r) => r === 'anti-smoothing')).toBe(true);
    expect(ph.stable).toBe(false);
    // g(π) = 1 − 4D = 1.4 for ω = 1
    expect(Math.max(...ph.amplification!)).toBeCloseTo(1.4, 5);
    expect(ph.spectralRadius!).toBeCloseTo(1.4, 5);
    model.dispose();
  });

  it('reads a 2-D stencil as an advection vector and a diffusion tensor (dense kernel, periodic offsets)', () => {
    const shape = [5, 6];
    const n = 30;
    const cases = [
      { ux: 0.1, uy: -0.05, dxx: 0.2, dxy: 0.05, dyy: 0.1, R: -0.02, reading: 'smoothing' },
      { ux: 0, uy: 0.02, dxx: 0.2, dxy: 0, dyy: -0.1, R: 0, reading: 'mixed' },
    ];
    for (const c of cases) {
      const taps: [number, number, number][] = [
        [0, 0, 1 + c.R - 2 * c.dxx - 2 * c.dyy],
        [1, 0, c.dxx + c.ux / 2],
        [-1, 0, c.dxx - c.ux / 2],
        [0, 1, c.dyy + c.uy / 2],
        [0, -1, c.dyy - c.uy / 2],
        [1, 1, c.dxy / 2],
        [-1, -1, c.dxy / 2],
        [1, -1, -c.dxy / 2],
        [-1, 1, -c.dxy / 2],
      ];
      const w = new Float32Array(n * n);
      for (let x = 0; x < 5; x++)
        for (let y = 0; y < 6; y++)
          for (const [dx, dy, v] of taps) w[(x * 6 + y) * n + ((x + dx + 5) % 5) * 6 + ((y + dy + 6) % 6)]! += v;
      const model = testModel({
        field: { shape },
        layers: 1,
        kernel: { id: '@npde/kernels/dense', options: { shared: true } },
        activation: '@npde/core/testing/identity',
      });
      model.setWeights({ 'kernel/W': w }, { partial: true });
      const ph = physicsReport(model, { order: 2, convention: 'periodic' }).blocks[0]!.layers[0]!.physics;
      for (let s = 0; s < n; s++) {
        expect(ph.reaction[s]).toBeCloseTo(c.R, 6);
        expect(ph.advection[0]![s]).toBeCloseTo(c.ux, 6);
        expect(ph.advection[1]![s]).toBeCloseTo(c.uy, 6);
        expect(ph.diffusion[0]![0]![s]).toBeCloseTo(c.dxx, 6);
        expect(ph.diffusion[0]![1]![s]).toBeCloseTo(c.dxy, 6);
        expect(ph.diffusion[1]![0]![s]).toBeCloseTo(c.dxy, 6);
        expect(ph.diffusion[1]![1]![s]).toBeCloseTo(c.dyy, 6);
        expect(ph.diffusionReading[s]).toBe(c.reading);
      }
      const tr = c.dxx + c.dyy;
      const det = c.dxx * c.dyy - c.dxy * c.dxy;
      expect(ph.diffusionEigenvalues[0]![0]).toBeCloseTo(tr / 2 - Math.sqrt((tr * tr) / 4 - det), 6);
      model.dispose();
    }
  });
});

describe('moments of kernels with known analytic moments', () => {
  // A per-site shifted Gaussian W_ij = A exp(−(r − μ_i)² / 2σ²) on a ring of M sites (r the ring offset).
  // Poisson summation: the lattice sums equal the integrals up to exp(−2π²σ²) ≈ 1e-34 (σ = 2),
  // and the tails past |r| = M/2 are below exp(−(M/2 − 1)² / 2σ²) ≈ 1e-52: the moments are analytic,
  //   W0 = Aσ√(2π), W1 = μ W0, W2 = (σ² + μ²) W0, W3 = (μ³ + 3μσ²) W0, W4 = (μ⁴ + 6μ²σ² + 3σ⁴) W0.
  const M = 64;
  const sigma = 2;
  const A = 0.08;
  const mu = Array.from({ length: M }, (_, i) => 0.3 * Math.sin((2 * Math.PI * i) / M));
  const gaussianW = (): Float64Array => {
    const w = new Float64Array(M * M);
    for (let i = 0; i < M; i++)
      for (let j = 0; j < M; j++) {
        let r = (((j - i) % M) + M) % M;
        if (r > M / 2) r -= M;
        w[i * M + j] = A * Math.exp(-((r - mu[i]!) ** 2) / (2 * sigma * sigma));
      }
    return w;
  };
  const analytic = (i: number): number[] => {
    const m = mu[i]!;
    const s2 = sigma * sigma;
    const w0 = A * sigma * Math.sqrt(2 * Math.PI);
    return [w0, m * w0, (s2 + m * m) * w0, (m ** 3 + 3 * m * s2) * w0, (m ** 4 + 6 * m * m * s2 + 3 * s2 * s2) * w0];
  };

  it('a dense W sampled from a Gaussian kernel gives its analytic moments (float64 to 1e-10, through a float32 dense model to 1e-5)', () => {
    const w = gaussianW();
    const direct = matrixMoments(w, { shape: [M], dims: 1, sites: M, realChannels: 1 }, 4, 'periodic');
    const model = testModel({
      field: { shape: [M] },
      layers: 1,
      kernel: { id: '@npde/kernels/dense', options: { shared: true } },
      activation: '@npde/core/testing/identity',
    });
    model.setWeights({ 'kernel/W': Float32Array.from(w) }, { partial: true });
    const [b] = moments(model, { order: 4, convention: 'periodic' });
    expect(b!.kernel).toBe('@npde/kernels/dense');
    expect(b!.layers[0]!.source).toBe('dense');
    const viaModel = b!.layers[0]!.moments;
    for (let i = 0; i < M; i++) {
      const exact = analytic(i);
      for (let k = 0; k <= 4; k++) {
        const scale = Math.max(Math.abs(exact[k]!), exact[0]! * sigma ** k * 0.01);
        expect(Math.abs(values(direct, `W${k}`)[i]! - exact[k]!) / scale).toBeLessThan(1e-10);
        // float32 entries: ~6e-8 relative each, summed over the ring
        expect(Math.abs(values(viaModel, `W${k}`)[i]! - exact[k]!) / scale).toBeLessThan(1e-5);
      }
    }
    const ph = physicsReport(model, { order: 4, convention: 'periodic' }).blocks[0]!.layers[0]!.physics;
    for (let i = 0; i < M; i++) expect(ph.diffusion[0]![0]![i]).toBeCloseTo(analytic(i)[2]! / 2, 5);
    expect(ph.diffusionReading.every((r) => r === 'smoothing')).toBe(true);
    model.dispose();
  });

  it("a dense layer holding a hyper-diffusion stencil z + K(q)(−z₋₂ + 4z₋₁ − 6z + 4z₊₁ − z₊₂) reads back c4 = −K: smoothing and stable for K > 0, anti-smoothing and unstable for K < 0", () => {
    const n = 20;
    for (const sign of [1, -1]) {
      const K = Array.from({ length: n }, (_, i) => sign * (0.03 + 0.02 * Math.sin((2 * Math.PI * i) / n)));
      const taps = [-1, 4, -6, 4, -1];
      const w = new Float32Array(n * n);
      for (let i = 0; i < n; i++) {
        w[i * n + i] = 1;
        taps.forEach((t, k) => (w[i * n + ((i + k - 2 + n) % n)]! += K[i]! * t));
      }
      const model = testModel({
        field: { shape: [n] },
        layers: 1,
        kernel: { id: '@npde/kernels/dense', options: { shared: true } },
        activation: '@npde/core/testing/identity',
      });
      model.setWeights({ 'kernel/W': w }, { partial: true });
      const ph = physicsReport(model, { order: 4, convention: 'periodic' }).blocks[0]!.layers[0]!.physics;
      for (let i = 0; i < n; i++) {
        // float32 entries of size ≤ 1: the moments to ~1e-7
        expect(ph.reaction[i]).toBeCloseTo(0, 6);
        expect(ph.advection[0]![i]).toBeCloseTo(0, 6);
        expect(ph.diffusion[0]![0]![i]).toBeCloseTo(0, 6);
        expect(ph.dispersion[0]!.coefficient[i]).toBeCloseTo(0, 6);
        expect(ph.hyperDiffusion[0]!.coefficient[i]).toBeCloseTo(-K[i]!, 6);
      }
      expect(ph.hyperDiffusionReading.every((r) => r === (sign > 0 ? 'smoothing' : 'anti-smoothing'))).toBe(true);
      expect(ph.stable).toBe(sign > 0);
      // the symbol 1 − K(2 − 2cos k)² peaks at k = π (1 + 16|K|) for K < 0, at k = 0 (1) for K > 0
      const peak = sign > 0 ? 1 : 1 + 16 * Math.max(...K.map(Math.abs));
      expect(Math.max(...ph.amplification!)).toBeCloseTo(peak, 5);
      model.dispose();
    }
  });
});

describe('moments of a trained layer', () => {
  it('a dense W trained on data from a known ADR model reads back its advection and diffusion (W1, W2 within 1% relative L2)', async () => {
    const n = 12;
    const p = adrProfiles(n);
    const truth = testModel({
      field: { shape: [n] },
      layers: 1,
      kernel: { id: '@npde/kernels/adr', options: { family: 'heterogeneous', boundary: 'periodic' } },
      activation: '@npde/core/testing/tanh',
    });
    truth.setWeights({ 'kernel/U': p.U, 'kernel/D': p.D, 'kernel/R': p.R }, { partial: true });
    const x = tf.randomUniform([120, n], -1, 1, 'float32', 11) as Tensor2D;
    const y = truth.predict(x) as Tensor2D;
    truth.dispose();
    const model = testModel({
      field: { shape: [n] },
      layers: 1,
      kernel: { id: '@npde/kernels/dense', options: { shared: true, init: 'identity' } },
      activation: '@npde/core/testing/tanh',
    });
    const registry = new Registry().register(optimizers);
    await new Trainer({ registry }).fit(model, { x, y }, { optimizer: { id: '@npde/optimizers/adam', options: { learningRate: 0.02 } }, epochs: 40, batchSize: 20, seed: 1 });
    const m = moments(model, { order: 2, convention: 'periodic' })[0]!.layers[0]!.moments;
    const relL2 = (a: readonly number[], b: readonly number[]): number => Math.hypot(...a.map((v, i) => v - b[i]!)) / Math.hypot(...b);
    // from the identity (W1 = 0, W2 = 0) to the generating profiles; on clean data 240 Adam steps leave ~7e-4
    expect(relL2(values(m, 'W1'), p.U)).toBeLessThan(0.01);
    expect(relL2(values(m, 'W2'), p.D.map((d) => 2 * d))).toBeLessThan(0.01);
    expect(relL2(values(m, 'W0'), p.R.map((r) => 1 + r))).toBeLessThan(0.01);
    model.dispose();
    tf.dispose([x, y]);
  });
});
