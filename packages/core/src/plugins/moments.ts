/**
 * Multi-index moments of a kernel (theory §2): for a d-dimensional stencil,
 * `W_α(i) = Σ_j (x_j − x_i)^α W_ij` with `(x)^α = Π_a x_a^{α_a}`, in grid
 * units, for every multi-index `|α| = Σ_a α_a ≤ p`. In 1-D these are the
 * note's `W_k`; in 2-D `M00, Mx, My, Mxx, Mxy, Myy, …`.
 *
 * @module
 */

/** A multi-index α: one non-negative exponent per spatial axis (axis 0 first). */
export type MultiIndex = readonly number[];

/** The moment `W_α` of one kernel at every site, for one channel pair. */
export interface KernelMoment {
  /** The multi-index α (length = the field's dims). */
  readonly alpha: MultiIndex;
  /** Readable name: `W0`, `W1`, … in 1-D; `M00`-style `M`, `Mx`, `Myy`, … for more axes (see {@link momentLabel}). */
  readonly label: string;
  /** `values[site]`, sites in row-major order. */
  readonly values: readonly number[];
  /**
   * `[out, in]` channel pair for kernels that couple channels; absent when the
   * kernel acts the same on every channel (or the field has one).
   */
  readonly channels?: readonly [out: number, input: number];
}

/** Every moment of one layer's kernel up to an order. */
export interface KernelMoments {
  /** Spatial dimensions d of the field. */
  readonly dims: number;
  /** Number of sites. */
  readonly sites: number;
  /** Largest |α| included. */
  readonly order: number;
  /** One entry per multi-index (and channel pair), in {@link multiIndices} order. */
  readonly moments: readonly KernelMoment[];
}

/**
 * Every multi-index of `dims` axes with `|α| ≤ order`, graded (by |α|), then
 * lexicographic with axis 0 varying slowest: in 2-D
 * `[0,0] [1,0] [0,1] [2,0] [1,1] [0,2] …`.
 */
export function multiIndices(dims: number, order: number): MultiIndex[] {
  const out: MultiIndex[] = [];
  const rec = (prefix: number[], left: number, axes: number): void => {
    if (axes === 1) {
      out.push([...prefix, left]);
      return;
    }
    for (let k = left; k >= 0; k--) rec([...prefix, k], left - k, axes - 1);
  };
  for (let n = 0; n <= order; n++) {
    if (dims === 0) {
      if (n === 0) out.push([]);
      continue;
    }
    rec([], n, dims);
  }
  return out;
}

const AXIS_NAMES = ['x', 'y', 'z'];

/**
 * Readable name of a moment: `W<k>` in 1-D (the note's W_0, W_1, …), else `M`
 * followed by one axis letter per power (`M`, `Mx`, `Myy`, `Mxy`; axis 0 is `x`).
 */
export function momentLabel(alpha: MultiIndex): string {
  if (alpha.length === 1) return `W${alpha[0]}`;
  return 'M' + alpha.map((k, a) => (AXIS_NAMES[a] ?? `a${a}`).repeat(k)).join('');
}

/** The value of `(offset)^α = Π_a offset_a^{α_a}` (with 0⁰ = 1). */
export function monomial(offset: readonly number[], alpha: MultiIndex): number {
  let v = 1;
  for (let a = 0; a < alpha.length; a++) {
    const k = alpha[a]!;
    if (k > 0) v *= offset[a]! ** k;
  }
  return v;
}

/** Find one moment by its label (e.g. `W2`, `Mxy`), optionally for a channel pair. */
export function findMoment(m: KernelMoments, label: string, channels?: readonly [number, number]): KernelMoment | undefined {
  return m.moments.find(
    (e) => e.label === label && (channels === undefined ? e.channels === undefined : e.channels?.[0] === channels[0] && e.channels?.[1] === channels[1]),
  );
}
