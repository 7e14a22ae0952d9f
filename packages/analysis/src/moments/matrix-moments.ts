import { momentLabel, monomial, multiIndices, type KernelMoment, type KernelMoments } from '@npde/core';

/**
 * How a coupling between two sites counts in a moment:
 *
 * - `open`: at its plain offset `x_j − x_i` (no boundary wrap; a coupling
 *   from site 0 to site N − 1 counts at N − 1);
 * - `periodic`: at its shortest offset on the ring, per axis
 *   `r ∈ (−N/2, N/2]` (the wrapped neighbor of an edge site counts at ±1).
 */
export type MomentConvention = 'open' | 'periodic';

/** The geometry a dense matrix's moments need: a grid (or scattered points) and real channels per site. A `FieldInfo` fits. */
export interface MatrixGeometry {
  /** Grid shape, sites row-major (for scattered points `[points.length]`). */
  readonly shape: readonly number[];
  /** Spatial dimensions d. */
  readonly dims: number;
  /** Number of sites. */
  readonly sites: number;
  /** Real values per site (states are site-major, channels last). */
  readonly realChannels: number;
  /** Coordinates of scattered sites; offsets are then coordinate differences (never wrapped). */
  readonly points?: readonly (readonly number[])[];
}

/** The offset `t − s` along one axis of extent `n` under a convention: plain, or the shortest one on the ring, in `(−n/2, n/2]`. */
export function axisOffset(s: number, t: number, n: number, convention: MomentConvention): number {
  const r = t - s;
  if (convention === 'open') return r;
  let w = ((r % n) + n) % n;
  if (w > n / 2) w -= n;
  return w;
}

/** Grid index of every site along every axis (row-major), or the given coordinates for scattered points. */
export function siteCoordinates(g: MatrixGeometry): number[][] {
  if (g.points) return g.points.map((p) => [...p]);
  const coords: number[][] = [];
  for (let s = 0; s < g.sites; s++) {
    const c = new Array<number>(g.dims);
    let rest = s;
    for (let a = g.dims - 1; a >= 0; a--) {
      c[a] = rest % g.shape[a]!;
      rest = Math.floor(rest / g.shape[a]!);
    }
    coords.push(c);
  }
  return coords;
}

/**
 * Multi-index moments of a dense kernel matrix (theory §2, eq. 17):
 *
 *     W_α(s) = Σ_t (x_t − x_s)^α W_st,    |α| ≤ order
 *
 * with per-axis offsets taken under `convention` (periodic offsets wrap per
 * grid axis; scattered points never wrap). Labels and order follow core's
 * {@link multiIndices} and {@link momentLabel} (`W0, W1, …` in 1-D; `M, Mx,
 * My, Mxx, Mxy, Myy, …` in 2-D). With C > 1 real channels each multi-index
 * gets a channel-blind entry first (receiving channels averaged, input
 * channels summed) and then one entry per `[out, in]` pair, as the kernels'
 * own `moments()` do. Accumulated in float64.
 *
 * @param matrix - Row-major `size × size` entries, `size = sites × realChannels`, `matrix[i * size + j] = W_ij`.
 * @param geometry - The field (a `FieldInfo` fits).
 * @param order - Largest |α|.
 * @param convention - `open` (default) or `periodic`.
 * @param maxOffset - Count only couplings with `|x_t − x_s| ≤ maxOffset` along every axis (default all):
 *   a window that keeps the noise of far, small entries of a learned dense W out of the higher moments
 *   (each entry enters `W_k` weighted by `r^k`).
 *
 * @example
 * ```ts
 * // a periodic 3-point stencil [a, c, b] on 8 sites: W1 = b − a at every site, also at the edges
 * const m = matrixMoments(w, { shape: [8], dims: 1, sites: 8, realChannels: 1 }, 2, 'periodic');
 * ```
 */
export function matrixMoments(
  matrix: ArrayLike<number>,
  geometry: MatrixGeometry,
  order: number,
  convention: MomentConvention = 'open',
  maxOffset = Infinity,
): KernelMoments {
  const { sites, realChannels: C, dims } = geometry;
  const size = sites * C;
  if (matrix.length !== size * size) throw new RangeError(`matrixMoments: expected ${size * size} entries for a ${size}×${size} matrix, got ${matrix.length}`);
  if (!Number.isInteger(order) || order < 0) throw new RangeError(`matrixMoments: order must be a non-negative integer, got ${order}`);
  const coords = siteCoordinates(geometry);
  const wrap = geometry.points ? 'open' : convention;
  const alphas = multiIndices(dims, order);
  const acc = Array.from({ length: C * C }, () => alphas.map(() => new Float64Array(sites)));
  const offset = new Array<number>(dims);
  const mono = new Float64Array(alphas.length);
  for (let s = 0; s < sites; s++) {
    const xs = coords[s]!;
    for (let t = 0; t < sites; t++) {
      const xt = coords[t]!;
      for (let a = 0; a < dims; a++) offset[a] = geometry.points ? xt[a]! - xs[a]! : axisOffset(xs[a]!, xt[a]!, geometry.shape[a]!, wrap);
      let far = false;
      for (let a = 0; a < dims; a++) if (Math.abs(offset[a]!) > maxOffset) far = true;
      if (far) continue;
      let computed = false;
      for (let o = 0; o < C; o++) {
        const rowBase = (s * C + o) * size + t * C;
        for (let c = 0; c < C; c++) {
          const w = matrix[rowBase + c]!;
          if (w === 0) continue;
          if (!computed) {
            for (let k = 0; k < alphas.length; k++) mono[k] = monomial(offset, alphas[k]!);
            computed = true;
          }
          const pair = acc[o * C + c]!;
          for (let k = 0; k < alphas.length; k++) pair[k]![s]! += w * mono[k]!;
        }
      }
    }
  }
  return assembleMoments(acc, alphas, C, dims, sites, order);
}

/** Turn per-pair accumulators `acc[out * C + in][alpha][site]` into {@link KernelMoments} (channel-blind entry first when C > 1). */
export function assembleMoments(
  acc: readonly (readonly Float64Array[])[],
  alphas: readonly (readonly number[])[],
  C: number,
  dims: number,
  sites: number,
  order: number,
  pairs?: readonly (readonly [number, number])[],
): KernelMoments {
  const moments: KernelMoment[] = [];
  alphas.forEach((alpha, k) => {
    const label = momentLabel(alpha);
    if (!pairs && C === 1) {
      moments.push({ alpha, label, values: Array.from(acc[0]![k]!) });
      return;
    }
    if (!pairs) {
      const blind = new Array<number>(sites).fill(0);
      for (const pair of acc) for (let s = 0; s < sites; s++) blind[s]! += pair[k]![s]! / C;
      moments.push({ alpha, label, values: blind });
    }
    const list = pairs ?? Array.from({ length: C * C }, (_, p) => [Math.floor(p / C), p % C] as const);
    list.forEach((ch, p) => moments.push({ alpha, label, values: Array.from(acc[pairs ? p : ch[0] * C + ch[1]]![k]!), channels: [ch[0], ch[1]] }));
  });
  return { dims, sites, order, moments };
}
