import { tf, type Tensor2D } from '@npde/core';

/**
 * Added (squared) under the square root of ‖z‖ so that z = 0 gives a finite norm (ε)
 * and a finite gradient (0) instead of 0/0. Its square, 1e-24, is a normal float32
 * below half an ulp of ‖z‖² whenever ‖z‖ > 4e-9, so it changes no value above that.
 */
export const NORM_EPSILON = 1e-12;

/**
 * Per-sample L2 norm over the field axis of a state `[batch, size]`, as `[batch, 1]`,
 * smoothed at zero: √(Σ z² + ε²) with ε = {@link NORM_EPSILON}. Differentiable everywhere.
 *
 * @example
 * ```ts
 * const n = safeNorm(tf.tensor2d([[3, 4], [0, 0]])); // [[5], [1e-12]]
 * ```
 */
export function safeNorm(z: Tensor2D): Tensor2D {
  return tf.sqrt(tf.add(tf.sum(tf.square(z), 1, true), NORM_EPSILON * NORM_EPSILON)) as Tensor2D;
}
