/**
 * Payloads of trainer events, keyed by `type`. Extend by declaration merging
 * (same pattern as `RegistryEventMap`).
 */
export interface TrainerEventMap {
  /** Training begins. */
  'fit:start': {
    readonly epochs: number;
    readonly samples: number;
    readonly batchSize: number;
    readonly paramCount: number;
    readonly validationSamples: number;
  };
  /** One epoch is done. `loss` is the mean training loss over the epoch's batches. */
  'epoch:end': {
    readonly epoch: number;
    readonly epochs: number;
    readonly loss: number;
    readonly valLoss: number | undefined;
    readonly seconds: number;
    readonly learningRate: number | undefined;
  };
  /** Training ended normally, by abort, or by time limit. */
  'fit:end': {
    readonly epochs: number;
    readonly loss: number;
    readonly valLoss: number | undefined;
    readonly seconds: number;
    readonly reason: FitStopReason;
  };
  /** The loss went bad; the last good weights were restored and `fit` rejects. */
  'fit:diverged': { readonly epoch: number; readonly loss: number; readonly restoredEpoch: number };
}

/** Why `fit` stopped. */
export type FitStopReason = 'completed' | 'aborted' | 'time-limit' | 'target-loss';

/** Discriminated union (on `type`) of what {@link Trainer.events$} emits. */
export type TrainerEvent = {
  [K in keyof TrainerEventMap]: { readonly type: K } & TrainerEventMap[K];
}[keyof TrainerEventMap];
