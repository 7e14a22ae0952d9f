import { tf, type Tensor, type Variable } from '@npde/core';

/**
 * The values of `tensors` concatenated in order into one float64 vector (what
 * quasi-Newton methods do their linear algebra on, on the host).
 *
 * @example
 * ```ts
 * const x = readFlat(problem.variables); // Float64Array of every parameter
 * ```
 */
export function readFlat(tensors: readonly Tensor[]): Float64Array {
  const size = tensors.reduce((n, t) => n + t.size, 0);
  const out = new Float64Array(size);
  let at = 0;
  for (const t of tensors) {
    out.set(t.dataSync(), at);
    at += t.size;
  }
  return out;
}

/**
 * Assign a flat vector laid out as {@link readFlat} reads it to `variables`
 * (rounded to float32), and return the values the variables now hold.
 *
 * @example
 * ```ts
 * const held = writeFlat(problem.variables, x); // held[i] === Math.fround(x[i])
 * ```
 */
export function writeFlat(variables: readonly Variable[], values: Float64Array): Float64Array {
  let at = 0;
  const held = new Float64Array(values.length);
  for (const v of variables) {
    const chunk = Float32Array.from(values.subarray(at, at + v.size));
    held.set(chunk, at);
    tf.tidy(() => v.assign(tf.tensor(chunk, v.shape, 'float32')));
    at += v.size;
  }
  return held;
}

/** Σ aᵢ bᵢ in float64. */
export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** max |aᵢ| (0 for an empty vector). */
export function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}
