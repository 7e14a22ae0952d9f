import { ErrorCodes, NpdeError, findMoment, resolveField, tf, validate, type FieldSpec, type KernelInstance, type Tensor2D } from '@npde/core';
import { checkKernelFamily } from '@npde/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { kernelMomentsFromDense } from '../moments/dense-moments.js';
import {
  GRADIENT_TOLERANCE,
  finiteDifferences,
  flatParams,
  gradientError,
  mse64,
  randomMatrix,
  relax64,
  seededRandom,
  tfGradient,
  type Matrix64,
} from '../testing/relaxation-reference.test-util.js';
import { complex } from './complex.js';
import type { ComplexOptionsInput } from './options.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function create(options: ComplexOptionsInput, field: FieldSpec, layers = 1): KernelInstance {
  return complex.create({ field: resolveField(field), layers, options: validate(complex.options, options, { path: 'kernel.options' }), seed: 1 });
}

/** Run `steps` Euler steps ψ ← W ψ (identity activation, ω = 1), optionally renormalizing to ‖ψ‖ = 1 after each. */
function evolve(k: KernelInstance, psi0: readonly number[], steps: number, normalize = false): number[] {
  let z = tf.tensor2d([...psi0], [1, psi0.length]) as Tensor2D;
  for (let s = 0; s < steps; s++) {
    const next = tf.tidy(() => {
      const w = k.apply(z, 0);
      return (normalize ? tf.div(w, tf.norm(w)) : w) as Tensor2D;
    });
    z.dispose();
    z = next;
  }
  const out = Array.from(z.dataSync());
  z.dispose();
  return out;
}

/** W = I + dt·L of a 1-D complex field as a float64 matrix, built from the equations directly (site-major [Re, Im]). */
function complexMatrix64(V: readonly number[], c: number, dt: number, imaginary: boolean, boundary: 'zero' | 'periodic'): Matrix64 {
  const n = V.length;
  // H = −c ∇² + V on one real channel
  const H = Array.from({ length: n }, (_, i) => {
    const row = new Array<number>(n).fill(0);
    row[i] = 2 * c + V[i]!;
    for (const j of [i - 1, i + 1]) {
      if (j >= 0 && j < n) row[j]! -= c;
      else if (boundary === 'periodic') row[(j + n) % n]! -= c;
    }
    return row;
  });
  const W = Array.from({ length: 2 * n }, () => new Array<number>(2 * n).fill(0));
  for (let i = 0; i < n; i++) {
    W[2 * i]![2 * i] = 1;
    W[2 * i + 1]![2 * i + 1] = 1;
    for (let j = 0; j < n; j++) {
      const h = dt * H[i]![j]!;
      if (imaginary) {
        W[2 * i]![2 * j]! -= h; // ∂t ψ = −H ψ, on Re and Im alike
        W[2 * i + 1]![2 * j + 1]! -= h;
      } else {
        W[2 * i]![2 * j + 1]! += h; // ∂t Re = H Im
        W[2 * i + 1]![2 * j]! -= h; // ∂t Im = −H Re
      }
    }
  }
  return W;
}

