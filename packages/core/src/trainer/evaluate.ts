import { ErrorCodes, ValidationError, describeValue } from '../errors/errors.js';
import type { NeuralPde } from '../model/neural-pde.js';
import { tf, type Tensor2D } from '../tensor/tf.js';
import { prepareData, type Dataset, type TensorData } from './dataset.js';
import { resolveLoss, type Loss, type LossFn, type LossName } from './loss.js';
import { resolveMetrics, type Metric, type MetricName } from './metrics.js';

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /** The loss to report (default `mse`); a loss on labels makes `data.y` class labels. */
  readonly loss?: LossName | Loss | LossFn;
  /** Metrics to report beside it (`accuracy`, `mse`, or your own). */
  readonly metrics?: readonly (MetricName | Metric)[];
  /** Samples per forward pass (default 1024); changes memory use, not the result beyond float32 rounding. */
  readonly batchSize?: number;
}

/** What {@link evaluate} returns: `loss`, and one entry per metric by its name. */
export type EvaluateResult = {
  /** The loss averaged over every sample of the data (batches weighted by size). */
  readonly loss: number;
} & Readonly<Record<string, number>>;

/**
 * The model's loss and metrics on `data`, averaged over every sample (batches
 * weighted by size), without training. Checks the data as `fit` does.
 *
 * @throws `ShapeError` / `NonFiniteError` / `ValidationError` naming the bad value's path
 *   (`data.x`, `data.y[3]`, `metrics[0]`, `batchSize`).
 *
 * @example
 * ```ts
 * const { loss, accuracy } = evaluate(model, { x, y: labels }, { loss: 'softmax-cross-entropy', metrics: ['accuracy'] });
 * ```
 */
export function evaluate(model: NeuralPde, data: Dataset, options: EvaluateOptions = {}): EvaluateResult {
  const batchSize = options.batchSize ?? 1024;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new ValidationError(ErrorCodes.INVALID_SPEC, 'invalid batch size', { path: 'batchSize', expected: 'an integer ≥ 1', received: describeValue(batchSize) });
  }
  const loss = resolveLoss(options.loss);
  const metrics = resolveMetrics(options.metrics, loss);
  const prepared = prepareData(model, data, undefined, loss);
  try {
    return evaluateTensors(model, prepared.train, loss, metrics, batchSize) as EvaluateResult;
  } finally {
    prepared.dispose();
  }
}

/**
 * Loss and metrics over prepared tensors, keys prefixed by `prefix`
 * (`val_loss`, `val_accuracy`).
 * @internal
 */
export function evaluateTensors(model: NeuralPde, d: TensorData, loss: Loss, metrics: readonly Metric[], batchSize: number, prefix = ''): Record<string, number> {
  const sums = new Array<number>(metrics.length + 1).fill(0);
  for (let start = 0; start < d.size; start += batchSize) {
    const size = Math.min(batchSize, d.size - start);
    const values = tf.tidy(() => {
      const whole = size === d.size;
      const x = whole ? d.x : d.x.slice([start, 0], [size, -1]);
      const y = whole ? d.y : d.y.rank === 1 ? d.y.slice([start], [size]) : d.y.slice([start, 0], [size, -1]);
      const p = model.forward(x) as Tensor2D;
      return tf.stack([loss.compute(p, y), ...metrics.map((m) => m.compute(p, y))]).dataSync();
    });
    values.forEach((v, i) => (sums[i]! += v * size));
  }
  const out: Record<string, number> = { [`${prefix}loss`]: sums[0]! / d.size };
  metrics.forEach((m, i) => (out[`${prefix}${m.name}`] = sums[i + 1]! / d.size));
  return out;
}
