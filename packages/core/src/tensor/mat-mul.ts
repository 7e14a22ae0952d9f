import { tf, type Tensor2D } from './tf.js';

const matMulTransposedBImpl = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [a, b, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a as Tensor2D, tf.transpose(b) as Tensor2D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [Tensor2D, Tensor2D];
      return [tf.matMul(dy as Tensor2D, sb), tf.matMul(tf.transpose(dy) as Tensor2D, sa)];
    },
  };
}) as Parameters<typeof tf.customGrad>[0]);

/**
 * `a · bᵀ` for `a: [m, k]`, `b: [n, k]`, differentiable, computed with
 * non-transposed matrix products only (an explicit transpose, then a plain
 * `matMul`), forward and backward.
 *
 * Why: tfjs-backend-wasm 4.22's `matMul` with a transpose flag — which tfjs's
 * own `matMul` gradient always uses — runs about 12× slower than a plain one
 * (measured on [1000, 64] × [64, 64]: 3.7 ms vs 0.3 ms with the transpose).
 * The result equals `tf.matMul(a, b, false, true)` to float32 rounding.
 */
export function matMulTransposedB(a: Tensor2D, b: Tensor2D): Tensor2D {
  return matMulTransposedBImpl(a, b) as Tensor2D;
}
