/**
 * Training: the {@link Trainer}, {@link evaluate}, losses and metrics,
 * callbacks ({@link earlyStopping}), checkpoints and their stores.
 *
 * @module
 */
export { Trainer } from './trainer.js';
export type { FitHandle, FitOptions, FitResult } from './fit-options.js';
export type { Dataset } from './dataset.js';
export type { FitHistory } from './history.js';
export type { BestSeen } from './best-weights.js';
export { evaluate, type EvaluateOptions, type EvaluateResult } from './evaluate.js';
export { losses, mse, sse, softmaxCrossEntropy, type Loss, type LossFn, type LossName, type TargetKind } from './loss.js';
export { metrics, type Metric, type MetricName } from './metrics.js';
export type { CallbackContext, Logs, TrainerCallbacks } from './callbacks.js';
export { earlyStopping, type EarlyStoppingOptions } from './early-stopping.js';
export {
  CHECKPOINT_FORMAT,
  CHECKPOINT_FORMAT_VERSION,
  memoryCheckpointStore,
  type Checkpoint,
  type CheckpointJson,
  type CheckpointStore,
  type FitSettings,
  type MemoryCheckpointStore,
} from './checkpoint.js';
export type { FitStopReason, TrainerEvent, TrainerEventMap, TrainerEventOf } from './events.js';
