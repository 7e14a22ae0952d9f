import { beforeAll, describe, expect, it } from 'vitest';
import { NeuralPde } from '../model/neural-pde.js';
import { tf } from '../tensor/tf.js';
import { testSpec } from '../test-plugins.test-util.js';
import type { Logs, TrainerCallbacks } from './callbacks.js';
import { earlyStopping } from './early-stopping.js';
import { makeData, registry } from './fixtures.test-util.js';
import { Trainer } from './trainer.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('callbacks during fit', () => {
  it('are called in order with the logs, and async ones are awaited', async () => {
    const data = makeData([1, 1, 1, 1, 1, 1], 20);
    const model = NeuralPde.create(testSpec, { registry: registry() });
    const calls: string[] = [];
    const epochLogs: Logs[] = [];
    let fitId = '';
    const cb: TrainerCallbacks = {
      onTrainBegin: (_logs, ctx) => {
        fitId = ctx.fitId;
        calls.push('train-begin');
      },
      onEpochBegin: (epoch) => void calls.push(`epoch-begin ${epoch}`),
      onBatchEnd: (batch, logs) => void calls.push(`batch ${batch} ${logs['size']}`),
      onEpochEnd: async (epoch, logs) => {
        await new Promise((r) => setTimeout(r, 5));
        epochLogs.push(logs);
        calls.push(`epoch-end ${epoch}`);
      },
      onTrainEnd: (logs) => void calls.push(`train-end ${logs['loss'] === epochLogs.at(-1)!['loss']}`),
    };
    const result = await new Trainer({ registry: registry() }).fit(model, data, {
      optimizer: '@test/o/sgd',
      epochs: 2,
      batchSize: 8,
      validation: 0.2,
      metrics: ['mse'],
      callbacks: [cb],
    });
    expect(fitId).toBe(result.fitId);
    expect(calls).toEqual([
      'train-begin',
      'epoch-begin 1', 'batch 1 8', 'batch 2 8', 'epoch-end 1',
      'epoch-begin 2', 'batch 1 8', 'batch 2 8', 'epoch-end 2',
      'train-end true',
    ]);
    expect(Object.keys(epochLogs[0]!).sort()).toEqual(['loss', 'mse', 'val_loss', 'val_mse']);
    // mse is the loss here, recorded on the same forward pass: equal to the float32 rounding of its mean.
    expect(epochLogs[0]!['mse']).toBeCloseTo(epochLogs[0]!['loss']!, 6);
    expect(epochLogs[0]!['val_mse']).toBeCloseTo(epochLogs[0]!['val_loss']!, 6);
    expect(result.history.logs).toEqual(epochLogs);
    tf.dispose([data.x, data.y]);
    model.dispose();
  });

  it('can stop training: stop() from a batch ends after it, earlyStopping after its patience', async () => {
    const data = makeData([1, 1, 1, 1, 1, 1], 20);
    const model = NeuralPde.create(testSpec, { registry: registry() });
    const trainer = new Trainer({ registry: registry() });
    const stopped = await trainer.fit(model, data, {
      optimizer: '@test/o/sgd',
      epochs: 10,
      batchSize: 5,
      callbacks: [{ onBatchEnd: (batch, _logs, ctx) => (batch === 2 ? ctx.stop() : undefined) }],
    });
    expect(stopped).toMatchObject({ reason: 'stopped', epochs: 1 });
    // No improvement is ever large enough: epoch 1 sets the mark, 2 and 3 miss it, patience 2 ends at 3.
    const early = await trainer.fit(model, data, {
      optimizer: '@test/o/sgd',
      epochs: 10,
      callbacks: [earlyStopping({ monitor: 'loss', patience: 2, minDelta: 1e9 })],
    });
    expect(early).toMatchObject({ reason: 'early-stopping', epochs: 3 });
    await expect(trainer.fit(model, data, { optimizer: '@test/o/sgd', epochs: 2, callbacks: [earlyStopping()] })).rejects.toMatchObject({ path: 'earlyStopping.monitor' });
    tf.dispose([data.x, data.y]);
    model.dispose();
  });
});
