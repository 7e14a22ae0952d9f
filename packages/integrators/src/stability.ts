import { stencilOffsets, type KernelStencil, type StabilityLimit } from '@npde/core';

/**
 * One Fourier mode of a layer's linearized dynamics dz/dt = γ (W − I) z (f′ = 1):
 * the eigenvalue λ = W(θ) − 1 of the stencil's symbol at one site (frozen
 * coefficients), and the part λ_I of it that a semi-implicit scheme treats
 * implicitly (the symmetric nearest-neighbour diffusion μ (2 cos θ − 2), real).
 */
export interface SpectrumSample {
  /** Re λ. */
  readonly re: number;
  /** Im λ. */
  readonly im: number;
  /** λ_I, the implicit (diffusive) part of λ; real. 0 for 2-D stencils. */
  readonly implicit: number;
}

/**
 * A scheme's amplification of one mode over one step: |R| for the scaled
 * eigenvalue ζ = ω λ (with ζ_I = ω λ_I its implicit part).
 */
export type Amplification = (re: number, im: number, implicit: number) => number;

const THETAS_1D = Array.from({ length: 33 }, (_, j) => (j * Math.PI) / 32);
const THETAS_2D_ROW = Array.from({ length: 9 }, (_, j) => (j * Math.PI) / 8);
const THETAS_2D_COL = Array.from({ length: 17 }, (_, j) => ((j - 8) * Math.PI) / 8);

/** Site stencils analysed at most (see {@link stencilSpectrum}). */
const MAX_ROWS = 64;

/**
 * Indices of at most `max` rows of the `[rows, K]` taps: all of them when there are
 * at most `max` (or every row equals the first), else the `max/4` largest by each of
 * the symmetric (diffusive) neighbour weight, the antisymmetric (advective) one and
 * |Σ t − 1| (reaction), and evenly spaced others.
 */
function representativeRows(data: ArrayLike<number>, K: number, offsets: readonly (readonly [number, number])[], max: number): number[] {
  const n = Math.floor(data.length / K);
  let uniform = true;
  for (let i = K; i < n * K && uniform; i++) uniform = data[i] === data[i % K];
  if (uniform) return n > 0 ? [0] : [];
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const scores = [new Float64Array(n), new Float64Array(n), new Float64Array(n)] as const;
  for (let i = 0; i < n; i++) {
    let sym = 0;
    let anti = 0;
    let sum = 0;
    for (let k = 0; k < K; k++) {
      const t = data[i * K + k]!;
      const [di, dj] = offsets[k]!;
      if (di !== 0 || dj !== 0) sym += t;
      anti += (di + dj) * t;
      sum += t;
    }
    scores[0][i] = sym;
    scores[1][i] = Math.abs(anti);
    scores[2][i] = Math.abs(sum - 1);
  }
  const picked = new Set<number>();
  const index = Array.from({ length: n }, (_, i) => i);
  for (const score of scores) for (const i of [...index].sort((a, b) => score[b]! - score[a]!).slice(0, max / 4)) picked.add(i);
  for (let k = 0; k < max / 4; k++) picked.add(Math.floor((k * n) / (max / 4)));
  return [...picked];
}

/**
 * The sampled spectrum of a stencil's linearized dynamics: for every site (one
 * when all sites share their taps), λ(θ) = Σ_k t_k e^{i (offset_k · θ)} − 1 at 33 wavenumbers
 * θ ∈ [0, π] (1-D; the rest follow by conjugate symmetry) or on a 9 × 17 grid of
 * (θ_row, θ_col) ∈ [0, π] × [−π, π] (2-D). Boundaries are ignored (von Neumann
 * analysis with frozen coefficients). A kernel with more than 64 sites whose
 * stencils differ is represented by at most 64 of them: the 16 with the largest diffusive, advective
 * and reaction weight each, and evenly spaced others (a heuristic that keeps the
 * check cheap on large heterogeneous kernels). Reads the taps synchronously; not
 * for a training hot path.
 *
 * @example
 * ```ts
 * const samples = stencilSpectrum(model.kernel.stencil!(0));
 * const fastest = Math.max(...samples.map((s) => Math.hypot(s.re, s.im)));
 * ```
 */
