import { tf, type Tensor2D } from '@npde/core';
import type { AdrBoundary } from './options.js';

/**
 * The left neighbor of every site: `out[:, i] = z[:, i − 1]`, with
 * `out[:, 0] = z[:, N − 1]` (periodic) or `0` (zero). Built from slice +
 * concat / pad, which runs about 2× faster than a tridiagonal matMul on wasm
 * (theory §8). Needs N ≥ 2.
 *
 * @param z - States `[batch, N]`.
 * @param boundary - Edge treatment.
 */
export function leftNeighbor(z: Tensor2D, boundary: AdrBoundary): Tensor2D {
  const n = z.shape[1];
  const inner = tf.slice(z, [0, 0], [-1, n - 1]);
  return boundary === 'periodic'
    ? tf.concat([tf.slice(z, [0, n - 1], [-1, 1]), inner], 1)
    : tf.pad(inner, [[0, 0], [1, 0]]);
}

/**
 * The right neighbor of every site: `out[:, i] = z[:, i + 1]`, with
 * `out[:, N − 1] = z[:, 0]` (periodic) or `0` (zero). Needs N ≥ 2.
 *
 * @param z - States `[batch, N]`.
 * @param boundary - Edge treatment.
 */
export function rightNeighbor(z: Tensor2D, boundary: AdrBoundary): Tensor2D {
  const n = z.shape[1];
  const inner = tf.slice(z, [0, 1], [-1, n - 1]);
  return boundary === 'periodic'
    ? tf.concat([inner, tf.slice(z, [0, 0], [-1, 1])], 1)
    : tf.pad(inner, [[0, 0], [0, 1]]);
}