describe('complex: physics against analytic solutions', () => {
  it('a 2-D Gaussian beam spreads as the analytic paraxial solution A = exp(−r²/(w₀² q)) / q, q = 1 + 2iz/(k w₀²)', () => {
    const n = 32;
    const w0 = 4;
    const kz = 2; // z_R = k w₀² / 2 = 16
    const dz = 0.2; // dz·λ ≤ 0.02 for the beam's modes: Euler's growth √(1 + dz²λ²) stays below 1e-2 over the run
    const steps = 80; // z = 16 = z_R: the width grows by √2
    const z = dz * steps;
    const mid = (n - 1) / 2;
    const psi0: number[] = [];
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) psi0.push(Math.exp(-((i - mid) ** 2 + (j - mid) ** 2) / (w0 * w0)), 0);
    const k = create({ equation: 'paraxial', k: kz, dt: dz, trainable: false }, { shape: [n, n], complex: true });
    const out = evolve(k, psi0, steps);
    k.dispose();
    // analytic: q = 1 + i a, a = 2z/(k w₀²); A = exp(−r² / (w₀² q)) / q
    const a = (2 * z) / (kz * w0 * w0);
    const q2 = 1 + a * a;
    let err2 = 0;
    let ref2 = 0;
    let r2w = 0;
    let w = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const r2 = (i - mid) ** 2 + (j - mid) ** 2;
        // 1/q = (1 − i a)/q2; −r²/(w₀² q) = −r² (1 − i a) / (w₀² q2)
        const mag = Math.exp(-r2 / (w0 * w0 * q2)) / Math.sqrt(q2);
        const phase = (r2 * a) / (w0 * w0 * q2) - Math.atan(a);
        const re = mag * Math.cos(phase);
        const im = mag * Math.sin(phase);
        const s = 2 * (i * n + j);
        err2 += (out[s]! - re) ** 2 + (out[s + 1]! - im) ** 2;
        ref2 += re * re + im * im;
        const intensity = out[s]! ** 2 + out[s + 1]! ** 2;
        r2w += r2 * intensity;
        w += intensity;
      }
    }
    // Measured 2.1e-2: the 5-point Laplacian's O(h²/w₀²) dispersion at w₀ = 4 grid units (it
    // spreads the beam slightly too slowly; the 1-D test below shows the error is O(h²));
    // a wrong k (2× off) or a sign error gives O(1).
    expect(Math.sqrt(err2 / ref2)).toBeLessThan(3e-2);
    // beam radius: ⟨r²⟩ of |A|² = w(z)²/2 with w(z) = w₀ √(1 + (z/z_R)²) → ratio √2 at z = z_R
    const width = Math.sqrt((2 * r2w) / w);
    expect(Math.abs(width / w0 - Math.SQRT2)).toBeLessThan(0.03); // measured 1.392 vs √2 = 1.414
    expect(width / w0).toBeGreaterThan(1.3); // not the start's 1
  });

  it('1-D beam A = exp(−x²/(w₀² q)) / √q: the error against the analytic solution falls as h² (w₀ = 4 → 8 grid units)', () => {
    const run = (w0: number): number => {
      const n = 16 * w0;
      const kz = 2;
      const zR = (kz * w0 * w0) / 2;
      // dz = 0.2 at both resolutions: the grid's fastest mode (λ = 2/k) then grows by only
      // √(1 + dz²λ²) per step, so float32 round-off stays small over the run
      const dz = 0.2;
      const steps = Math.round(zR / dz);
      const mid = (n - 1) / 2;
      const psi0 = Array.from({ length: n }, (_, i) => [Math.exp(-((i - mid) ** 2) / (w0 * w0)), 0]).flat();
      const k = create({ equation: 'paraxial', k: kz, dt: dz, trainable: false }, { shape: [n], complex: true });
      const out = evolve(k, psi0, steps);
      k.dispose();
      const a = 1; // z = z_R
      const q2 = 1 + a * a;
      let err2 = 0;
      let ref2 = 0;
      for (let i = 0; i < n; i++) {
        const x2 = (i - mid) ** 2;
        const mag = Math.exp(-x2 / (w0 * w0 * q2)) / q2 ** 0.25;
        const phase = (x2 * a) / (w0 * w0 * q2) - Math.atan(a) / 2;
        err2 += (out[2 * i]! - mag * Math.cos(phase)) ** 2 + (out[2 * i + 1]! - mag * Math.sin(phase)) ** 2;
        ref2 += mag * mag;
      }
      return Math.sqrt(err2 / ref2);
    };
    const coarse = run(4);
    const fine = run(8);
    expect(coarse).toBeLessThan(3e-2);
    expect(coarse / fine).toBeGreaterThan(3); // second order: 4 in the limit
    expect(fine).toBeLessThan(8e-3);
  });

  it('imaginary-time Schrödinger with renormalization decays to the harmonic ground state exp(−ω x²/2), energy ω/2', () => {
    const n = 48;
    const omega = 0.1;
    const dt = 0.25;
    const mid = (n - 1) / 2;
    const rand = seededRandom(9);
    // an asymmetric start with both real and imaginary parts (odd modes must decay too)
    const psi0 = Array.from({ length: n }, (_, i) => [Math.exp(-((i - mid - 5) ** 2) / 30) + 0.1 * rand(), 0.3 * Math.exp(-((i - mid + 3) ** 2) / 20)]).flat();
    const k = create({ time: 'imaginary', dt, potential: { harmonic: omega }, trainable: false }, { shape: [n], complex: true });
    const energy = (psi: readonly number[]): number => {
      // ⟨ψ|H|ψ⟩ / ⟨ψ|ψ⟩ with H = −½∇² + V, zero boundary, summed over Re and Im
      let e = 0;
      let norm = 0;
      for (let ch = 0; ch < 2; ch++) {
        for (let i = 0; i < n; i++) {
          const p = psi[2 * i + ch]!;
          const left = i > 0 ? psi[2 * (i - 1) + ch]! : 0;
          const right = i < n - 1 ? psi[2 * (i + 1) + ch]! : 0;
          e += p * (-0.5 * (left + right - 2 * p) + 0.5 * omega * omega * (i - mid) ** 2 * p);
          norm += p * p;
        }
      }
      return e / norm;
    };
    const early = evolve(k, psi0, 20, true);
    const psi = evolve(k, psi0, 600, true);
    k.dispose();
    expect(energy(early)).toBeGreaterThan(energy(psi) + 1e-3); // it decays
    // |ψ| against the continuum ground state (normalized): discretization error O(h²ω) ≈ 1e-2
    const ground = Array.from({ length: n }, (_, i) => Math.exp((-omega * (i - mid) ** 2) / 2));
    const gn = Math.hypot(...ground);
    const mod = Array.from({ length: n }, (_, i) => Math.hypot(psi[2 * i]!, psi[2 * i + 1]!));
    const mn = Math.hypot(...mod);
    const err = Math.hypot(...mod.map((m, i) => m / mn - ground[i]! / gn));
    // The lattice ground state differs from the continuum one at O(ω h²) = O(0.1) relative in
    // the curvature, a few 1e-3 in the profile; a start not yet relaxed (20 steps) is off by > 0.1.
    expect(err).toBeLessThan(5e-3);
    expect(energy(psi)).toBeCloseTo(omega / 2, 3);
    // Re and Im share one profile: ψ = (a + i b) φ₀
    const ratio = psi[2 * Math.round(mid) + 1]! / psi[2 * Math.round(mid)]!;
    for (let i = 10; i < n - 10; i++) expect(psi[2 * i + 1]!).toBeCloseTo(ratio * psi[2 * i]!, 4);
    const earlyMod = Array.from({ length: n }, (_, i) => Math.hypot(early[2 * i]!, early[2 * i + 1]!));
    const en = Math.hypot(...earlyMod);
    expect(Math.hypot(...earlyMod.map((m, i) => m / en - ground[i]! / gn))).toBeGreaterThan(0.1);
  });

  it('real-time Schrödinger conserves the norm to O(dt²) per step (a test that the i is there)', () => {
    const n = 32;
    const psi0 = Array.from({ length: n }, (_, i) => [Math.exp(-((i - 15.5) ** 2) / 18), 0]).flat();
    const real = create({ dt: 0.02, potential: { harmonic: 0.2 }, trainable: false }, { shape: [n], complex: true });
    const imag = create({ dt: 0.02, time: 'imaginary', potential: { harmonic: 0.2 }, trainable: false }, { shape: [n], complex: true });
    const norm = (p: readonly number[]) => Math.hypot(...p);
    const n0 = norm(psi0);
    expect(Math.abs(norm(evolve(real, psi0, 100)) / n0 - 1)).toBeLessThan(1e-3);
    expect(norm(evolve(imag, psi0, 100)) / n0).toBeLessThan(0.9);
    real.dispose();
    imag.dispose();
  });
});

