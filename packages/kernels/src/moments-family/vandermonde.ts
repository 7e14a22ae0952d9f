import { momentLabel, monomial, multiIndices, type MultiIndex } from '@npde/core';
import type { GridOffset } from '../stencil/index.js';

/**
 * The exact, invertible map between the taps of a stencil footprint and its
 * moments (theory §2, eq. 17): `M_α = Σ_k o_k^α t_k`, a square Vandermonde
 * system `M = V t` over the footprint's own multi-indices.
 */
export interface MomentMap {
  /** Tap offsets, in tap order. */
  readonly offsets: readonly GridOffset[];
  /** The multi-indices paired with the footprint, in `multiIndices` order (graded). */
  readonly alphas: readonly MultiIndex[];
  /** `momentLabel` of each α (`W0, W1, …` in 1-D; `M, Mx, My, Mxx, …` otherwise). */
  readonly labels: readonly string[];
  /** V, row-major `[α][k]`: `V[i * K + k] = o_k^{α_i}`. */
  readonly toMoments: Float64Array;
  /** V⁻¹, row-major `[k][α]`: taps from moments. */
  readonly toTaps: Float64Array;
}

/** Exponent paired with a per-axis offset: 0 → 0, 1 → 1, −1 → 2, 2 → 3, −2 → 4, … */
function exponentOf(o: number): number {
  return o === 0 ? 0 : o > 0 ? 2 * o - 1 : -2 * o;
}

/** Gauss–Jordan inverse with partial pivoting, float64; throws on a singular matrix. */
function invert(a: Float64Array, n: number): Float64Array {
  const m = Float64Array.from(a);
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r * n + col]!) > Math.abs(m[pivot * n + col]!)) pivot = r;
    if (Math.abs(m[pivot * n + col]!) < 1e-12) throw new RangeError('momentMap: the Vandermonde matrix of this footprint is singular');
    for (const t of [m, inv]) {
      for (let c = 0; c < n; c++) {
        const x = t[col * n + c]!;
        t[col * n + c] = t[pivot * n + c]!;
        t[pivot * n + c] = x;
      }
    }
    const p = m[col * n + col]!;
    for (let c = 0; c < n; c++) {
      m[col * n + c]! /= p;
      inv[col * n + c]! /= p;
    }
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = m[r * n + col]!;
      if (f === 0) continue;
      for (let c = 0; c < n; c++) {
        m[r * n + c]! -= f * m[col * n + c]!;
        inv[r * n + c]! -= f * inv[col * n + c]!;
      }
    }
  }
  return inv;
}

/**
 * The {@link MomentMap} of a footprint: each offset o is paired with the
 * multi-index whose exponent along axis a is 0, 1, 2, 3, 4, … for
 * `o_a = 0, 1, −1, 2, −2, …`. For a box footprint `[−r, r]^d` this is every
 * α with `α_a ≤ 2r` (V is a Kronecker product of 1-D Vandermonde matrices);
 * for a cross it is `α = k·e_a`, k ≤ 2r, plus α = 0. Both make V square and
 * invertible, so taps and moments carry the same information: in 1-D with
 * radius 1 the moments are W0, W1, W2 (amplitude, advection, diffusion); on
 * the 2-D 5-point cross M, Mx, My, Mxx, Myy; on the 9-point box also Mxy,
 * Mxxy, Mxyy, Mxxyy.
 *
 * @param offsets - A footprint's offsets (e.g. `footprint(2, 1, 'cross')`).
 * @throws RangeError when two offsets pair with the same α or V is singular.
 *
 * @example
 * ```ts
 * const map = momentMap(footprint(1, 1)); // labels ['W0', 'W1', 'W2']
 * momentsToTaps(map, [1, 0, 0.2]); // [0.1, 0.8, 0.1]: diffusion 0.1 in grid units
 * ```
 */
export function momentMap(offsets: readonly GridOffset[]): MomentMap {
  const K = offsets.length;
  const dims = offsets[0]?.length ?? 1;
  const paired = offsets.map((o) => o.map(exponentOf));
  const keys = new Set(paired.map((a) => a.join()));
  if (keys.size !== K) throw new RangeError('momentMap: two offsets pair with the same multi-index');
  const maxOrder = Math.max(...paired.map((a) => a.reduce((s, x) => s + x, 0)));
  const alphas = multiIndices(dims, maxOrder).filter((a) => keys.has(a.join()));
  const toMoments = new Float64Array(K * K);
  alphas.forEach((alpha, i) => offsets.forEach((o, k) => (toMoments[i * K + k] = monomial(o, alpha))));
  return { offsets, alphas, labels: alphas.map(momentLabel), toMoments, toTaps: invert(toMoments, K) };
}

/**
 * Moments `M_α = Σ_k o_k^α t_k` of taps on the map's footprint, float64, in the map's α order.
 *
 * @example
 * ```ts
 * tapsToMoments(momentMap(footprint(1, 1)), [0.1, 0.8, 0.1]); // [1, 0, 0.2]
 * ```
 */
export function tapsToMoments(map: MomentMap, taps: ArrayLike<number>): number[] {
  const K = map.offsets.length;
  if (taps.length !== K) throw new RangeError(`tapsToMoments: ${taps.length} taps for a footprint of ${K}`);
  return map.alphas.map((_, i) => {
    let s = 0;
    for (let k = 0; k < K; k++) s += map.toMoments[i * K + k]! * taps[k]!;
    return s;
  });
}

/**
 * Taps `t = V⁻¹ M` with the given moments, float64, in tap order: the one
 * stencil on the footprint whose moments (in the map's α order) are these.
 *
 * @example
 * ```ts
 * momentsToTaps(momentMap(footprint(2, 1, 'cross')), [1, 0, 0, 0.5, 0.5]); // the 5-point Laplacian, r = 0.25
 * ```
 */
export function momentsToTaps(map: MomentMap, moments: ArrayLike<number>): number[] {
  const K = map.offsets.length;
  if (moments.length !== K) throw new RangeError(`momentsToTaps: ${moments.length} moments for a footprint of ${K}`);
  return map.offsets.map((_, k) => {
    let s = 0;
    for (let i = 0; i < K; i++) s += map.toTaps[k * K + i]! * moments[i]!;
    return s;
  });
}
