import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../errors/errors.js';
import type { CallbackContext, Logs } from './callbacks.js';
import { earlyStopping } from './early-stopping.js';
import type { FitStopReason } from './events.js';

/** Feed `values` of `key` epoch by epoch; returns the epoch at which stop() was called. */
function run(cb: ReturnType<typeof earlyStopping>, key: string, values: readonly number[]): number | undefined {
  let stopped: { epoch: number; reason: FitStopReason | undefined } | undefined;
  let epoch = 0;
  const ctx: CallbackContext = { fitId: 'fit-x', stop: (reason) => (stopped ??= { epoch, reason }) };
  void cb.onTrainBegin?.({}, ctx);
  for (const v of values) {
    epoch++;
    void cb.onEpochEnd?.(epoch, { loss: 1, [key]: v } as Logs, ctx);
    if (stopped) break;
  }
  if (stopped) expect(stopped.reason).toBe('early-stopping');
  return stopped?.epoch;
}

describe('earlyStopping', () => {
  it('stops after `patience` epochs without an improvement larger than minDelta', () => {
    expect(run(earlyStopping({ patience: 2 }), 'val_loss', [5, 4, 4.5, 4.2, 3, 3.5])).toBe(4);
    expect(run(earlyStopping({ patience: 0 }), 'val_loss', [5, 4, 4.5])).toBe(3);
    expect(run(earlyStopping({ patience: 1, minDelta: 0.5 }), 'val_loss', [5, 4.8, 4.7])).toBe(2);
    expect(run(earlyStopping({ patience: 2 }), 'val_loss', [5, 4, 3, 2, 1])).toBeUndefined();
  });

  it('maximizes accuracy by default and restarts its count with each fit', () => {
    const cb = earlyStopping({ monitor: 'val_accuracy', patience: 1 });
    expect(run(cb, 'val_accuracy', [0.5, 0.6, 0.6])).toBe(3);
    expect(run(cb, 'val_accuracy', [0.1, 0.2, 0.3])).toBeUndefined();
    expect(run(earlyStopping({ monitor: 'loss', mode: 'max', patience: 1 }), 'loss', [1, 1, 1])).toBe(2);
  });

  it('names a monitored log that is not there, and bad options, by path', () => {
    const cb = earlyStopping();
    const ctx: CallbackContext = { fitId: 'f', stop: () => {} };
    expect(() => cb.onEpochEnd!(1, { loss: 1 }, ctx)).toThrow(expect.objectContaining({ code: ErrorCodes.INVALID_SPEC, path: 'earlyStopping.monitor' }));
    expect(() => earlyStopping({ patience: -1 })).toThrow(expect.objectContaining({ path: 'earlyStopping.patience' }));
    expect(() => earlyStopping({ mode: 'up' as never })).toThrow(expect.objectContaining({ path: 'earlyStopping.mode' }));
  });
});
