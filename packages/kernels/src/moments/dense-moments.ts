/**
 * Discrete moments of a dense kernel matrix, per site (theory §2, eq. 17):
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
