import type { FitStopReason } from './events.js';

/**
 * What happened in an epoch or a batch, by name: `loss` (mean training loss),
 * `val_loss` (with validation data), each metric (`accuracy`, `mse`) and its
 * validation value (`val_accuracy`, ...). Batch logs hold `loss` and `size`
 * (samples in the batch).
 */
export type Logs = Readonly<Record<string, number>>;

/** Handed to every callback: which fit is running, and a way to end it. */
export interface CallbackContext {
  /** Id of the fit (the `fitId` of its events). */
  readonly fitId: string;
  /**
   * End training after the current epoch (when called from `onBatchEnd`: after
   * the current batch, finishing that epoch's bookkeeping). `reason` is what
   * the fit's result and `fit:end` report (default `'stopped'`).
   */
  stop(reason?: FitStopReason): void;
}

/**
 * Hooks into a fit, in the style of tfjs-layers' `CustomCallbackArgs`: each may
 * be async, and the fit waits for it. Epochs are numbered from 1 (as in
 * events and `history`), batches from 1 within their epoch. A callback's throw
 * ends the fit with that error.
 *
 * @example
 * ```ts
 * await trainer.fit(model, data, {
 *   optimizer, epochs: 100, validation: 0.2,
 *   callbacks: [
 *     earlyStopping({ monitor: 'val_loss', patience: 5 }),
 *     { onEpochEnd: (epoch, logs) => console.log(epoch, logs.loss, logs.val_loss) },
 *   ],
 * });
 * ```
 */
export interface TrainerCallbacks {
  /** Before the first epoch (after a resume: before the first epoch run now). */
  onTrainBegin?(logs: Logs, ctx: CallbackContext): void | Promise<void>;
  /** After the last epoch, whatever stopped it but an error or divergence; `logs` are the last epoch's. */
  onTrainEnd?(logs: Logs, ctx: CallbackContext): void | Promise<void>;
  /** Before epoch `epoch` (1-based). */
  onEpochBegin?(epoch: number, logs: Logs, ctx: CallbackContext): void | Promise<void>;
  /** After epoch `epoch` (1-based), with its logs (validation included). */
  onEpochEnd?(epoch: number, logs: Logs, ctx: CallbackContext): void | Promise<void>;
  /** After batch `batch` (1-based within the epoch), with `{ loss, size }`. */
  onBatchEnd?(batch: number, logs: Logs, ctx: CallbackContext): void | Promise<void>;
}

type Hook = keyof TrainerCallbacks;

/**
 * Several callbacks called in order, each awaited; hooks only those that have
 * them, and only awaits when one returns a promise (so batches stay cheap).
 * @internal
 */
export class CallbackList {
  private readonly list: readonly TrainerCallbacks[];
  constructor(
    callbacks: readonly TrainerCallbacks[] | undefined,
    private readonly ctx: CallbackContext,
  ) {
    this.list = callbacks ?? [];
  }

  /** Whether any callback has `hook`. */
  has(hook: Hook): boolean {
    return this.list.some((c) => typeof c[hook] === 'function');
  }

  /** Call `onTrainBegin` / `onTrainEnd` of each. */
  async train(hook: 'onTrainBegin' | 'onTrainEnd', logs: Logs): Promise<void> {
    for (const c of this.list) await c[hook]?.(logs, this.ctx);
  }

  /** Call `onEpochBegin` / `onEpochEnd` / `onBatchEnd` of each with the (epoch or batch) number. */
  async step(hook: 'onEpochBegin' | 'onEpochEnd' | 'onBatchEnd', n: number, logs: Logs): Promise<void> {
    for (const c of this.list) {
      const r = c[hook]?.(n, logs, this.ctx);
      if (r) await r;
    }
  }
}
