import { momentLabel, monomial, multiIndices, type KernelMoment, type KernelMoments } from '@npde/core';

/**
 * Discrete moments of a dense kernel matrix as plain numbers, per site and
 * along the flat site index (theory §2, eq. 17). Kernels report
 * {@link kernelMomentsFromDense} instead, which uses per-axis offsets. Here:
 *
 *     W_k(s) = (1/C) Σ_{i ∈ s} Σ_j (site(j) − s)^k W_ij,   k = 0..maxOrder
 *
 * where `C = realChannels`, `i ∈ s` runs over the C state components
 * (channels) of site `s`, and `site(j) = floor(j / C)` (states are site-major,
 * channels last). For one real channel this is exactly
 * `W_k(i) = Σ_j (j − i)^k W_ij`. The offsets are **flat site-index offsets**:
 *
 * - 1-D grid: `site(j) − s` is the grid offset in units of the grid spacing,
 *   the moments of theory §2.
 * - several channels: every channel of a neighboring site counts at that
 *   site's offset (cross-channel coupling included), and the moments of the
 *   site's C receiving channels are averaged, so C identical uncoupled
 *   channels give the moments of their common stencil. Use `dense()` for
 *   channel-resolved analysis.
 * - 2-D and 3-D grids: offsets in the row-major flat site index, so a step
 *   along a non-last axis counts as the product of the later extents. These
 *   numbers are well defined but mix the axes; they are not per-axis
 *   transport coefficients.
 * - scattered points: offsets in the order the points were given; there is
 *   no geometry behind them.
 *
 * No boundary wrap is applied: an entry coupling site 0 to site N − 1 has
 * offset N − 1 (so a periodic stencil's wrapped neighbor shows up as a large
 * offset at the edge sites).
 *
 * Accumulated in float64.
 *
 * @param matrix - The `size × size` matrix, row-major (`matrix[i * size + j] = W_ij`).
 * @param size - Number of rows (and columns): sites × realChannels.
 * @param maxOrder - Highest order k.
 * @param realChannels - Real values per site (default 1).
 * @returns `result[k][site]` for `k = 0..maxOrder`, `site = 0..size / realChannels − 1`.
 *
 * @example
 * ```ts
 * // 3-point stencil [a, c, b] on 3 sites, zero boundary:
 * momentsFromDense([c, b, 0, a, c, b, 0, a, c], 3, 2); // site 1: [a + b + c, b − a, a + b]
 * ```
 */
export function momentsFromDense(matrix: ArrayLike<number>, size: number, maxOrder: number, realChannels = 1): number[][] {
  if (matrix.length !== size * size) {
    throw new RangeError(`momentsFromDense: expected ${size * size} entries for a ${size}×${size} matrix, got ${matrix.length}`);
  }
  if (!Number.isInteger(maxOrder) || maxOrder < 0) {
    throw new RangeError(`momentsFromDense: maxOrder must be a non-negative integer, got ${maxOrder}`);
  }
  if (!Number.isInteger(realChannels) || realChannels < 1 || size % realChannels !== 0) {
    throw new RangeError(`momentsFromDense: realChannels must be a positive integer dividing ${size}, got ${realChannels}`);
  }
  const sites = size / realChannels;
  const out = Array.from({ length: maxOrder + 1 }, () => new Array<number>(sites).fill(0));
  for (let i = 0; i < size; i++) {
    const si = Math.floor(i / realChannels);
    for (let j = 0; j < size; j++) {
      const w = matrix[i * size + j]!;
      if (w === 0) continue;
      const r = Math.floor(j / realChannels) - si;
      let term = w / realChannels;
      for (let k = 0; k <= maxOrder; k++) {
        out[k]![si]! += term;
        term *= r;
      }
    }
  }
  return out;
}

/**
 * The geometry {@link kernelMomentsFromDense} needs: a grid `shape` (or
 * scattered `points`), the number of `sites` and of `realChannels`. A
 * `FieldInfo` fits.
 */
export interface MomentGeometry {
  /** Grid shape (sites row-major); for scattered points `[points.length]`. */
  readonly shape: readonly number[];
  /** Spatial dimensions d: the grid rank, or the points' coordinate count. */
  readonly dims: number;
  /** Number of sites. */
  readonly sites: number;
  /** Real values per site (states are site-major, channels last). */
  readonly realChannels: number;
  /** Site coordinates for scattered-point fields; offsets are then coordinate differences. */
  readonly points?: readonly (readonly number[])[];
}

/**
 * Position of every site, one array of `dims` coordinates per site: the grid
 * index along each axis (from the row-major site index) for a grid, the given
 * coordinates for scattered points.
 *
 * @param geometry - Shape or points of the field.
 * @returns `coords[site][axis]`.
 * @throws RangeError when the shape does not multiply to `sites`.
 *
 * @example
 * ```ts
 * siteCoordinates({ shape: [2, 3], dims: 2, sites: 6, realChannels: 1 })[4]; // [1, 1]
 * ```
 */
