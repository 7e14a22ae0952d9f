import type { Logs } from './callbacks.js';

/**
 * Payloads of trainer events, keyed by `type`; every event also carries the
 * `fitId` of its fit. Extend by declaration merging (same pattern as
 * `RegistryEventMap`).
 */
export interface TrainerEventMap {
  /** Training begins (after the data are checked and any checkpoint is restored). */
  'fit:start': {
    /** The epoch training ends at (`FitOptions.epochs`). */
    readonly epochs: number;
    /** Epochs already done when this fit began: 0, or the resumed checkpoint's epoch. */
    readonly initialEpoch: number;
    /** Training samples (after any validation fraction is held out). */
    readonly samples: number;
    /** Samples per optimizer step. */
    readonly batchSize: number;
    /** Trainable scalar parameters of the model. */
    readonly paramCount: number;
    /** Validation samples (0 without validation data). */
    readonly validationSamples: number;
  };
  /** One optimizer step is done. */
  'batch:end': {
    /** 1-based epoch. */
    readonly epoch: number;
    /** 1-based batch within the epoch. */
    readonly batch: number;
    /** Batches per epoch. */
    readonly batches: number;
    /** The batch's loss, before the step. */
    readonly loss: number;
    /** Samples in the batch. */
    readonly size: number;
  };
  /** One epoch is done. `loss` is the mean training loss over the epoch's batches. */
  'epoch:end': {
    /** 1-based number of the epoch just finished. */
    readonly epoch: number;
    /** The epoch training ends at. */
    readonly epochs: number;
    /** Mean training loss over the epoch's batches. */
    readonly loss: number;
    /** Validation loss after the epoch, when there is validation data. */
    readonly valLoss: number | undefined;
    /** Every log of the epoch: `loss`, `val_loss`, metrics and `val_` metrics. */
    readonly logs: Logs;
    /** Wall-clock seconds the epoch took. */
    readonly seconds: number;
    /** The optimizer's current learning rate, if it has one. */
    readonly learningRate: number | undefined;
  };
  /** A checkpoint was written to the fit's checkpoint store. */
  'checkpoint:saved': {
    /** The epoch it holds (training resumes after it). */
    readonly epoch: number;
  };
  /**
   * The fit ended worse than its best (by `monitor`) and the best weights were
   * put back into the model; comes just before `fit:end`.
   */
  'fit:best-restored': {
    /** The epoch whose weights were restored (0: the weights before training). */
    readonly epoch: number;
    /** What ranked the weights: `val_loss` with validation data, else `loss`. */
    readonly monitor: 'val_loss' | 'loss';
    /** The monitored loss of the restored weights. */
    readonly loss: number;
    /** The monitored loss of the final weights, which were discarded. */
    readonly finalLoss: number;
  };
  /** Training ended without error: completed, aborted, stopped, or a limit reached. */
  'fit:end': {
    /** Epochs completed, counting those before a resume. */
    readonly epochs: number;
    /** Mean training loss of the last epoch. */
    readonly loss: number;
    /** Validation loss after the last epoch, when there is validation data. */
    readonly valLoss: number | undefined;
    /** Wall-clock seconds of this fit (not counting a resumed fit's earlier part). */
    readonly seconds: number;
    /** Why training stopped. */
    readonly reason: FitStopReason;
    /** Whether the model now holds its best weights instead of its final ones (see `fit:best-restored`). */
    readonly restoredBest: boolean;
  };
  /** The loss went bad; the last good weights were restored and the fit rejects with `TrainingDivergedError`. */
  'fit:diverged': {
    /** 1-based epoch whose loss went bad. */
    readonly epoch: number;
    /** The offending loss (NaN, ±Infinity or a blown-up value). */
    readonly loss: number;
    /** Epoch whose weights were restored (0: the weights before training). */
    readonly restoredEpoch: number;
  };
  /** The fit failed with an error other than divergence (bad data or options, a plugin's error, a callback's throw). */
  'fit:failed': {
    /** What the fit rejected with. */
    readonly error: unknown;
  };
}

/**
 * Why a fit stopped: it ran every epoch (`completed`), its signal was aborted,
 * `timeLimit` or `targetLoss` was reached, a callback called `stop()`
 * (`stopped`, or the reason it gave), or `earlyStopping` ended it.
 */
export type FitStopReason = 'completed' | 'aborted' | 'time-limit' | 'target-loss' | 'early-stopping' | 'stopped';

/**
 * Discriminated union (on `type`) of what `Trainer.events$` and a fit's own
 * `events$` emit. Each fit's stream ends with exactly one of `fit:end`,
 * `fit:diverged` or `fit:failed`, then completes.
 */
export type TrainerEvent = {
  [K in keyof TrainerEventMap]: {
    /** The event's name: a key of {@link TrainerEventMap}. */
    readonly type: K;
    /** Id of the fit that emitted it (`FitHandle.fitId`, `FitResult.fitId`). */
    readonly fitId: string;
  } & TrainerEventMap[K];
}[keyof TrainerEventMap];

/** The event of type `K`, for handlers: `(e: TrainerEventOf<'epoch:end'>) => ...`. */
export type TrainerEventOf<K extends TrainerEvent['type']> = Extract<
  TrainerEvent,
  {
    /** The event name `K` that selects this member of the {@link TrainerEvent} union. */
    type: K;
  }
>;
