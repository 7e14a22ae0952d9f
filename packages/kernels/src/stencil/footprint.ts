import type { StencilBoundary, StencilGeometry } from '@npde/core';
import { gridSites, type GridBoundary, type GridLayout } from './grid.js';

/**
 * A tap's offset from its site, one integer per grid axis (axis 0 first).
 *
 * @example
 * ```ts
 * const upLeft: GridOffset = [-1, -1];
 * ```
 */
export type GridOffset = readonly number[];

/**
 * Which offsets of the box `[−r, r]^d` a footprint keeps:
 * - `box`: all `(2r + 1)^d` (the 9-point square in 2-D for r = 1);
 * - `cross`: those along one axis only, `2dr + 1` (the 5-point cross in 2-D,
 *   7-point in 3-D for r = 1).
 */
export type FootprintShape = 'box' | 'cross';

/**
 * Every {@link FootprintShape}, for option schemas.
 *
 * @example
 * ```ts
 * const shape = v.optional(v.picklist(FOOTPRINT_SHAPES), 'box');
 * ```
 */
export const FOOTPRINT_SHAPES: readonly FootprintShape[] = Object.freeze(['box', 'cross'] as const);

/**
 * The tap offsets of a footprint of radius `radius` in `dims` dimensions, in
 * tap order: row-major over the box `[−r, r]^d` (axis 0 slowest, each axis
 * from −r to r), keeping those the `shape` admits. This is core's tap order
 * wherever the fused op runs: 1-D radius r is `STENCIL_OFFSETS_1D[r]`
 * (`−r..r`), 2-D `box` r = 1 is `STENCIL_OFFSETS_2D[9]` and 2-D `cross` r = 1
 * is `STENCIL_OFFSETS_2D[5]` (as `[di, dj]`).
 *
 * @param dims - 1, 2 or 3.
 * @param radius - Integer r ≥ 0.
 * @param shape - `box` (default) or `cross`.
 * @throws RangeError for dims outside 1..3 or a negative / fractional radius.
 *
 * @example
 * ```ts
 * footprint(2, 1, 'cross'); // [[-1, 0], [0, -1], [0, 0], [0, 1], [1, 0]]
 * footprint(1, 2);          // [[-2], [-1], [0], [1], [2]]
 * ```
 */
export function footprint(dims: number, radius: number, shape: FootprintShape = 'box'): GridOffset[] {
  if (!Number.isInteger(dims) || dims < 1 || dims > 3) throw new RangeError(`footprint: dims must be 1, 2 or 3, got ${dims}`);
  if (!Number.isInteger(radius) || radius < 0) throw new RangeError(`footprint: radius must be a non-negative integer, got ${radius}`);
  const out: GridOffset[] = [];
  const rec = (prefix: number[]): void => {
    if (prefix.length === dims) {
      if (shape === 'box' || prefix.filter((o) => o !== 0).length <= 1) out.push(Object.freeze(prefix));
      return;
    }
    for (let o = -radius; o <= radius; o++) rec([...prefix, o]);
  };
  rec([]);
  return out;
}

/** Whether two offset lists are equal, entry by entry. */
function sameOffsets(a: readonly GridOffset[], b: readonly GridOffset[]): boolean {
  return a.length === b.length && a.every((o, k) => o.length === b[k]!.length && o.every((x, i) => x === b[k]![i]));
}

/**
 * The geometry of core's fused stencil-relaxation op for these offsets on this
 * grid, or `undefined` where the op cannot run them: it needs one real
 * channel, a `zero` or `periodic` boundary, and a footprint that is exactly a
 * 1-D `footprint(1, r)` with r = 1..3, or the 2-D 5-point cross / 9-point
 * square of radius 1, in that tap order. Then taps `[sites, K]` in the
 * offsets' order are the op's taps as they are.
 *
 * @example
 * ```ts
 * fusedGeometry({ shape: [8, 8], channels: 1 }, footprint(2, 1, 'cross'), 'periodic');
 * // { dims: 2, height: 8, width: 8, points: 5 }
 * ```
 */
export function fusedGeometry(grid: GridLayout, offsets: readonly GridOffset[], boundary: GridBoundary): StencilGeometry | undefined {
  if (grid.channels !== 1 || boundary === 'reflecting') return undefined;
  const dims = grid.shape.length;
  if (dims === 1) {
    const r = (offsets.length - 1) / 2;
    if ((r === 1 || r === 2 || r === 3) && sameOffsets(offsets, footprint(1, r))) return { dims: 1, sites: gridSites(grid), radius: r };
    return undefined;
  }
  if (dims === 2) {
    const [height, width] = grid.shape as [number, number];
    if (sameOffsets(offsets, footprint(2, 1, 'cross'))) return { dims: 2, height, width, points: 5 };
    if (sameOffsets(offsets, footprint(2, 1, 'box'))) return { dims: 2, height, width, points: 9 };
  }
  return undefined;
}

/**
 * The boundary of core's fused op that `boundary` is, or `undefined` for `reflecting`.
 *
 * @example
 * ```ts
 * fusedBoundary('reflecting'); // undefined
 * ```
 */
export function fusedBoundary(boundary: GridBoundary): StencilBoundary | undefined {
  return boundary === 'reflecting' ? undefined : boundary;
}