export function siteCoordinates(geometry: MomentGeometry): number[][] {
  const { shape, dims, sites, points } = geometry;
  if (points) {
    if (points.length !== sites) throw new RangeError(`siteCoordinates: ${points.length} points for ${sites} sites`);
    return points.map((p) => [...p]);
  }
  if (shape.length !== dims || shape.reduce((a, b) => a * b, 1) !== sites) {
    throw new RangeError(`siteCoordinates: shape [${shape.join(', ')}] does not describe ${sites} sites in ${dims} dimensions`);
  }
  const coords: number[][] = [];
  for (let s = 0; s < sites; s++) {
    const c = new Array<number>(dims);
    let rest = s;
    for (let a = dims - 1; a >= 0; a--) {
      c[a] = rest % shape[a]!;
      rest = Math.floor(rest / shape[a]!);
    }
    coords.push(c);
  }
  return coords;
}

/**
 * Multi-index moments of a dense kernel matrix (theory §2), as
 * {@link KernelMoments}: for every multi-index `|α| ≤ maxOrder`
 * ({@link multiIndices} order)
 *
 *     W_α(s) = Σ_t (x_t − x_s)^α W_st
 *
 * with `x` the site position: per-axis grid offsets computed from the
 * row-major site index (so a 2-D field gets `M`, `Mx`, `My`, `Mxx`, `Mxy`,
 * `Myy`, axis 0 = `x`), or coordinate differences for scattered points.
 * No boundary wrap: a coupling across a periodic edge counts at its full
 * offset.
 *
 * With one real channel there is one entry per multi-index. With C > 1 real
 * channels, each multi-index first gets a channel-blind entry (no `channels`):
 * `(1/C) Σ_{o,c} W_α^{(o,c)}`, the receiving channels averaged and every input
 * channel summed, so C identical uncoupled channels give their common stencil;
 * it is followed by one entry per channel pair `[out, in]`:
 * `W_α^{(o,c)}(s) = Σ_t (x_t − x_s)^α W_{(s,o),(t,c)}`.
 *
 * Accumulated in float64.
 *
 * @param matrix - The `size × size` matrix, row-major, `size = sites × realChannels`.
 * @param geometry - The field's geometry (a `FieldInfo` fits).
 * @param maxOrder - Largest |α|.
 * @returns The moments, `order = maxOrder`.
 * @throws RangeError for a matrix of the wrong length, a bad order or a shape that does not match `sites`.
 *
 * @example
 * ```ts
 * const m = kernelMomentsFromDense(w, { shape: [4, 4], dims: 2, sites: 16, realChannels: 1 }, 2);
 * findMoment(m, 'Mxy')!.values; // one value per site
 * ```
 */
export function kernelMomentsFromDense(matrix: ArrayLike<number>, geometry: MomentGeometry, maxOrder: number): KernelMoments {
  const { sites, realChannels: C, dims } = geometry;
  const size = sites * C;
  if (!Number.isInteger(C) || C < 1) throw new RangeError(`kernelMomentsFromDense: realChannels must be a positive integer, got ${C}`);
  if (matrix.length !== size * size) {
    throw new RangeError(`kernelMomentsFromDense: expected ${size * size} entries for a ${size}×${size} matrix, got ${matrix.length}`);
  }
  if (!Number.isInteger(maxOrder) || maxOrder < 0) {
    throw new RangeError(`kernelMomentsFromDense: maxOrder must be a non-negative integer, got ${maxOrder}`);
  }
  const coords = siteCoordinates(geometry);
  const alphas = multiIndices(dims, maxOrder);
  // acc[pair][alpha][site], pair = out * C + in
  const acc = Array.from({ length: C * C }, () => alphas.map(() => new Float64Array(sites)));
  const offset = new Array<number>(dims);
  for (let s = 0; s < sites; s++) {
    const xs = coords[s]!;
    for (let t = 0; t < sites; t++) {
      const xt = coords[t]!;
      for (let a = 0; a < dims; a++) offset[a] = xt[a]! - xs[a]!;
      const mono = alphas.map((alpha) => monomial(offset, alpha));
      for (let o = 0; o < C; o++) {
        const rowBase = (s * C + o) * size + t * C;
        for (let c = 0; c < C; c++) {
          const w = matrix[rowBase + c]!;
          if (w === 0) continue;
          const pair = acc[o * C + c]!;
          for (let k = 0; k < alphas.length; k++) pair[k]![s]! += w * mono[k]!;
        }
      }
    }
  }
  const moments: KernelMoment[] = [];
  alphas.forEach((alpha, k) => {
    const label = momentLabel(alpha);
    if (C === 1) {
      moments.push({ alpha, label, values: Array.from(acc[0]![k]!) });
      return;
    }
    const blind = new Array<number>(sites).fill(0);
    for (const pair of acc) for (let s = 0; s < sites; s++) blind[s]! += pair[k]![s]! / C;
    moments.push({ alpha, label, values: blind });
    for (let o = 0; o < C; o++) {
      for (let c = 0; c < C; c++) moments.push({ alpha, label, values: Array.from(acc[o * C + c]![k]!), channels: [o, c] });
    }
  });
  return { dims, sites, order: maxOrder, moments };
}
