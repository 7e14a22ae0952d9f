import { tf, type Scalar, type Tensor2D } from '../tensor/tf.js';

/** A loss: prediction and target `[batch, size]` → scalar (differentiable). */
export type LossFn = (prediction: Tensor2D, target: Tensor2D) => Scalar;

/** Mean squared error over every entry. */
export const mse: LossFn = (p, t) => tf.mean(tf.squaredDifference(p, t)) as Scalar;

/** Sum of squared errors divided by the batch size (theory §6's loss per sample). */
export const sse: LossFn = (p, t) => tf.div(tf.sum(tf.squaredDifference(p, t)), p.shape[0]) as Scalar;

/** Built-in losses by name. */
export const losses = { mse, sse } as const;

/** Name of a built-in loss. */
export type LossName = keyof typeof losses;
