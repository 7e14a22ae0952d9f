import { ErrorCodes, TooLargeError } from '@npde/core';
import type { TapChannels, TapStencil } from './apply.js';
import { gridSites, neighbourSite, type GridLayout } from './grid.js';

/**
 * Most entries {@link tapsToDense} materializes (2²⁶ float32 = 256 MiB: 8192 values per sample).
 *
 * @example
 * ```ts
 * const fits = size * size <= MAX_DENSE_ENTRIES;
 * ```
 */
export const MAX_DENSE_ENTRIES = 2 ** 26;

/**
 * The dense `[size, size]` matrix of a tap set on a grid (row-major,
 * `size = sites · C`, index = site · C + channel), so that `W z` of
 * `applyTaps` is `Σ_j W_ij z_j`. Taps that read outside a `zero` boundary are
 * dropped; taps that land on the same site (a periodic or reflecting grid
 * smaller than the footprint) add up.
 *
 * @param grid - The field's grid.
 * @param stencil - Offsets, boundary, channel treatment.
 * @param taps - Tap values, row-major in the layout of `tapShape(grid, stencil, perSite)`.
 * @param perSite - Whether `taps` has a leading sites axis.
 * @param plugin - Id of the calling kernel family, for the error.
 * @throws TooLargeError `TOO_LARGE` (path `field.shape`) past {@link MAX_DENSE_ENTRIES} entries.
 *
 * @example
 * ```ts
 * tapsToDense({ shape: [3], channels: 1 }, { offsets: [[-1], [0], [1]], boundary: 'zero' }, [1, 2, 3], false, 'x/y');
 * // [2, 3, 0,  1, 2, 3,  0, 1, 2]
 * ```
 */
export function tapsToDense(grid: GridLayout, stencil: TapStencil, taps: ArrayLike<number>, perSite: boolean, plugin: string): Float32Array {
  const S = gridSites(grid);
  const C = grid.channels;
  const n = S * C;
  if (n * n > MAX_DENSE_ENTRIES) {
    throw new TooLargeError(ErrorCodes.TOO_LARGE, `${plugin}: dense() would materialize a ${n}×${n} matrix`, {
      path: 'field.shape',
      expected: `at most ${MAX_DENSE_ENTRIES} entries (size ≤ ${Math.floor(Math.sqrt(MAX_DENSE_ENTRIES))})`,
      received: `${n * n} entries (size ${n})`,
      hint: 'Read the kernel through moments() or stencil(), which stay O(size), instead of the dense matrix.',
      plugin,
      hook: 'dense',
    });
  }
  const K = stencil.offsets.length;
  const mode: TapChannels = stencil.channels ?? 'shared';
  const per = mode === 'shared' ? 1 : mode === 'depthwise' ? C : C * C;
  const acc = new Float64Array(n * n);
  for (let s = 0; s < S; s++) {
    for (let k = 0; k < K; k++) {
      const j = neighbourSite(grid.shape, s, stencil.offsets[k]!, stencil.boundary);
      if (j < 0) continue;
      const base = ((perSite ? s * K : 0) + k) * per;
      for (let o = 0; o < C; o++) {
        if (mode === 'mixing') {
          for (let c = 0; c < C; c++) acc[(s * C + o) * n + j * C + c] += taps[base + o * C + c]!;
        } else {
          acc[(s * C + o) * n + j * C + o] += taps[base + (mode === 'depthwise' ? o : 0)]!;
        }
      }
    }
  }
  return Float32Array.from(acc);
}
