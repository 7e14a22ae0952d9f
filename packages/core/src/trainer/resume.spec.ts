import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../errors/errors.js';
import { NeuralPde } from '../model/neural-pde.js';
import { tf } from '../tensor/tf.js';
import { testSpec } from '../test-plugins.test-util.js';
import { memoryCheckpointStore } from './checkpoint.js';
import type { TrainerEvent } from './events.js';
import type { FitOptions } from './fit-options.js';
import { makeData, ofType, registry, weightsOf } from './fixtures.test-util.js';
import { Trainer } from './trainer.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const spec = { ...testSpec, bias: 'per-layer' } as const;
// Adam (state: m, v, step), shuffled mini-batches of 8 of 30 samples (the last one 6),
// validation and a metric: everything a resumed fit must restore to end bit for bit equal.
const base: FitOptions = { optimizer: { id: '@test/o/adam', options: { learningRate: 0.05 } }, epochs: 6, batchSize: 8, validation: 0.25, metrics: ['mse'], seed: 5 };

async function straight(data: ReturnType<typeof makeData>) {
  const model = NeuralPde.create(spec, { registry: registry() });
  const result = await new Trainer({ registry: registry() }).fit(model, data, base);
  const weights = weightsOf(model);
  model.dispose();
  return { result, weights };
}

describe('checkpoints and resuming', () => {
  it('3 epochs, a checkpoint, a new model resumed for 3 more: the weights of 6 straight epochs, bit for bit', async () => {
    const data = makeData([0.9, 1.2, 1.5, 0.7, 1.1, 1.3]);
    const ref = await straight(data);

    const store = memoryCheckpointStore();
    const first = NeuralPde.create(spec, { registry: registry() });
    const r1 = await new Trainer({ registry: registry() }).fit(first, data, { ...base, epochs: 3, checkpoint: { store } });
    first.dispose();
    expect(store.checkpoint!.json).toMatchObject({ epoch: 3, iteration: 12, fitId: r1.fitId });

    const second = NeuralPde.create(spec, { registry: registry() });
    const trainer = new Trainer({ registry: registry() });
    const events: TrainerEvent[] = [];
    trainer.events$.subscribe((e) => events.push(e));
    const r2 = await trainer.fit(second, data, { ...base, resume: store });
    expect(weightsOf(second)).toEqual(ref.weights);
    expect(r2.history).toEqual(ref.result.history);
    expect(r2).toMatchObject({ epochs: 6, initialEpoch: 3, best: ref.result.best, restoredBest: ref.result.restoredBest });
    expect(events[0]).toMatchObject({ type: 'fit:start', initialEpoch: 3, epochs: 6 });
    expect(ofType(events, 'epoch:end').map((e) => e.epoch)).toEqual([4, 5, 6]);
    second.dispose();
    tf.dispose([data.x, data.y]);
  });

  it('an interrupted fit (aborted mid-epoch) resumes from its last whole epoch and ends as the uninterrupted one', async () => {
    const data = makeData([0.9, 1.2, 1.5, 0.7, 1.1, 1.3]);
    const ref = await straight(data);
    const store = memoryCheckpointStore();
    const ctrl = new AbortController();
    const first = NeuralPde.create(spec, { registry: registry() });
    const trainer = new Trainer({ registry: registry() });
    const saved: number[] = [];
    trainer.events$.subscribe((e) => {
      if (e.type === 'batch:end' && e.epoch === 4 && e.batch === 2) ctrl.abort();
      if (e.type === 'checkpoint:saved') saved.push(e.epoch);
    });
    const r1 = await trainer.fit(first, data, { ...base, checkpoint: { store, every: 2 }, signal: ctrl.signal });
    first.dispose();
    expect(r1).toMatchObject({ reason: 'aborted', epochs: 4 });
    // every 2: epoch 3 was not saved, and the cut-short epoch 4 cannot be
    expect(saved).toEqual([2]);

    const second = NeuralPde.create(spec, { registry: registry() });
    const r2 = await new Trainer({ registry: registry() }).fit(second, data, { ...base, resume: store.checkpoint! });
    expect(r2.initialEpoch).toBe(2);
    expect(weightsOf(second)).toEqual(ref.weights);
    expect(r2.history).toEqual(ref.result.history);
    second.dispose();
    tf.dispose([data.x, data.y]);
  });

  it('refuses to resume with other settings, from an empty store, or past the last epoch', async () => {
    const data = makeData([1, 1, 1, 1, 1, 1]);
    const store = memoryCheckpointStore();
    const model = NeuralPde.create(spec, { registry: registry() });
    const trainer = new Trainer({ registry: registry() });
    await expect(trainer.fit(model, data, { ...base, resume: store })).rejects.toMatchObject({ code: ErrorCodes.INVALID_SPEC, path: 'resume' });
    await trainer.fit(model, data, { ...base, epochs: 2, checkpoint: { store } });
    const other = NeuralPde.create(spec, { registry: registry() });
    const before = tf.memory().numTensors;
    await expect(trainer.fit(other, data, { ...base, batchSize: 10, resume: store })).rejects.toMatchObject({ path: 'resume', expected: 'batchSize = 8', received: 'batchSize = 10' });
    await expect(trainer.fit(other, data, { ...base, optimizer: { id: '@test/o/adam', options: { learningRate: 0.1 } }, resume: store })).rejects.toMatchObject({ path: 'resume', expected: expect.stringContaining('optimizer') });
    await expect(trainer.fit(other, data, { ...base, epochs: 1, resume: store })).rejects.toMatchObject({ path: 'epochs' });
    expect(tf.memory().numTensors).toBe(before);
    const done = await trainer.fit(other, data, { ...base, epochs: 2, resume: store });
    expect(done).toMatchObject({ epochs: 2, initialEpoch: 2 });
    expect(weightsOf(other)).toEqual(weightsOf(model));
    model.dispose();
    other.dispose();
    tf.dispose([data.x, data.y]);
  });
});
