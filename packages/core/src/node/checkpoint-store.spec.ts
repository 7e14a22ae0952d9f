import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ErrorCodes } from '../errors/errors.js';
import { tf } from '../tensor/tf.js';
import { encodeCheckpoint, type FitSettings } from '../trainer/checkpoint.js';
import { historyFrom } from '../trainer/history.js';
import { NeuralPde } from '../model/neural-pde.js';
import { testRegistry, testSpec } from '../test-plugins.test-util.js';
import { Trainer } from '../trainer/trainer.js';
import { fileCheckpointStore } from './checkpoint-store.js';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(path.join(tmpdir(), 'npde-ckpt-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const settings: FitSettings = { seed: 0, batchSize: 4, shuffle: true, samples: 8, validationSamples: 0, loss: 'mse', optimizer: '(instance)', parameters: ['a[3]'], keepBest: false };

async function checkpointAt(epoch: number, value: number) {
  const weights = { a: tf.fill([3], value) };
  const optimizerState = { step: tf.scalar(epoch * 2, 'int32') };
  const c = await encodeCheckpoint({ fitId: 'fit-1', epoch, iteration: epoch * 2, firstLoss: 1, history: historyFrom(), settings, weights, optimizerState, best: undefined });
  tf.dispose([weights.a, optimizerState.step]);
  return c;
}

describe('fileCheckpointStore (@npde/core/node)', () => {
  it('returns undefined before the first save, then the latest checkpoint, keeping one weights file', async () => {
    const store = fileCheckpointStore(path.join(dir, 'run'));
    expect(await store.load()).toBeUndefined();
    await store.save(await checkpointAt(1, 0.5));
    await store.save(await checkpointAt(2, 0.25));
    const loaded = (await store.load())!;
    expect(loaded.json.epoch).toBe(2);
    expect(Array.from(new Float32Array(loaded.weightData, 0, 3))).toEqual([0.25, 0.25, 0.25]);
    expect((await readdir(path.join(dir, 'run'))).sort()).toEqual(['checkpoint-000002.bin', 'checkpoint.json']);
  });

  it('fails clearly on a damaged directory', async () => {
    const broken = path.join(dir, 'broken');
    const store = fileCheckpointStore(broken);
    await store.save(await checkpointAt(1, 1));
    await writeFile(path.join(broken, 'checkpoint.json'), '{ nope');
    await expect(store.load()).rejects.toMatchObject({ code: ErrorCodes.INVALID_MODEL_FILE, path: path.join(broken, 'checkpoint.json') });
    await writeFile(path.join(broken, 'checkpoint.json'), JSON.stringify({ weightsFile: 'checkpoint-000009.bin', checkpoint: {} }));
    await expect(store.load()).rejects.toMatchObject({ code: ErrorCodes.INVALID_MODEL_FILE, path: path.join(broken, 'checkpoint-000009.bin') });
  });
});

describe('resuming a fit from a checkpoint directory', () => {
  it('ends with the weights of the uninterrupted fit', async () => {
    const registry = testRegistry();
    const x = tf.randomNormal([12, 6], 0, 1, 'float32', 4);
    const y = tf.tanh(x);
    const options = { optimizer: { id: '@test/o/sgd', options: { learningRate: 0.5 } }, epochs: 4, batchSize: 5, seed: 2 } as const;
    const weights = (m: NeuralPde) => {
      const w = m.getWeights();
      const out = Object.fromEntries(Object.entries(w).map(([k, t]) => [k, Array.from(t.dataSync())]));
      tf.dispose(Object.values(w));
      return out;
    };
    const straight = NeuralPde.create(testSpec, { registry });
    await new Trainer({ registry }).fit(straight, { x, y }, options);
    const store = fileCheckpointStore(path.join(dir, 'resume'));
    const first = NeuralPde.create(testSpec, { registry });
    await new Trainer({ registry }).fit(first, { x, y }, { ...options, epochs: 2, checkpoint: { store } });
    const second = NeuralPde.create(testSpec, { registry });
    const r = await new Trainer({ registry }).fit(second, { x, y }, { ...options, resume: fileCheckpointStore(path.join(dir, 'resume')) });
    expect(r.initialEpoch).toBe(2);
    expect(weights(second)).toEqual(weights(straight));
    [straight, first, second].forEach((m) => m.dispose());
    tf.dispose([x, y]);
  });
});
