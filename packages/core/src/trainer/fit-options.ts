import type { Observable } from 'rxjs';
import { ErrorCodes, ValidationError, describeValue } from '../errors/errors.js';
import type { OptimizerInstance } from '../plugins/types.js';
import type { PluginRef, Registry } from '../registry/registry.js';
import type { BestSeen } from './best-weights.js';
import type { Logs, TrainerCallbacks } from './callbacks.js';
import type { Checkpoint, CheckpointStore } from './checkpoint.js';
import type { Dataset } from './dataset.js';
import type { FitStopReason, TrainerEvent } from './events.js';
import type { FitHistory } from './history.js';
import type { Loss, LossFn, LossName } from './loss.js';
import type { Metric, MetricName } from './metrics.js';

/** Options of `Trainer.fit` and `Trainer.start`. */
export interface FitOptions {
  /** Optimizer: a plugin ref resolved through the registry, or a created instance (which the caller disposes). */
  readonly optimizer: PluginRef | OptimizerInstance;
  /** Loss (default `mse`); `softmax-cross-entropy` takes integer class labels as `data.y`. */
  readonly loss?: LossName | Loss | LossFn;
  /** Metrics logged per epoch beside the loss (`accuracy`, `mse`), and as `val_<name>` on validation data. */
  readonly metrics?: readonly (MetricName | Metric)[];
  /** The epoch to end at, counted from the start of training (a resumed fit runs the epochs after its checkpoint's). */
  readonly epochs: number;
  /** Samples per step (default: all, i.e. full batch). */
  readonly batchSize?: number;
  /** Held-out data, or a fraction (0..1) of `data` to hold out (its last samples). */
  readonly validation?: Dataset | number;
  /** Stop early (after the current batch) when aborted. */
  readonly signal?: AbortSignal;
  /** Stop after this many seconds (checked after each epoch). */
  readonly timeLimit?: number;
  /** Stop once the training loss is below this. */
  readonly targetLoss?: number;
  /** Shuffle batches each epoch (default true when batchSize < n). */
  readonly shuffle?: boolean;
  /** Seed for shuffling (default 0); epoch e's order depends on (seed, e) only. */
  readonly seed?: number;
  /**
   * A loss larger than `divergenceFactor` × the first epoch's loss counts as
   * divergence (default 1e4), as does NaN or ±Infinity.
   */
  readonly divergenceFactor?: number;
  /** Hooks called during the fit, in order (see `earlyStopping`). */
  readonly callbacks?: readonly TrainerCallbacks[];
  /**
   * Keep the best weights seen (by `val_loss` with validation data, else by
   * training loss) and put them back when the fit ends worse (default true).
   */
  readonly keepBest?: boolean;
  /** Save a checkpoint to `store` every `every` epochs (default 1) and when the fit ends after a whole epoch. */
  readonly checkpoint?: {
    /** Where checkpoints go (the latest replaces the one before). */
    readonly store: CheckpointStore;
    /** Epochs between checkpoints, an integer ≥ 1 (default 1). */
    readonly every?: number;
  };
  /**
   * Continue the fit that wrote this checkpoint (or the latest in this store):
   * its weights, optimizer state, history and best weights are restored and
   * training starts at the next epoch with the same shuffling, so it ends as
   * the uninterrupted fit would. The settings in `FitSettings` must match.
   */
  readonly resume?: CheckpointStore | Checkpoint;
  /** Where an optimizer ref is resolved (default: the trainer's registry). */
  readonly registry?: Registry;
}

/** Outcome of a fit. */
export interface FitResult {
  /** Id of the fit, as in its events. */
  readonly fitId: string;
  /** Epochs completed, counting those before a resume. */
  readonly epochs: number;
  /** Epochs already done when this fit began (0 unless resumed). */
  readonly initialEpoch: number;
  /** Mean training loss of the last epoch (of the final weights' epoch, even when the best weights were restored). */
  readonly loss: number;
  /** Validation loss after the last epoch, when there is validation data. */
  readonly valLoss: number | undefined;
  /** The last epoch's logs (`loss`, `val_loss`, metrics). */
  readonly logs: Logs;
  /** Per-epoch record, from epoch 1. */
  readonly history: FitHistory;
  /** Wall-clock seconds of this fit. */
  readonly seconds: number;
  /** Why it stopped. */
  readonly reason: FitStopReason;
  /** The best weights seen (undefined with `keepBest: false` or when no epoch ran). */
  readonly best: BestSeen | undefined;
  /** Whether the model holds the best weights rather than the final ones, because the final ones were worse. */
  readonly restoredBest: boolean;
}

/**
 * A running fit, from `Trainer.start`: its id, its own event stream and its
 * result. Subscribe before awaiting anything, or the first events are missed.
 */
export interface FitHandle {
  /** Id of the fit (the `fitId` of its events). */
  readonly fitId: string;
  /**
   * This fit's events; ends with one of `fit:end`, `fit:diverged` or
   * `fit:failed`, then completes. It never errors.
   */
  readonly events$: Observable<TrainerEvent>;
  /** Resolves with the result, or rejects (`TrainingDivergedError`, bad input, a plugin's error). */
  readonly result: Promise<FitResult>;
}

/**
 * The numeric options, checked, with defaults for those that have one.
 *
 * @throws `ValidationError` (`INVALID_SPEC`) naming the option.
 * @internal
 */
export function checkFitNumbers(o: FitOptions): { divergenceFactor: number; every: number; seed: number } {
  integer(o.epochs, 'epochs', 1);
  if (o.batchSize !== undefined) integer(o.batchSize, 'batchSize', 1);
  if (o.checkpoint?.every !== undefined) integer(o.checkpoint.every, 'checkpoint.every', 1);
  if (o.seed !== undefined) integer(o.seed, 'seed', Number.MIN_SAFE_INTEGER);
  for (const [k, v] of [['timeLimit', o.timeLimit], ['divergenceFactor', o.divergenceFactor]] as const) {
    if (v !== undefined && !(v > 0)) throw invalid(k, 'a number > 0', v);
  }
  if (o.targetLoss !== undefined && Number.isNaN(o.targetLoss)) throw invalid('targetLoss', 'a number', o.targetLoss);
  return { divergenceFactor: o.divergenceFactor ?? 1e4, every: o.checkpoint?.every ?? 1, seed: o.seed ?? 0 };
}

function integer(v: unknown, path: string, min: number): void {
  if (!Number.isInteger(v) || (v as number) < min) throw invalid(path, min === 1 ? 'an integer ≥ 1' : 'an integer', v);
}

function invalid(path: string, expected: string, received: unknown): ValidationError {
  return new ValidationError(ErrorCodes.INVALID_SPEC, `invalid ${path}`, { path, expected, received: describeValue(received) });
}
