import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../errors/errors.js';
import { tf } from '../tensor/tf.js';
import { checkSameSettings, decodeCheckpoint, encodeCheckpoint, memoryCheckpointStore, settingsHash, type CheckpointParts, type FitSettings } from './checkpoint.js';
import { historyFrom, recordEpoch } from './history.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const settings: FitSettings = {
  seed: 3,
  batchSize: 8,
  shuffle: true,
  samples: 40,
  validationSamples: 10,
  loss: 'mse',
  optimizer: { id: '@test/o/adam', options: { learningRate: 0.1 } },
  parameters: ['kernel/a[6]'],
  keepBest: true,
};

function parts(): CheckpointParts {
  const history = historyFrom();
  recordEpoch(history, { loss: 2, val_loss: 3 });
  recordEpoch(history, { loss: 1, val_loss: NaN });
  return {
    fitId: 'fit-1',
    epoch: 2,
    iteration: 10,
    firstLoss: 2,
    history,
    settings,
    weights: { 'kernel/a': tf.tensor1d([1, 2, 3, 4, 5, 6]), omega: tf.scalar(0.5) },
    optimizerState: { 'm/0': tf.tensor1d([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]), step: tf.scalar(10, 'int32') },
    best: { epoch: 1, loss: 3, monitor: 'val_loss', weights: { 'kernel/a': tf.tensor1d([6, 5, 4, 3, 2, 1]), omega: tf.scalar(0.25) } },
  };
}

const disposeParts = (p: CheckpointParts) => tf.dispose([...Object.values(p.weights), ...Object.values(p.optimizerState), ...Object.values(p.best!.weights)]);

describe('checkpoints', () => {
  it('round-trip weights, optimizer state (int32 included), best weights and history through a memory store', async () => {
    const p = parts();
    const store = memoryCheckpointStore();
    expect(await store.load()).toBeUndefined();
    await store.save(await encodeCheckpoint(p));
    disposeParts(p);
    const loaded = (await store.load())!;
    expect(loaded.json).toMatchObject({ format: 'npde-checkpoint', epoch: 2, iteration: 10, firstLoss: 2, best: { epoch: 1, loss: 3, monitor: 'val_loss' }, settingsHash: settingsHash(settings) });
    const d = decodeCheckpoint(loaded, 'resume');
    expect(Array.from(d.weights['kernel/a']!.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    expect(d.optimizerState['step']!.dtype).toBe('int32');
    expect(d.optimizerState['step']!.dataSync()[0]).toBe(10);
    expect(Array.from(d.optimizerState['m/0']!.dataSync())).toEqual(Array.from(new Float32Array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6])));
    expect(Array.from(d.bestWeights!['kernel/a']!.dataSync())).toEqual([6, 5, 4, 3, 2, 1]);
    expect(d.history.loss).toEqual([2, 1]);
    expect(d.history.valLoss).toEqual([3, NaN]);
    tf.dispose([...Object.values(d.weights), ...Object.values(d.optimizerState), ...Object.values(d.bestWeights!)]);
  });

  it('memory stores copy, so a later change to either side does not leak', async () => {
    const p = parts();
    const c = await encodeCheckpoint(p);
    disposeParts(p);
    const store = memoryCheckpointStore();
    await store.save(c);
    new Uint8Array(c.weightData).fill(0);
    (c.json as { epoch: number }).epoch = 99;
    const again = (await store.load())!;
    expect(again.json.epoch).toBe(2);
    expect(new Uint8Array(again.weightData).some((b) => b !== 0)).toBe(true);
  });

  it('refuses damaged checkpoints and other settings, naming what differs', async () => {
    const p = parts();
    const c = await encodeCheckpoint(p);
    disposeParts(p);
    expect(() => decodeCheckpoint({ ...c, weightData: c.weightData.slice(0, 8) }, 'resume')).toThrow(expect.objectContaining({ code: ErrorCodes.INVALID_MODEL_FILE, path: 'resume' }));
    expect(() => decodeCheckpoint({ ...c, json: { ...c.json, format: 'npde-model' as never } }, 'resume')).toThrow(expect.objectContaining({ code: ErrorCodes.INVALID_MODEL_FILE }));
    expect(() => decodeCheckpoint({ ...c, json: { ...c.json, formatVersion: 2 } }, 'resume')).toThrow(/newer npde/);
    expect(() => checkSameSettings(settings, { ...settings, optimizer: { options: { learningRate: 0.1 }, id: '@test/o/adam' } })).not.toThrow();
    const err = (() => {
      try {
        checkSameSettings(settings, { ...settings, seed: 4, batchSize: 16 });
      } catch (e) {
        return e as { code: string; path: string; expected: string; received: string };
      }
    })();
    expect(err).toMatchObject({ code: ErrorCodes.INVALID_SPEC, path: 'resume', expected: 'seed = 3; batchSize = 8', received: 'seed = 4; batchSize = 16' });
  });
});
