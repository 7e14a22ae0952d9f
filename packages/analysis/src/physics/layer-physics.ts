import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { KernelMoments, MultiIndex } from '@npde/core';
import { axisOffset, siteCoordinates, type MatrixGeometry, type MomentConvention } from '../moments/matrix-moments.js';

/**
 * The sign reading of an even-order term at one site (theory §2): it smooths
 * with the right sign, anti-smooths with the wrong one; `mixed` where the sign
 * depends on the direction (a saddle), `neutral` where the term vanishes, and
 * `undetermined` where a moment is missing or not finite (e.g. a power-law
 * kernel's moments that diverge with the domain size).
 */
export type SmoothingReading = 'smoothing' | 'anti-smoothing' | 'mixed' | 'neutral' | 'undetermined';

/** One term `c_α(q) ∂^α z` of the PDE a kernel generates: `c_α = W_α / α!` (Taylor expansion, theory §2 eq. 16). */
export interface GeneratorTerm {
  /** The multi-index α. */
  readonly alpha: MultiIndex;
  /** The moment's label (`W2`, `Mxy`, …). */
  readonly label: string;
  /** `c_α = W_α / α!` per site (`α! = Π_a α_a!`). */
  readonly coefficient: readonly number[];
}

/**
 * One layer's kernel read as physics, per site (theory §2 and §6): the PDE
 * `Z = W z ≈ Σ_α c_α(q) ∂^α z` with `c_α = W_α / α!`, and its named parts.
 */
export interface LayerPhysics {
  /** Spatial dimensions d. */
  readonly dims: number;
  /** Number of sites the profiles have (1 for a homogeneous stencil reported once). */
  readonly sites: number;
  /** Largest moment order that went in. */
  readonly order: number;
  /** The `[out, in]` channel pair these moments belong to; absent for the channel-blind reading. */
  readonly channels?: readonly [number, number];
  /** `W_0(q)`: the local amplitude factor (1 for the identity). */
  readonly amplitude: readonly number[];
  /** Reaction / growth rate `R(q) = W_0 − 1` (the ADR kernel's `R`; > 0 grows, < 0 decays). */
  readonly reaction: readonly number[];
  /** Advection `U_a(q) = W_{e_a}` per axis: `advection[axis][site]` (the ADR kernel's `U` in 1-D; the coefficient of `∂_a z`). Empty below order 1. */
  readonly advection: readonly (readonly number[])[];
  /** Diffusion tensor `D_ab(q) = W_{e_a+e_b} / 2`: `diffusion[a][b][site]`, symmetric (the ADR kernel's `D` in 1-D). Empty below order 2. */
  readonly diffusion: readonly (readonly (readonly number[])[])[];
  /** Eigenvalues of the diffusion tensor, ascending: `diffusionEigenvalues[k][site]` (in 1-D just D). */
  readonly diffusionEigenvalues: readonly (readonly number[])[];
  /** Diffusion's sign reading per site: `smoothing` when D is positive definite, `anti-smoothing` when negative definite, `mixed` for a saddle. */
  readonly diffusionReading: readonly SmoothingReading[];
  /** Third-order terms (dispersion: scale-dependent propagation speed), `c_α = W_α/α!`; in 1-D one term, `W3/6`. */
  readonly dispersion: readonly GeneratorTerm[];
  /** Fourth-order terms (hyper-diffusion), `c_α = W_α/α!`; in 1-D one term, `W4/24`. */
  readonly hyperDiffusion: readonly GeneratorTerm[];
  /** Hyper-diffusion's sign reading per site: `smoothing` when the quartic form is negative in every direction. Empty below order 4. */
  readonly hyperDiffusionReading: readonly SmoothingReading[];
  /**
   * Per site, the largest frozen-coefficient amplification of one explicit
   * relaxation step linearized at 0, `max_k |1 − ω + ω f'(0) Ŵ_q(k)|` with
   * `Ŵ_q(k) = Σ_j W_qj e^{i k·(x_j − x_q)}`; > 1 means the local scheme
   * amplifies some wavelength. Present when the rows of W were available.
   */
  readonly amplification?: readonly number[];
  /** Spectral radius of the whole linearized step `(1 − ω) I + ω f'(0) W` (> 1: the layer's dynamics grow). Present for small fields with W available. */
  readonly spectralRadius?: number;
  /** True when no site amplifies (`amplification ≤ 1`) and the spectral radius is ≤ 1 (each checked when known, with 1e-6 slack). */
  readonly stable?: boolean;
}