describe('complex: gradient against a float64 reference', () => {
  const N = 6;
  const rand = seededRandom(17);
  const x = randomMatrix(4, 2 * N, rand);
  const y = randomMatrix(4, 2 * N, rand, 0.5);
  it.each([
    { equation: 'schrodinger', time: 'real', boundary: 'zero' },
    { equation: 'schrodinger', time: 'imaginary', boundary: 'periodic' },
    { equation: 'paraxial', time: 'real', boundary: 'periodic' },
  ] as const)('$equation, $time time, $boundary', ({ equation, time, boundary }) => {
    const layers = 3;
    const dt = 0.3;
    const kz = 1.5;
    const potential = Array.from({ length: N }, () => Math.fround(2 * rand() - 1));
    const k = create({ equation, time, boundary, dt, k: kz, potential }, { shape: [N], complex: true }, layers);
    const c = equation === 'paraxial' ? 1 / (2 * kz) : 0.5;
    const p = flatParams(k, ['V']);
    const loss = (q: number[]) => mse64(relax64(() => complexMatrix64(q, c, dt, time === 'imaginary', boundary), x, 0.75, layers), y);
    const expected = finiteDifferences(p, loss);
    const actual = tfGradient(k, ['V'], x, y, 0.75, layers);
    expect(Math.max(...expected.map(Math.abs))).toBeGreaterThan(1e-3);
    const err = gradientError(actual, expected);
    expect(err.normwise).toBeLessThan(GRADIENT_TOLERANCE.normwise);
    expect(err.entrywise).toBeLessThan(GRADIENT_TOLERANCE.entrywise);
    // and dense() is the same W
    const w = k.dense!(0);
    const got = w.dataSync();
    const ref = complexMatrix64(p, c, dt, time === 'imaginary', boundary);
    ref.forEach((row, i) => row.forEach((v, j) => expect(got[i * 2 * N + j]).toBeCloseTo(v, 5)));
    w.dispose();
    k.dispose();
  });
  it('the reference can fail: real-time gradients differ from the imaginary-time reference', () => {
    const potential = Array.from({ length: N }, (_, i) => 0.1 * i);
    const k = create({ dt: 0.3, potential }, { shape: [N], complex: true }, 2);
    const loss = (q: number[]) => mse64(relax64(() => complexMatrix64(q, 0.5, 0.3, true, 'zero'), x, 0.75, 2), y);
    const err = gradientError(tfGradient(k, ['V'], x, y, 0.75, 2), finiteDifferences(flatParams(k, ['V']), loss));
    k.dispose();
    expect(err.normwise).toBeGreaterThan(100 * GRADIENT_TOLERANCE.normwise);
  });
});

