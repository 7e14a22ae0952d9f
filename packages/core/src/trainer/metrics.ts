import { ErrorCodes, ValidationError, describeValue } from '../errors/errors.js';
import { tf, type Scalar, type Tensor, type Tensor2D } from '../tensor/tf.js';
import type { Loss, TargetKind } from './loss.js';
import { unknownNameError } from './unknown-name.js';

/**
 * A quantity reported beside the loss, never differentiated: per epoch in the
 * logs (`accuracy`, and `val_accuracy` on validation data) and by `evaluate`.
 * Its value is a mean over samples, so the trainer averages batches weighted
 * by their sizes and gets the value over the whole data exactly.
 *
 * @example
 * ```ts
 * const mae: Metric = { name: 'mae', targets: 'values', compute: (p, t) => tf.mean(tf.abs(tf.sub(p, t))) as Scalar };
 * await trainer.fit(model, data, { optimizer, epochs: 10, metrics: ['mse', mae] });
 * ```
 */
export interface Metric {
  /** Key in logs (`<name>`, and `val_<name>` on validation data); not `loss`. */
  readonly name: string;
  /** The targets it reads: values, labels, or `any` (it reads both). */
  readonly targets: TargetKind | 'any';
  /**
   * The mean over the batch: `prediction` `[batch, outputSize]`, `target` as
   * the loss takes it. Allocates freely (the caller tidies).
   */
  compute(prediction: Tensor2D, target: Tensor): Scalar;
}

/**
 * The built-in metrics by name:
 * - `accuracy`: the share of samples whose largest output is the right class:
 *   argmax(p) = label for integer labels `[batch]`, argmax(p) = argmax(t) for
 *   one-hot (or any) value targets `[batch, classes]`.
 * - `mse`: mean squared error over every entry (value targets only).
 */
export const metrics = Object.freeze({
  /** Share of samples whose argmax output is the right class; reads integer labels or one-hot targets. */
  accuracy: Object.freeze<Metric>({
    name: 'accuracy',
    targets: 'any',
    compute: (p, t) => {
      const truth = t.rank === 1 ? t.asType('int32') : tf.argMax(t, 1);
      return tf.mean(tf.cast(tf.equal(tf.argMax(p, 1), truth), 'float32')) as Scalar;
    },
  }),
  /** Mean squared error over every entry; value targets only (not class labels). */
  mse: Object.freeze<Metric>({
    name: 'mse',
    targets: 'values',
    compute: (p, t) => tf.mean(tf.squaredDifference(p, t)) as Scalar,
  }),
});

/** Name of a built-in metric: `accuracy` or `mse`. */
export type MetricName = keyof typeof metrics;

/**
 * Turn `FitOptions.metrics` into {@link Metric}s, checking each against the
 * loss's targets (`mse` cannot read class labels).
 *
 * @throws `ValidationError` (`INVALID_SPEC`, path `metrics[i]`) for an unknown
 *   name, a duplicate, the reserved name `loss`, or a metric that cannot read the loss's targets.
 */
export function resolveMetrics(list: readonly (MetricName | Metric)[] | undefined, loss: Loss, path = 'metrics'): Metric[] {
  const out: Metric[] = [];
  (list ?? []).forEach((m, i) => {
    const at = `${path}[${i}]`;
    const metric = typeof m === 'string' && Object.hasOwn(metrics, m) ? metrics[m] : m;
    if (typeof metric !== 'object' || metric === null || typeof metric.compute !== 'function') {
      throw unknownNameError('metric', m, Object.keys(metrics), at, ' or a Metric object');
    }
    const problem =
      metric.name === 'loss' || metric.name.startsWith('val_')
        ? 'its name is reserved'
        : out.some((o) => o.name === metric.name)
          ? 'it is listed twice'
          : metric.targets !== 'any' && metric.targets !== loss.targets
            ? `it reads ${metric.targets} but the loss '${loss.name}' takes ${loss.targets}`
            : undefined;
    if (problem) {
      throw new ValidationError(ErrorCodes.INVALID_SPEC, `metric '${metric.name}' cannot be used: ${problem}`, {
        path: at,
        expected: `a metric reading ${loss.targets}, named neither 'loss' nor 'val_…', listed once`,
        received: describeValue(metric.name),
      });
    }
    out.push(metric);
  });
  return out;
}
