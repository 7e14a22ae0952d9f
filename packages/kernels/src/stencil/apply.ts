import { ErrorCodes, ShapeError, tf, type Tensor, type Tensor2D } from '@npde/core';
import type { GridOffset } from './footprint.js';
import { gridSites, type GridBoundary, type GridLayout } from './grid.js';
import { fromGrid, shiftAxis, toGrid } from './shift.js';

/**
 * How a tap set treats the C channels of a field:
 * - `shared`: one scalar tap per offset, the same on every channel (channels never mix);
 * - `depthwise`: one tap per offset and channel (channels never mix);
 * - `mixing`: a `C × C` matrix per offset, `[out, in]` (channel c′ at the
 *   neighbour feeds channel c at the site).
 */
export type TapChannels = 'shared' | 'depthwise' | 'mixing';

/**
 * Every {@link TapChannels}, for option schemas.
 *
 * @example
 * ```ts
 * const channels = v.optional(v.picklist(TAP_CHANNELS), 'shared');
 * ```
 */
export const TAP_CHANNELS: readonly TapChannels[] = Object.freeze(['shared', 'depthwise', 'mixing'] as const);

/**
 * A footprint, its boundary and its channel treatment: everything about a tap set that is not a number.
 *
 * @example
 * ```ts
 * const stencil: TapStencil = { offsets: footprint(2, 1, 'cross'), boundary: 'reflecting', channels: 'depthwise' };
 * ```
 */
export interface TapStencil {
  /** Tap offsets, in tap order (e.g. from `footprint`). */
  readonly offsets: readonly GridOffset[];
  /** Edge treatment. */
  readonly boundary: GridBoundary;
  /** Channel treatment (default `shared`). */
  readonly channels?: TapChannels;
}

/**
 * The shape of a tap tensor, row-major, K = `offsets.length`, C = the grid's channels:
 *
 * | channels    | homogeneous    | per site             |
 * |-------------|----------------|----------------------|
 * | `shared`    | `[K]`          | `[sites, K]`         |
 * | `depthwise` | `[K, C]`       | `[sites, K, C]`      |
 * | `mixing`    | `[K, C, C]`    | `[sites, K, C, C]`   |
 *
 * (mixing entries are `[…, k, out, in]`).
 *
 * @example
 * ```ts
 * tapShape({ shape: [8, 8], channels: 2 }, { offsets: footprint(2, 1), boundary: 'zero', channels: 'mixing' }, false); // [9, 2, 2]
 * ```
 */
export function tapShape(grid: GridLayout, stencil: TapStencil, perSite: boolean): number[] {
  const K = stencil.offsets.length;
  const C = grid.channels;
  const tail = stencil.channels === 'depthwise' ? [K, C] : stencil.channels === 'mixing' ? [K, C, C] : [K];
  return perSite ? [gridSites(grid), ...tail] : tail;
}

/**
 * Whether a tap tensor of this shape is per site (else homogeneous).
 *
 * @throws ShapeError `SHAPE_MISMATCH` (path `path`) when the shape fits neither {@link tapShape}.
 *
 * @example
 * ```ts
 * isPerSite({ shape: [8], channels: 1 }, { offsets: footprint(1, 1), boundary: 'zero' }, [8, 3]); // true
 * ```
 */
export function isPerSite(grid: GridLayout, stencil: TapStencil, shape: readonly number[], path = 'taps'): boolean {
  const homo = tapShape(grid, stencil, false);
  const site = tapShape(grid, stencil, true);
  if (shape.join() === homo.join()) return false;
  if (shape.join() === site.join()) return true;
  throw new ShapeError(ErrorCodes.SHAPE_MISMATCH, 'tap tensor does not fit the stencil', {
    path,
    expected: `[${homo.join(', ')}] (homogeneous) or [${site.join(', ')}] (per site)`,
    received: `[${shape.join(', ')}]`,
    hint: `K = ${stencil.offsets.length} offsets, ${grid.channels} channel(s), channels '${stencil.channels ?? 'shared'}'.`,
  });
}