describe('complex: moments, conformance and errors', () => {
  it.each([
    [{ shape: [7], complex: true }, 'zero'],
    [{ shape: [4, 5], complex: true, channels: 2 }, 'periodic'],
    [{ shape: [3, 3, 4], complex: true }, 'zero'],
  ] as const)('moments of %j (%s) equal those of dense() (periodic: W_0 everywhere, the rest away from the wrap)', (field, boundary) => {
    const info = resolveField(field);
    const k = create({ boundary, dt: 0.2, potential: Array.from({ length: info.sites }, (_, i) => Math.fround(0.05 * i)) }, field);
    const w = k.dense!(0);
    const ref = kernelMomentsFromDense(w.dataSync(), info, 2);
    w.dispose();
    const m = k.moments!(0, 2);
    expect(m.moments.map((e) => [e.label, e.channels])).toEqual(ref.moments.map((e) => [e.label, e.channels]));
    const interior = (s: number): boolean => {
      let rest = s;
      for (let a = info.shape.length - 1; a >= 0; a--) {
        const x = rest % info.shape[a]!;
        if (x === 0 || x === info.shape[a]! - 1) return false;
        rest = Math.floor(rest / info.shape[a]!);
      }
      return true;
    };
    let compared = 0;
    m.moments.forEach((e, idx) =>
      e.values.forEach((v, s) => {
        if (boundary === 'periodic' && e.alpha.some((a) => a > 0) && !interior(s)) return;
        expect(v).toBeCloseTo(ref.moments[idx]!.values[s]!, 5);
        compared++;
      }),
    );
    expect(compared).toBeGreaterThan(info.sites);
    k.dispose();
  });

  it('periodic edges count the wrapped neighbour at its ring distance: Mx of real-time W at an edge site', () => {
    // Re ← Re + dt·H Im: the [0, 1] pair's first moment is dt·Σ_t (x_t − x_s) H_st = dt·(−c)(+1 − 1) = 0 on the ring
    const k = create({ boundary: 'periodic', dt: 0.2 }, { shape: [6], complex: true });
    const m = k.moments!(0, 2);
    findMoment(m, 'W1', [0, 1])!.values.forEach((v) => expect(v).toBeCloseTo(0, 12));
    findMoment(m, 'W2', [0, 1])!.values.forEach((v) => expect(v).toBeCloseTo(0.2 * -0.5 * 2, 12));
    k.dispose();
  });

  it.each([
    { field: { shape: [9], complex: true }, options: { potential: { harmonic: 0.3 } } },
    { field: { shape: [4, 4], complex: true, channels: 2 }, options: { equation: 'paraxial', k: 2, boundary: 'periodic' } },
    { field: { shape: [3, 3, 3], complex: true }, options: { time: 'imaginary', dt: 0.1, potential: 0.5 } },
  ])('conforms on $field with $options', async ({ field, options }) => {
    await checkKernelFamily(complex, { field, layers: 2, options });
  });

  it('physics() reports V per layer and site; the harmonic well is centred', () => {
    const k = create({ potential: { harmonic: 2 } }, { shape: [5], complex: true }, 2);
    const [q] = k.physics!();
    expect(q!.name).toBe('V');
    expect(q!.values).toHaveLength(2);
    [8, 2, 0, 2, 8].forEach((v, i) => expect(q!.values[1]![i]).toBeCloseTo(v, 6));
    k.dispose();
  });

  it('errors: real fields, scattered points, paraxial in imaginary time, a potential of the wrong length', () => {
    const caught = (fn: () => unknown): NpdeError => {
      try {
        fn();
      } catch (e) {
        expect(e).toBeInstanceOf(NpdeError);
        return e as NpdeError;
      }
      throw new Error('expected a throw');
    };
    expect(caught(() => create({}, { shape: [8] })).code).toBe(ErrorCodes.UNSUPPORTED_FIELD);
    expect(caught(() => create({}, { points: [[0], [1]], complex: true })).code).toBe(ErrorCodes.UNSUPPORTED_FIELD);
    const bad = caught(() => validate(complex.options, { equation: 'paraxial', time: 'imaginary' }, { path: 'kernel.options' }));
    expect([bad.code, bad.path]).toEqual([ErrorCodes.INVALID_OPTIONS, 'kernel.options.time']);
    const len = caught(() => create({ potential: [1, 2] }, { shape: [4], complex: true }));
    expect([len.code, len.path]).toEqual([ErrorCodes.INVALID_OPTIONS, 'kernel.options.potential']);
    const centre = caught(() => create({ potential: { harmonic: 1, center: [1] } }, { shape: [4, 4], complex: true }));
    expect([centre.code, centre.path]).toEqual([ErrorCodes.INVALID_OPTIONS, 'kernel.options.potential.center']);
  });
});