/** What {@link layerPhysics} may use beyond the moments. */
export interface LayerPhysicsOptions {
  /** `[out, in]` pair whose moments to read; default the channel-blind entries. */
  readonly channels?: readonly [number, number];
  /** Relaxation ω of the step (default 1: the plain layer update). */
  readonly omega?: number;
  /** The activation's slope at 0, `f'(0)` (default 1). */
  readonly slope?: number;
  /** The dense W (row-major, one real channel), for the amplification and spectral radius. */
  readonly matrix?: ArrayLike<number>;
  /** The field of `matrix` (required with it). */
  readonly geometry?: MatrixGeometry;
  /** Offsets for the frozen-coefficient symbol (default `open`). */
  readonly convention?: MomentConvention;
  /** Largest W (rows) whose spectral radius is computed (default 512). */
  readonly maxSpectralSize?: number;
}

const TOL = 1e-12;

function factorial(n: number): number {
  let f = 1;
  for (let k = 2; k <= n; k++) f *= k;
  return f;
}

function alphaFactorial(alpha: MultiIndex): number {
  return alpha.reduce((p, k) => p * factorial(k), 1);
}

function sameAlpha(a: MultiIndex, b: readonly number[]): boolean {
  return a.length === b.length && a.every((k, i) => k === b[i]);
}

/** Sample unit directions: 64 angles in 2-D, 146 points of a Fibonacci sphere in 3-D, ±1 in 1-D. */
function directions(dims: number): number[][] {
  if (dims === 1) return [[1]];
  if (dims === 2) return Array.from({ length: 64 }, (_, k) => [Math.cos((Math.PI * k) / 64), Math.sin((Math.PI * k) / 64)]);
  const n = 146;
  return Array.from({ length: n }, (_, k) => {
    const z = 1 - (2 * (k + 0.5)) / n;
    const r = Math.sqrt(1 - z * z);
    const phi = k * Math.PI * (3 - Math.sqrt(5));
    return [r * Math.cos(phi), r * Math.sin(phi), z].slice(0, dims);
  });
}

function readSign(values: readonly number[], scaleSign: 1 | -1): SmoothingReading {
  if (!values.every(Number.isFinite)) return 'undetermined';
  const scale = Math.max(...values.map(Math.abs), 0);
  if (scale <= TOL) return 'neutral';
  const eps = scale * 1e-9;
  const pos = values.every((v) => scaleSign * v > eps);
  const neg = values.every((v) => scaleSign * v < -eps);
  return pos ? 'smoothing' : neg ? 'anti-smoothing' : 'mixed';
}

/** Eigenvalues (ascending) of a small symmetric matrix. */
function symmetricEigenvalues(m: number[][]): number[] {
  if (!m.every((row) => row.every(Number.isFinite))) return m.map(() => NaN);
  if (m.length === 1) return [m[0]![0]!];
  return new EigenvalueDecomposition(new Matrix(m), { assumeSymmetric: true }).realEigenvalues.slice().sort((a, b) => a - b);
}

/**
 * Read one layer's kernel moments as physics (theory §2, §6): amplitude and
 * reaction from W0, the advection vector from the first moments, the
 * diffusion tensor from the second (with its eigenvalues and sign reading),
 * dispersion from the third and hyper-diffusion from the fourth, as the
 * coefficients `c_α = W_α/α!` of `Z ≈ Σ_α c_α ∂^α z`. With the dense W it
 * also checks the explicit step's stability (frozen-coefficient
 * amplification per site, spectral radius of the whole step).
 *
 * @example
 * ```ts
 * const p = layerPhysics(model.kernel.moments!(0, 4), { omega: model.omega });
 * p.diffusion[0][0]; // D(q); p.diffusionReading[site] === 'smoothing' where D > 0
 * ```
 */
