import * as v from 'valibot';
import { ErrorCodes } from '../errors/errors.js';
import { validate } from '../schema/validate.js';
import type { TrainerCallbacks } from './callbacks.js';
import { unknownNameError } from './unknown-name.js';

/** Options of {@link earlyStopping}. */
export interface EarlyStoppingOptions {
  /** The log to watch: `val_loss` (default), `loss`, or a metric (`accuracy`, `val_accuracy`, ...). */
  readonly monitor?: string;
  /** Epochs without improvement to wait before stopping (default 0: stop at the first). */
  readonly patience?: number;
  /** Smallest change that counts as an improvement, ≥ 0 (default 0). */
  readonly minDelta?: number;
  /** Whether lower (`min`) or higher (`max`) is better; `auto` (default): `max` for accuracy, else `min`. */
  readonly mode?: 'min' | 'max' | 'auto';
}

const EarlyStoppingSchema = v.strictObject({
  monitor: v.optional(v.pipe(v.string(), v.minLength(1)), 'val_loss'),
  patience: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 0),
  minDelta: v.optional(v.pipe(v.number(), v.finite(), v.minValue(0)), 0),
  mode: v.optional(v.picklist(['min', 'max', 'auto']), 'auto'),
});

/**
 * A callback that ends the fit (reason `'early-stopping'`) once `monitor` has
 * not improved by more than `minDelta` for `patience` epochs in a row (0 and 1
 * both stop at the first epoch without improvement), like
 * tfjs-layers' `tf.callbacks.earlyStopping`. Its count restarts with every fit
 * (also a resumed one). The best weights are kept by the trainer itself
 * (`keepBest`), so stopping late costs nothing but time.
 *
 * @throws `ValidationError` (path `earlyStopping.<option>`) for bad options;
 *   during the fit, (path `earlyStopping.monitor`) when the logs have no such
 *   entry (e.g. `val_loss` without validation data).
 *
 * @example
 * ```ts
 * await trainer.fit(model, data, { optimizer, epochs: 1000, validation: 0.2, callbacks: [earlyStopping({ patience: 10 })] });
 * ```
 */
export function earlyStopping(options: EarlyStoppingOptions = {}): TrainerCallbacks {
  const { monitor, patience, minDelta, mode } = validate(EarlyStoppingSchema, options, { path: 'earlyStopping', what: 'early-stopping options', code: ErrorCodes.INVALID_SPEC });
  const sign = (mode === 'auto' ? /acc/.test(monitor) : mode === 'max') ? -1 : 1;
  let best = Infinity;
  let wait = 0;
  return {
    onTrainBegin: () => {
      best = Infinity;
      wait = 0;
    },
    onEpochEnd: (_epoch, logs, ctx) => {
      const value = logs[monitor];
      if (value === undefined) {
        throw unknownNameError('log to monitor', monitor, Object.keys(logs), 'earlyStopping.monitor', monitor.startsWith('val_') ? ' (validation logs need validation data)' : '');
      }
      if (sign * value < best - minDelta) {
        best = sign * value;
        wait = 0;
      } else if (++wait >= patience) {
        ctx.stop('early-stopping');
      }
    },
  };
}