export function stencilSpectrum(stencil: KernelStencil): SpectrumSample[] {
  const { geometry } = stencil;
  const offsets = stencilOffsets(geometry);
  const K = offsets.length;
  const data = stencil.taps.dataSync();
  const left = offsets.findIndex(([di, dj]) => di === 0 && dj === -1);
  const right = offsets.findIndex(([di, dj]) => di === 0 && dj === 1);
  const out: SpectrumSample[] = [];
  for (const row of representativeRows(data, K, offsets, MAX_ROWS)) {
    const t = data.subarray(row * K, (row + 1) * K);
    const mu = geometry.dims === 1 ? (t[left]! + t[right]!) / 2 : 0;
    const modes = geometry.dims === 1 ? THETAS_1D.map((th) => [0, th] as const) : THETAS_2D_ROW.flatMap((a) => THETAS_2D_COL.map((b) => [a, b] as const));
    for (const [a, b] of modes) {
      let re = -1;
      let im = 0;
      for (let k = 0; k < K; k++) {
        const [di, dj] = offsets[k]!;
        const phase = di * a + dj * b;
        re += t[k]! * Math.cos(phase);
        im += t[k]! * Math.sin(phase);
      }
      out.push({ re, im, implicit: mu * (2 * Math.cos(b) - 2) });
    }
  }
  return out;
}

/**
 * Whether a mode is stable: |R| ≤ 1 (with a 1e-12 relative slack for round-off).
 * Modes that grow in the exact dynamics (Re λ > 0: a positive reaction rate) are
 * left out by {@link largestStableOmega}: their growth is physics, not instability.
 */
function stableMode(amplification: Amplification, s: SpectrumSample, omega: number): boolean {
  return amplification(omega * s.re, omega * s.im, omega * s.implicit) <= 1 + 1e-12;
}

/**
 * The largest ω at which every sampled decaying mode is stable for a scheme with the given
 * amplification: scans ω geometrically (×2) from 10⁻²/max|λ| and bisects the first
 * unstable interval to 1e-10 relative. `0` when ω = 10⁻²/max|λ| is already unstable
 * (a scheme whose region excludes part of the spectrum near 0, such as Euler on a
 * purely imaginary spectrum, where |R| = 1 + O(ω²) grows only weakly);
 * `Infinity` when ω = 10⁶/max|λ| still is stable (or the spectrum is 0).
 *
 * @example
 * ```ts
 * // forward Euler: R(ζ) = 1 + ζ
 * const maxOmega = largestStableOmega(stencilSpectrum(stencil), (re, im) => Math.hypot(1 + re, im));
 * ```
 */
export function largestStableOmega(samples: readonly SpectrumSample[], amplification: Amplification): number {
  const scale = Math.max(0, ...samples.map((s) => Math.hypot(s.re, s.im)));
  if (scale === 0) return Infinity;
  const decaying = samples.filter((s) => s.re <= 0);
  const stable = (omega: number) => decaying.every((s) => stableMode(amplification, s, omega));
  let lo = 1e-2 / scale;
  if (!stable(lo)) return 0;
  let hi = lo * 2;
  while (stable(hi)) {
    lo = hi;
    hi *= 2;
    if (lo > 1e6 / scale) return Infinity;
  }
  while (hi - lo > 1e-10 * hi) {
    const mid = (lo + hi) / 2;
    if (stable(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * A {@link StabilityLimit} for a stencil: {@link largestStableOmega} of its
 * {@link stencilSpectrum} under a scheme's amplification, with the scheme's rule in words.
 *
 * @example
 * ```ts
 * const limit = stabilityLimitOf(stencil, (re, im) => Math.hypot(1 + re, im), 'forward Euler: |1 + ωλ| ≤ 1');
 * ```
 */
export function stabilityLimitOf(stencil: KernelStencil, amplification: Amplification, rule: string): StabilityLimit {
  return { maxOmega: largestStableOmega(stencilSpectrum(stencil), amplification), rule };
}