/**
 * `W z` for a tap set on a regular grid: for every site s and output channel,
 * `(W z)(s) = Σ_k T_k(s) · z(s + offset_k)`, with `z` outside the grid read as
 * the boundary says and `T_k` a scalar, a per-channel scale or a `C × C`
 * matrix ({@link TapChannels}). Taps are homogeneous or per site, told apart
 * by their shape ({@link tapShape}). Differentiable in `z` and the taps;
 * shifts are slice + concat/pad, channel mixing is one matMul (homogeneous)
 * or a broadcast product (per site). Allocates intermediates: call it inside
 * `tf.tidy` (a model's forward pass already is).
 *
 * @param z - States `[batch, Π shape · C]`.
 * @param grid - The field's grid.
 * @param stencil - Offsets, boundary, channel treatment.
 * @param taps - A tensor of {@link tapShape}.
 * @throws ShapeError `SHAPE_MISMATCH` for taps or states of the wrong shape.
 *
 * @example
 * ```ts
 * const grid = { shape: [32, 32], channels: 1 };
 * const lap = tf.tensor1d([0.1, 0.1, 0.6, 0.1, 0.1]);
 * const y = applyTaps(z, grid, { offsets: footprint(2, 1, 'cross'), boundary: 'periodic' }, lap);
 * ```
 */
export function applyTaps(z: Tensor2D, grid: GridLayout, stencil: TapStencil, taps: Tensor): Tensor2D {
  const S = gridSites(grid);
  const C = grid.channels;
  if (z.rank !== 2 || z.shape[1] !== S * C) {
    throw new ShapeError(ErrorCodes.SHAPE_MISMATCH, 'states do not fit the grid', {
      path: 'z',
      expected: `[batch, ${S * C}]`,
      received: `[${z.shape.join(', ')}]`,
    });
  }
  const perSite = isPerSite(grid, stencil, taps.shape);
  const mode = stencil.channels ?? 'shared';
  const K = stencil.offsets.length;
  const B = z.shape[0];
  const x = toGrid(z, grid);
  // Shift axis by axis, sharing prefixes: a box of radius r costs (2r+1) + (2r+1)² + … slices, not K·d.
  const cache = new Map<string, Tensor>();
  const shifted = stencil.offsets.map((o) => {
    let cur = x;
    let key = '';
    o.forEach((m, a) => {
      key += `${m},`;
      let hit = cache.get(key);
      if (!hit) {
        hit = m === 0 ? cur : shiftAxis(cur, a + 1, m, stencil.boundary);
        cache.set(key, hit);
      }
      cur = hit;
    });
    return cur;
  });
  if (mode === 'mixing') {
    // X [B·S, K·Cin] against T as [K·Cin, Cout]: one matMul (homogeneous) or a per-site contraction.
    const X = tf.concat(shifted, -1);
    if (!perSite) {
      const T = tf.reshape(tf.transpose(taps, [0, 2, 1]), [K * C, C]);
      return fromGrid(tf.reshape(tf.matMul(tf.reshape(X, [B * S, K * C]), T), x.shape));
    }
    const T = tf.reshape(tf.transpose(taps, [0, 2, 1, 3]), [S, C, K * C]);
    const y = tf.sum(tf.mul(tf.reshape(X, [B, S, 1, K * C]), T), -1);
    return tf.reshape(y, [B, S * C]);
  }
  const siteShape = [1, ...grid.shape, mode === 'depthwise' ? C : 1];
  const tapsK = tf.unstack(taps, perSite ? 1 : 0);
  const terms = shifted.map((sh, k) => tf.mul(sh, perSite ? tf.reshape(tapsK[k]!, siteShape) : tapsK[k]!));
  return fromGrid(terms.length === 1 ? terms[0]! : tf.addN(terms));
}

/**
 * Taps `[K]` or `[sites, K]` as the `[sites, K]` tensor core's fused op takes
 * (a broadcast of homogeneous taps; differentiable).
 *
 * @example
 * ```ts
 * siteTaps(tf.tensor1d([0.25, 0.5, 0.25]), 64).shape; // [64, 3]
 * ```
 */
export function siteTaps(taps: Tensor, sites: number): Tensor2D {
  if (taps.rank === 2) return taps as Tensor2D;
  return tf.broadcastTo(tf.reshape(taps, [1, taps.size]), [sites, taps.size]) as Tensor2D;
}
