import { tf, type Tensor, type Tensor2D } from '@npde/core';
import type { GridOffset } from './footprint.js';
import { axisSource, gridSites, type GridBoundary, type GridLayout } from './grid.js';

/** A maximal piece of an output axis that reads one contiguous (or mirrored, or zero) stretch of the input. */
interface Run {
  /** Input index read by the run's first output entry, or −1 for zeros. */
  start: number;
  /** +1 (ascending), −1 (mirrored), 0 (zeros or a single entry). */
  dir: number;
  length: number;
}

function runsOf(n: number, m: number, boundary: GridBoundary): Run[] {
  const runs: Run[] = [];
  for (let i = 0; i < n; i++) {
    const src = axisSource(i, m, n, boundary);
    const last = runs[runs.length - 1];
    if (last) {
      if (src < 0 && last.start < 0) {
        last.length++;
        continue;
      }
      if (src >= 0 && last.start >= 0) {
        const end = last.start + last.dir * (last.length - 1);
        if (last.length === 1 && Math.abs(src - end) === 1) {
          last.dir = src - end;
          last.length++;
          continue;
        }
        if (last.dir !== 0 && src === end + last.dir) {
          last.length++;
          continue;
        }
      }
    }
    runs.push({ start: src, dir: 0, length: 1 });
  }
  return runs;
}

/**
 * `out[…, i, …] = x[…, i + m, …]` along one axis of any tensor, reading
 * outside the axis as `boundary` says ({@link axisSource}). Built from slice,
 * reverse, concat and zero padding only (differentiable on every backend; no
 * gather, no conv), for any integer `m` (also |m| ≥ the extent).
 *
 * @param x - Any tensor.
 * @param axis - The axis to shift along.
 * @param m - Integer offset (positive: read from higher indices).
 * @param boundary - Edge treatment.
 *
 * @example
 * ```ts
 * shiftAxis(tf.tensor1d([1, 2, 3]), 0, 1, 'reflecting'); // [2, 3, 3]
 * shiftAxis(tf.tensor1d([1, 2, 3]), 0, -1, 'periodic');  // [3, 1, 2]
 * ```
 */
export function shiftAxis(x: Tensor, axis: number, m: number, boundary: GridBoundary): Tensor {
  if (!Number.isInteger(m)) throw new RangeError(`shiftAxis: offset must be an integer, got ${m}`);
  const n = x.shape[axis]!;
  if (m === 0) return x;
  const runs = runsOf(n, m, boundary);
  const piece = (r: Run): Tensor => {
    const shape = x.shape.map((d, a) => (a === axis ? r.length : d));
    if (r.start < 0) return tf.zeros(shape, x.dtype);
    const from = r.dir < 0 ? r.start - r.length + 1 : r.start;
    const part = tf.slice(
      x,
      x.shape.map((_, a) => (a === axis ? from : 0)),
      x.shape.map((_, a) => (a === axis ? r.length : -1)),
    );
    return r.dir < 0 ? tf.reverse(part, axis) : part;
  };
  if (runs.length === 1) return piece(runs[0]!);
  // Leading / trailing zero runs as padding (one op instead of a zeros tensor + concat).
  const first = runs[0]!;
  const last = runs[runs.length - 1]!;
  const before = first.start < 0 ? first.length : 0;
  const after = last.start < 0 ? last.length : 0;
  const inner = runs.slice(before > 0 ? 1 : 0, after > 0 ? runs.length - 1 : runs.length);
  const body = inner.length === 1 ? piece(inner[0]!) : tf.concat(inner.map(piece), axis);
  if (before === 0 && after === 0) return body;
  return tf.pad(
    body,
    x.shape.map((_, a): [number, number] => (a === axis ? [before, after] : [0, 0])),
  );
}

/**
 * A field state `[batch, size]` as the grid tensor `[batch, ...shape, C]`.
 *
 * @example
 * ```ts
 * toGrid(z, { shape: [4, 5], channels: 2 }).shape; // [batch, 4, 5, 2]
 * ```
 */
export function toGrid(z: Tensor2D, grid: GridLayout): Tensor {
  return tf.reshape(z, [z.shape[0], ...grid.shape, grid.channels]);
}

/**
 * A grid tensor `[batch, ...shape, C]` back as the field state `[batch, size]`.
 *
 * @example
 * ```ts
 * fromGrid(toGrid(z, grid)).shape; // z.shape
 * ```
 */
export function fromGrid(x: Tensor): Tensor2D {
  return tf.reshape(x, [x.shape[0]!, x.size / x.shape[0]!]);
}

/**
 * Shift a grid tensor `[batch, ...shape, C]` by an n-D offset: out at site s
 * is x at site `s + offset` (every channel), each axis read with `boundary`.
 *
 * @example
 * ```ts
 * shiftGrid(toGrid(z, grid), [0, 1], 'periodic'); // right neighbour of every site of a 2-D grid
 * ```
 */
export function shiftGrid(x: Tensor, offset: GridOffset, boundary: GridBoundary): Tensor {
  let out = x;
  offset.forEach((m, a) => {
    if (m !== 0) out = shiftAxis(out, a + 1, m, boundary);
  });
  return out;
}

/**
 * Shift a field state `[batch, size]` on `grid` by `offset`:
 * `out[b, (s, c)] = z[b, (s + offset, c)]`, reading outside the grid as
 * `boundary` says. Differentiable; slice + concat/pad only.
 *
 * @param z - States `[batch, Π shape · C]`.
 * @param grid - Shape and channel count of the field.
 * @param offset - One integer per axis.
 * @param boundary - Edge treatment.
 *
 * @example
 * ```ts
 * const left = shiftField(z, { shape: [64], channels: 1 }, [-1], 'periodic'); // z[i − 1]
 * ```
 */
export function shiftField(z: Tensor2D, grid: GridLayout, offset: GridOffset, boundary: GridBoundary): Tensor2D {
  if (offset.length !== grid.shape.length) throw new RangeError(`shiftField: offset [${offset.join(', ')}] has ${offset.length} axes, the grid ${grid.shape.length}`);
  if (offset.every((m) => m === 0)) return z;
  if (z.shape[1] !== gridSites(grid) * grid.channels) {
    throw new RangeError(`shiftField: states of size ${z.shape[1]} do not fit a grid [${grid.shape.join(', ')}] with ${grid.channels} channels`);
  }
  return fromGrid(shiftGrid(toGrid(z, grid), offset, boundary));
}