export function layerPhysics(moments: KernelMoments, options: LayerPhysicsOptions = {}): LayerPhysics {
  const { dims, order } = moments;
  const ch = options.channels;
  const w0 = moments.moments.find((e) => e.alpha.every((k) => k === 0) && (ch ? e.channels?.[0] === ch[0] && e.channels?.[1] === ch[1] : e.channels === undefined))?.values;
  if (!w0) throw new RangeError(`layerPhysics: no W0 moment${ch ? ` for channels [${ch.join(', ')}]` : ''}`);
  const sites = w0.length;
  const entries = moments.moments.filter((e) => (ch ? e.channels?.[0] === ch[0] && e.channels?.[1] === ch[1] : e.channels === undefined));
  const get = (alpha: readonly number[]): readonly number[] | undefined => entries.find((e) => sameAlpha(e.alpha, alpha))?.values;
  // a moment the kernel did not report (or reported as diverging) reads as NaN, never as 0
  const getOrNaN = (alpha: readonly number[]): number[] => [...(get(alpha) ?? new Array<number>(sites).fill(NaN))];
  const unit = (axes: readonly number[]): number[] => {
    const a = new Array<number>(dims).fill(0);
    for (const x of axes) a[x]! += 1;
    return a;
  };
  const axes = Array.from({ length: dims }, (_, a) => a);
  const advection = order >= 1 ? axes.map((a) => getOrNaN(unit([a]))) : [];
  const diffusion = order >= 2 ? axes.map((a) => axes.map((b) => getOrNaN(unit([a, b])).map((v) => v / 2))) : [];
  const eig: number[][] = order >= 2 ? axes.map(() => new Array<number>(sites)) : [];
  const diffusionReading: SmoothingReading[] = [];
  if (order >= 2) {
    for (let s = 0; s < sites; s++) {
      const ev = symmetricEigenvalues(axes.map((a) => axes.map((b) => diffusion[a]![b]![s]!)));
      ev.forEach((v, k) => (eig[k]![s] = v));
      diffusionReading.push(readSign(ev, 1));
    }
  }
  const terms = (k: number): GeneratorTerm[] =>
    entries.filter((e) => e.alpha.reduce((a, b) => a + b, 0) === k).map((e) => ({ alpha: e.alpha, label: e.label, coefficient: e.values.map((v) => v / alphaFactorial(e.alpha)) }));
  const dispersion = order >= 3 ? terms(3) : [];
  const hyperDiffusion = order >= 4 ? terms(4) : [];
  const hyperDiffusionReading: SmoothingReading[] = [];
  if (order >= 4) {
    const dirs = directions(dims);
    for (let s = 0; s < sites; s++) {
      const form = dirs.map((d) => hyperDiffusion.reduce((acc, t) => acc + t.coefficient[s]! * t.alpha.reduce((p, k, a) => p * d[a]! ** k, 1), 0));
      hyperDiffusionReading.push(readSign(form, -1));
    }
  }
  const out: LayerPhysics = {
    dims,
    sites,
    order,
    ...(ch ? { channels: [ch[0], ch[1]] as const } : {}),
    amplitude: [...w0],
    reaction: w0.map((v) => v - 1),
    advection,
    diffusion,
    diffusionEigenvalues: eig,
    diffusionReading,
    dispersion,
    hyperDiffusion,
    hyperDiffusionReading,
  };
  if (!options.matrix || !options.geometry || options.geometry.realChannels !== 1) return out;
  const omega = options.omega ?? 1;
  const slope = options.slope ?? 1;
  const amplification = frozenAmplification(options.matrix, options.geometry, omega * slope, 1 - omega, options.convention ?? 'open');
  const n = options.geometry.sites;
  let spectralRadius: number | undefined;
  if (n <= (options.maxSpectralSize ?? 512)) {
    const step = Matrix.zeros(n, n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) step.set(i, j, omega * slope * options.matrix[i * n + j]! + (i === j ? 1 - omega : 0));
    const e = new EigenvalueDecomposition(step);
    spectralRadius = Math.max(...e.realEigenvalues.map((re, k) => Math.hypot(re, e.imaginaryEigenvalues[k]!)));
  }
  const stable = amplification.every((g) => g <= 1 + 1e-6) && (spectralRadius === undefined || spectralRadius <= 1 + 1e-6);
  return { ...out, amplification, ...(spectralRadius === undefined ? {} : { spectralRadius }), stable };
}

