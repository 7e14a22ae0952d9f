/**
 * Discrete moments of a dense kernel matrix (theory §2, eq. 17):
 *
 *     W_k(i) = Σ_j (s(j) − s(i))^k W_ij,   k = 0..maxOrder
 *
 * where `s(i) = floor(i / realChannels)` is the site of state component `i`
 * (states are site-major, channels last). The offsets are therefore
 * **flat site-index offsets**:
 *
 * - 1-D grid, one real channel: `s(j) − s(i) = j − i`, the grid offset in
 *   units of the grid spacing: the moments of theory §2.
 * - several channels: row `i` is one channel of one site; every channel of a
 *   neighboring site counts at that site's offset, so cross-channel coupling
 *   is included in the moments of the receiving channel.
 * - 2-D and 3-D grids: offsets in the row-major flat site index, so a step
 *   along a non-last axis counts as the product of the later extents. These
 *   numbers are well defined but mix the axes; they are not per-axis
 *   transport coefficients.
 * - scattered points: offsets in the order the points were given; there is
 *   no geometry behind them.
 *
 * No boundary wrap is applied: an entry coupling site 0 to site N − 1 has
 * offset N − 1 (a periodic stencil's wrapped neighbor therefore shows up as a
 * large offset at the edge sites).
 *
 * Accumulated in float64.
 *
 * @param matrix - The `size × size` matrix, row-major (`matrix[i * size + j] = W_ij`).
 * @param size - Number of rows (and columns).
 * @param maxOrder - Highest order k.
 * @param realChannels - Real values per site (default 1).
 * @returns `result[k][i]` for `k = 0..maxOrder`, `i = 0..size − 1`.
 *
 * @example
 * ```ts
 * // 3-point stencil [a, c, b] on 3 sites, zero boundary:
 * momentsFromDense([c, b, 0, a, c, b, 0, a, c], 3, 2); // row 1: [a + b + c, b − a, a + b]
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
  const out = Array.from({ length: maxOrder + 1 }, () => new Array<number>(size).fill(0));
  for (let i = 0; i < size; i++) {
    const si = Math.floor(i / realChannels);
    for (let j = 0; j < size; j++) {
      const w = matrix[i * size + j]!;
      if (w === 0) continue;
      const r = Math.floor(j / realChannels) - si;
      let term = w;
      for (let k = 0; k <= maxOrder; k++) {
        out[k]![i]! += term;
        term *= r;
      }
    }
  }
  return out;
}
