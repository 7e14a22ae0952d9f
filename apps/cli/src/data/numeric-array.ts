/** Element type of a {@link NumericArray}: the two dtypes npde trains on. */
export type NumericDtype = 'float32' | 'int32';

/**
 * A dense, row-major (C-order) array read from a data file, ready for
 * `tf.tensor(data, shape, dtype)`.
 */
export interface NumericArray {
  /** Size of each axis, outermost first; `[]` for a scalar. */
  readonly shape: number[];
  /** Element type of `data`. */
  readonly dtype: NumericDtype;
  /** The values in row-major order; its length is the product of `shape`. */
  readonly data: Float32Array | Int32Array;
}

/** Number of elements of an array of shape `shape` (1 for a scalar). */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

/** Render a shape for messages: `[100, 64]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Render the position of the element at row-major offset `flat` in an array of
 * shape `shape` as index brackets: offset 5 of `[2, 3]` is `[1][2]`.
 */
export function formatIndex(flat: number, shape: readonly number[]): string {
  const idx: number[] = [];
  let rest = flat;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    const d = shape[axis]!;
    idx.unshift(d > 0 ? rest % d : 0);
    rest = d > 0 ? Math.floor(rest / d) : 0;
  }
  return idx.map((i) => `[${i}]`).join('');
}