/** Number of wave numbers sampled per axis in the frozen-coefficient symbol. */
const WAVES = [0, 64, 24, 10] as const;

/** Wave vectors sampling a half of `[−π, π]^d` (enough for a real W: `|Ŵ(−k)| = |Ŵ(k)|`). */
function waveNumbers(dims: number): number[][] {
  const m = WAVES[Math.min(dims, 3)] ?? 8;
  const ks: number[][] = [];
  const rec = (prefix: number[]): void => {
    if (prefix.length === dims) {
      ks.push(prefix);
      return;
    }
    for (let t = 0; t <= m; t++) rec([...prefix, (Math.PI * t) / m]);
  };
  rec([]);
  const more: number[][] = [];
  for (const k of ks) for (let mask = 1; mask < 1 << (dims - 1); mask++) more.push(k.map((v, a) => (a > 0 && mask & (1 << (a - 1)) ? -v : v)));
  return [...ks, ...more];
}

/** One tap of a stencil: weight `w` at offset `r` (one entry per axis). */
export interface StencilTap {
  /** The weight. */
  readonly w: number;
  /** The offset from the receiving site, per axis. */
  readonly r: readonly number[];
}

/**
 * `max_k |shift + scale Σ_taps w e^{i k·r}|` over wave vectors `k ∈ [−π, π]^d`:
 * the largest amplification of the explicit step `(1 − ω) z + ω f'(0) W z`
 * (`shift = 1 − ω`, `scale = ω f'(0)`) for a stencil frozen at one site.
 *
 * @example
 * ```ts
 * // the 1-D heat step [r, 1 − 2r, r] is stable for r ≤ 1/2:
 * stencilAmplification([{ w: 0.4, r: [-1] }, { w: 0.2, r: [0] }, { w: 0.4, r: [1] }], 1); // 1 (k = 0), never above
 * ```
 */
export function stencilAmplification(taps: readonly StencilTap[], dims: number, scale = 1, shift = 0): number {
  let best = 0;
  for (const k of waveNumbers(dims)) {
    let re = 0;
    let im = 0;
    for (const { w, r } of taps) {
      let phase = 0;
      for (let a = 0; a < r.length; a++) phase += k[a]! * r[a]!;
      re += w * Math.cos(phase);
      im += w * Math.sin(phase);
    }
    best = Math.max(best, Math.hypot(shift + scale * re, scale * im));
  }
  return best;
}

/** The frozen-coefficient amplification ({@link stencilAmplification}) of every row of W. */
function frozenAmplification(matrix: ArrayLike<number>, g: MatrixGeometry, scale: number, shift: number, convention: MomentConvention): number[] {
  const n = g.sites;
  const coords = siteCoordinates(g);
  const out: number[] = [];
  for (let s = 0; s < n; s++) {
    const taps: StencilTap[] = [];
    for (let t = 0; t < n; t++) {
      const w = matrix[s * n + t]!;
      if (w !== 0) taps.push({ w, r: coords[t]!.map((x, a) => (g.points ? x - coords[s]![a]! : axisOffset(coords[s]![a]!, x, g.shape[a]!, convention))) });
    }
    out.push(stencilAmplification(taps, g.dims, scale, shift));
  }
  return out;
}
