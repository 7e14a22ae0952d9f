import type { Logs } from './callbacks.js';

/** What a fit recorded per epoch, from epoch 1 (a resumed fit's history includes the epochs before the resume). */
export interface FitHistory {
  /** Mean training loss of each epoch. */
  readonly loss: readonly number[];
  /** Validation loss after each epoch (`undefined` without validation data). */
  readonly valLoss: readonly (number | undefined)[];
  /** Every log of each epoch (`loss`, `val_loss`, metrics, `val_` metrics). */
  readonly logs: readonly Logs[];
}

/** A {@link FitHistory} being written. @internal */
export interface MutableHistory extends FitHistory {
  readonly loss: number[];
  readonly valLoss: (number | undefined)[];
  readonly logs: Logs[];
}

/** An empty history, or a copy of `from` to append to. @internal */
export function historyFrom(from?: FitHistory): MutableHistory {
  return { loss: [...(from?.loss ?? [])], valLoss: [...(from?.valLoss ?? [])], logs: [...(from?.logs ?? [])] };
}

/** Append one epoch's logs. @internal */
export function recordEpoch(history: MutableHistory, logs: Logs): void {
  history.loss.push(logs['loss']!);
  history.valLoss.push(logs['val_loss']);
  history.logs.push(logs);
}
