import { momentLabel, monomial, multiIndices, type KernelMoment, type KernelMoments, type MultiIndex } from '@npde/core';
import type { TapChannels, TapStencil } from './apply.js';
import type { GridOffset } from './footprint.js';
import { gridSites, neighbourSite, siteToIndex, type GridLayout } from './grid.js';

/**
 * One moment of a homogeneous tap set: `W_α = Σ_k offset_k^α w_k`.
 *
 * @example
 * ```ts
 * const m: OffsetMoment = { alpha: [2], label: 'W2', value: 0.4 };
 * ```
 */
export interface OffsetMoment {
  /** The multi-index α. */
  readonly alpha: MultiIndex;
  /** `W<k>` in 1-D, `M…` otherwise ({@link momentLabel}). */
  readonly label: string;
  /** The moment's value. */
  readonly value: number;
}

/**
 * The exact multi-index moments of a tap set on an unbounded grid (theory §2,
 * eq. 17): `W_α = Σ_k offset_k^α · w_k` for every `|α| ≤ maxOrder`, in
 * `multiIndices` order, accumulated in float64. These are the transport
 * coefficients of a homogeneous kernel away from any boundary.
 *
 * @param offsets - Tap offsets (all of one length d).
 * @param weights - One weight per offset.
 * @param maxOrder - Largest |α|.
 * @throws RangeError when the lengths differ or the order is bad.
 *
 * @example
 * ```ts
 * offsetMoments([[-1], [0], [1]], [0.1, 0.6, 0.3], 2).map((m) => m.value); // [1, 0.2, 0.4]
 * ```
 */
export function offsetMoments(offsets: readonly GridOffset[], weights: ArrayLike<number>, maxOrder: number): OffsetMoment[] {
  if (offsets.length !== weights.length) throw new RangeError(`offsetMoments: ${offsets.length} offsets but ${weights.length} weights`);
  if (!Number.isInteger(maxOrder) || maxOrder < 0) throw new RangeError(`offsetMoments: maxOrder must be a non-negative integer, got ${maxOrder}`);
  const dims = offsets[0]?.length ?? 1;
  return multiIndices(dims, maxOrder).map((alpha) => {
    let value = 0;
    offsets.forEach((o, k) => (value += monomial(o, alpha) * weights[k]!));
    return { alpha, label: momentLabel(alpha), value };
  });
}

/**
 * Multi-index moments of a tap set on a grid, per site (theory §2), as
 * `KernelMoments`: `W_α(s) = Σ_k d_k(s)^α · T_k(s)` over the taps that land
 * on the grid, with the displacement `d_k(s)`:
 * - `zero`: taps that read outside are left out (they only multiply the
 *   padding), so the moments equal those of the dense W at every site;
 * - `periodic`: `d_k = offset_k`, the distance on the ring (not the wrapped
 *   index difference a dense-matrix moment would count); W_0 still equals the
 *   dense row sums;
 * - `reflecting`: `d_k` is the displacement of the mirrored site actually
 *   read, as in the dense W.
 *
 * Channels as in core's `KernelMoment`: with one real channel, one entry per
 * α; with C > 1 and `shared` taps, one channel-blind entry per α (the common
 * stencil); with `depthwise` or `mixing` taps, per α a channel-blind entry
 * `(1/C) Σ_{o,c} W_α^{(o,c)}` followed by the C² entries `[out, in]`
 * (as `kernelMomentsFromDense` reports them). Float64.
 *
 * @param grid - The field's grid.
 * @param stencil - Offsets, boundary, channel treatment.
 * @param taps - Tap values, row-major in the layout of `tapShape(grid, stencil, perSite)`.
 * @param perSite - Whether `taps` has a leading sites axis.
 * @param maxOrder - Largest |α|.
 *
 * @example
 * ```ts
 * const m = tapKernelMoments({ shape: [16, 16], channels: 1 }, { offsets: footprint(2, 1, 'cross'), boundary: 'periodic' }, [0.1, 0.1, 0.6, 0.1, 0.1], false, 2);
 * findMoment(m, 'Mxx')!.values[0]; // 0.2
 * ```
 */
export function tapKernelMoments(grid: GridLayout, stencil: TapStencil, taps: ArrayLike<number>, perSite: boolean, maxOrder: number): KernelMoments {
  if (!Number.isInteger(maxOrder) || maxOrder < 0) throw new RangeError(`tapKernelMoments: maxOrder must be a non-negative integer, got ${maxOrder}`);
  const { shape } = grid;
  const dims = shape.length;
  const S = gridSites(grid);
  const C = grid.channels;
  const K = stencil.offsets.length;
  const mode: TapChannels = stencil.channels ?? 'shared';
  const per = mode === 'shared' ? 1 : mode === 'depthwise' ? C : C * C;
  if (taps.length !== (perSite ? S : 1) * K * per) {
    throw new RangeError(`tapKernelMoments: ${taps.length} tap values, expected ${(perSite ? S : 1) * K * per}`);
  }
  const alphas = multiIndices(dims, maxOrder);
  const A = alphas.length;
  const pairs = mode === 'shared' ? 1 : C * C;
  // acc[(a · pairs + p) · S + s]
  const acc = new Float64Array(A * pairs * S);
  const mono = new Float64Array(A);
  for (let s = 0; s < S; s++) {
    const at = siteToIndex(s, shape);
    for (let k = 0; k < K; k++) {
      const o = stencil.offsets[k]!;
      const j = neighbourSite(shape, s, o, stencil.boundary);
      if (j < 0) continue;
      let d: readonly number[] = o;
      if (stencil.boundary === 'reflecting') {
        const to = siteToIndex(j, shape);
        d = to.map((x, a) => x - at[a]!);
      }
      for (let a = 0; a < A; a++) mono[a] = monomial(d, alphas[a]!);
      const base = ((perSite ? s * K : 0) + k) * per;
      for (let p = 0; p < pairs; p++) {
        let w: number;
        if (mode === 'shared') w = taps[base]!;
        else if (mode === 'mixing') w = taps[base + p]!;
        else w = Math.floor(p / C) === p % C ? taps[base + (p % C)]! : 0;
        if (w === 0) continue;
        for (let a = 0; a < A; a++) acc[(a * pairs + p) * S + s] += mono[a]! * w;
      }
    }
  }
  const moments: KernelMoment[] = [];
  alphas.forEach((alpha, a) => {
    const label = momentLabel(alpha);
    const row = (p: number): number[] => Array.from(acc.subarray((a * pairs + p) * S, (a * pairs + p + 1) * S));
    if (pairs === 1) {
      moments.push({ alpha, label, values: row(0) });
      return;
    }
    const blind = new Array<number>(S).fill(0);
    for (let p = 0; p < pairs; p++) for (let s = 0; s < S; s++) blind[s]! += acc[(a * pairs + p) * S + s]! / C;
    moments.push({ alpha, label, values: blind });
    if (C === 1) return;
    for (let p = 0; p < pairs; p++) moments.push({ alpha, label, values: row(p), channels: [Math.floor(p / C), p % C] });
  });
  return { dims, sites: S, order: maxOrder, moments };
}
