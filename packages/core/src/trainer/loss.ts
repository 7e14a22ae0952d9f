import { tf, type Scalar, type Tensor, type Tensor2D } from '../tensor/tf.js';
import { unknownNameError } from './unknown-name.js';

/**
 * What a loss or metric compares the model's output with: `values`, targets
 * of the output's shape `[batch, outputSize]` (regression), or `labels`, int32
 * class indices `[batch]` in `0 … outputSize − 1` (classification).
 */
export type TargetKind = 'values' | 'labels';

/**
 * A plain loss function: prediction and target `[batch, size]` → a scalar,
 * differentiable in the prediction. Accepted wherever a {@link Loss} is, and
 * read as one with `values` targets.
 */
export type LossFn = (prediction: Tensor2D, target: Tensor2D) => Scalar;

/**
 * A training loss: a name for logs and checkpoints, the kind of targets it
 * takes (so the trainer knows whether `data.y` holds values or class labels),
 * and the differentiable computation.
 *
 * @example
 * ```ts
 * const mae: Loss = {
 *   name: 'mae', targets: 'values',
 *   compute: (p, t) => tf.mean(tf.abs(tf.sub(p, t))) as Scalar,
 * };
 * await trainer.fit(model, data, { optimizer, epochs: 10, loss: mae });
 * ```
 */
export interface Loss {
  /** Name in logs, events and checkpoints' settings. */
  readonly name: string;
  /** Whether targets are values of the output's shape or integer class labels. */
  readonly targets: TargetKind;
  /**
   * The mean loss over the batch: `prediction` `[batch, outputSize]`, `target`
   * `[batch, outputSize]` (values) or int32 `[batch]` (labels). Differentiable
   * in `prediction`; allocates freely (the caller tidies).
   */
  compute(prediction: Tensor2D, target: Tensor): Scalar;
}

/**
 * A squared-error loss, value(p, t) = Σ(p − t)² / `divisor(p)` computed by `value`, whose
 * gradient is the one tfjs's autodiff of that formula gives, bit for bit, without its
 * detour: tfjs differentiates `mean`/`sum` by multiplying the upstream gradient by a
 * tensor of ones of the prediction's shape, made on the host and uploaded at every
 * step (about 1 ms per step for 1000 × 64 samples on wasm), and only then divides.
 * Here dy / divisor is a scalar, and ∂/∂p = (dy / divisor) · (2 (p − t)),
 * ∂/∂t = −∂/∂p: the same float32 operations on the same values (a product by a
 * broadcast scalar equals the product by a tensor filled with it; t − p = −(p − t)
 * exactly), so training is unchanged to the last bit.
 */
function squaredErrorLoss(value: (p: Tensor, t: Tensor) => Tensor, divisor: (p: Tensor) => number): (p: Tensor2D, t: Tensor) => Scalar {
  const loss = tf.customGrad((...args: (Tensor | tf.GradSaveFunc)[]) => {
    const [p, t, save] = args as [Tensor, Tensor, tf.GradSaveFunc];
    save([p, t]);
    return {
      value: value(p, t),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [ps, ts] = saved as [Tensor, Tensor];
        const dp = tf.mul(tf.div(dy, divisor(ps)), tf.mul(2, tf.sub(ps, ts)));
        return [dp, tf.neg(dp)];
      },
    };
  });
  return (p, t) => loss(p, t) as Scalar;
}

/** Mean squared error over every entry: mean((p − t)²). */
export const mse: Loss = Object.freeze({
  name: 'mse',
  targets: 'values',
  compute: squaredErrorLoss(
    (p, t) => tf.mean(tf.squaredDifference(p, t)),
    (p) => p.size,
  ),
});

/** Sum of squared errors divided by the batch size (theory §6's loss per sample): Σ(p − t)² / batch. */
export const sse: Loss = Object.freeze({
  name: 'sse',
  targets: 'values',
  compute: squaredErrorLoss(
    (p, t) => tf.div(tf.sum(tf.squaredDifference(p, t)), p.shape[0]!),
    (p) => p.shape[0]!,
  ),
});

/**
 * Softmax cross-entropy on integer labels: the model's outputs are logits
 * `[batch, classes]`, targets int32 labels `[batch]`, and the loss is
 * mean over the batch of −log softmax(p)[label] (via `logSoftmax`, stable for
 * large logits). Its gradient in the logits is (softmax(p) − onehot(label)) / batch.
 */
export const softmaxCrossEntropy: Loss = Object.freeze({
  name: 'softmax-cross-entropy',
  targets: 'labels',
  compute: (p: Tensor2D, labels: Tensor) => {
    const onehot = tf.oneHot(labels.asType('int32') as tf.Tensor1D, p.shape[1]);
    return tf.neg(tf.mean(tf.sum(tf.mul(onehot, tf.logSoftmax(p)), 1))) as Scalar;
  },
});

/** The built-in losses by name (`FitOptions.loss`, `evaluate`'s `loss`). */
export const losses = Object.freeze({
  mse,
  sse,
  /** {@link softmaxCrossEntropy}: logits `[batch, classes]` against int32 labels `[batch]`. */
  'softmax-cross-entropy': softmaxCrossEntropy,
});

/** Name of a built-in loss: `mse`, `sse` or `softmax-cross-entropy`. */
export type LossName = keyof typeof losses;

/**
 * Turn what a user passes as `loss` (a name, a {@link Loss}, a plain
 * {@link LossFn}, or nothing for `mse`) into a {@link Loss}.
 *
 * @throws `ValidationError` (`INVALID_SPEC`, path `loss`) for an unknown name, with the closest known one.
 */
export function resolveLoss(loss: LossName | Loss | LossFn | undefined, path = 'loss'): Loss {
  if (loss === undefined) return mse;
  if (typeof loss === 'function') return { name: loss.name || 'custom', targets: 'values', compute: (p, t) => loss(p, t as Tensor2D) };
  if (typeof loss === 'string' && Object.hasOwn(losses, loss)) return losses[loss];
  if (typeof loss === 'object' && loss !== null && typeof loss.compute === 'function') return loss;
  throw unknownNameError('loss', loss, Object.keys(losses), path, ', a Loss object or a function');
}
