/**
 * Payloads of trainer events, keyed by `type`. Extend by declaration merging
 * (same pattern as `RegistryEventMap`).
 */
export interface TrainerEventMap {
  /** Training begins. */
  'fit:start': {
    /** Epochs asked for. */
    readonly epochs: number;
    /** Training samples (after any validation fraction is held out). */
    readonly samples: number;
    /** Samples per optimizer step. */
    readonly batchSize: number;
    /** Trainable scalar parameters of the model. */
    readonly paramCount: number;
    /** Validation samples (0 without validation data). */
    readonly validationSamples: number;
  };
  /** One epoch is done. `loss` is the mean training loss over the epoch's batches. */
  'epoch:end': {
    /** 1-based number of the epoch just finished. */
    readonly epoch: number;
    /** Epochs asked for. */
    readonly epochs: number;
    /** Mean training loss over the epoch's batches. */
    readonly loss: number;
    /** Validation loss after the epoch, when there is validation data. */
    readonly valLoss: number | undefined;
    /** Wall-clock seconds the epoch took. */
    readonly seconds: number;
    /** The optimizer's current learning rate, if it has one. */
    readonly learningRate: number | undefined;
  };
  /** Training ended normally, by abort, or by time limit. */
  'fit:end': {
    /** Epochs completed. */
    readonly epochs: number;
    /** Mean training loss of the last epoch. */
    readonly loss: number;
    /** Validation loss after the last epoch, when there is validation data. */
    readonly valLoss: number | undefined;
    /** Wall-clock seconds of the whole fit. */
    readonly seconds: number;
    /** Why training stopped. */
    readonly reason: FitStopReason;
  };
  /** The loss went bad; the last good weights were restored and `fit` rejects. */
  'fit:diverged': {
    /** 1-based epoch whose loss went bad. */
    readonly epoch: number;
    /** The offending loss (NaN, ±Infinity or a blown-up value). */
    readonly loss: number;
    /** Epoch whose weights were restored (0: the weights before training). */
    readonly restoredEpoch: number;
  };
}

/** Why `fit` stopped. */
export type FitStopReason = 'completed' | 'aborted' | 'time-limit' | 'target-loss';

/** Discriminated union (on `type`) of what {@link Trainer.events$} emits. */
export type TrainerEvent = {
  [K in keyof TrainerEventMap]: {
    /** The event's name: a key of {@link TrainerEventMap}. */
    readonly type: K;
  } & TrainerEventMap[K];
}[keyof TrainerEventMap];
