import { beforeAll, describe, expect, it } from 'vitest';
import { NeuralPde } from '../model/neural-pde.js';
import { Trainer } from './trainer.js';
import type { TrainerEvent } from './events.js';
import { tf, type Tensor2D } from '../tensor/tf.js';
import { ErrorCodes, TrainingDivergedError } from '../errors/errors.js';
import { testRegistry, testSpec } from '../test-plugins.test-util.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function makeData(a: number[], n = 40) {
  const truth = NeuralPde.create(testSpec, { registry: testRegistry() });
  truth.setWeights({ 'kernel/a': a }, { partial: true });
  const x = tf.randomNormal([n, 6], 0, 1, 'float32', 1) as Tensor2D;
  const y = truth.predict(x) as Tensor2D;
  truth.dispose();
  return { x, y };
}

describe('Trainer', () => {
  it('recovers the kernel that generated the data and reports events in order', async () => {
    const a = [0.9, 1.2, 1.5, 0.7, 1.1, 1.3];
    const data = makeData(a);
    const model = NeuralPde.create(testSpec, { registry: testRegistry() });
    const trainer = new Trainer({ registry: testRegistry() });
    const events: TrainerEvent[] = [];
    trainer.events$.subscribe((e) => events.push(e));
    const result = await trainer.fit(model, data, { optimizer: { id: '@test/o/sgd', options: { learningRate: 2 } }, epochs: 300, validation: 0.25 });
    expect(result.reason).toBe('completed');
    expect(result.history.loss[0]).toBeGreaterThan(result.loss * 100);
    const learned = Array.from(model.parameters['kernel/a']!.dataSync());
    learned.forEach((ai, i) => expect(ai).toBeCloseTo(a[i]!, 2));
    expect(events[0]!.type).toBe('fit:start');
    expect(events.filter((e) => e.type === 'epoch:end')).toHaveLength(300);
    expect(events.at(-1)!.type).toBe('fit:end');
    const start = events[0] as Extract<TrainerEvent, { type: 'fit:start' }>;
    expect(start.samples).toBe(30);
    expect(start.validationSamples).toBe(10);
    const last = events.at(-2) as Extract<TrainerEvent, { type: 'epoch:end' }>;
    expect(last.valLoss).toBeLessThan(1e-3);
    tf.dispose([data.x, data.y]);
    model.dispose();
  });

  it('leaks no tensors across 20 epochs with mini-batches', async () => {
    const data = makeData([1, 1, 1, 1, 1, 1]);
    const model = NeuralPde.create({ ...testSpec, bias: 'shared' }, { registry: testRegistry() });
    const trainer = new Trainer({ registry: testRegistry() });
    const counts: number[] = [];
    trainer.events$.subscribe((e) => {
      if (e.type === 'epoch:end') counts.push(tf.memory().numTensors);
    });
    const before = tf.memory().numTensors;
    await trainer.fit(model, data, { optimizer: '@test/o/sgd', epochs: 20, batchSize: 16, validation: { x: data.x, y: data.y } });
    expect(new Set(counts).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([data.x, data.y]);
    model.dispose();
  });

  it('stops on divergence, names the epoch and restores the last good weights', async () => {
    const data = makeData([1, 1, 1, 1, 1, 1]);
    // identity activation: the output grows like a^layers, so a too-large step blows up
    const model = NeuralPde.create({ ...testSpec, activation: '@npde/core/testing/identity' }, { registry: testRegistry() });
    const trainer = new Trainer({ registry: testRegistry() });
    const good: number[][] = [];
    trainer.events$.subscribe((e) => {
      if (e.type === 'epoch:end') good.push(Array.from(model.parameters['kernel/a']!.dataSync()));
    });
    const err = await trainer
      .fit(model, data, { optimizer: { id: '@test/o/sgd', options: { learningRate: 40 } }, epochs: 50, divergenceFactor: 10 })
      .catch((e) => e);
    expect(err).toBeInstanceOf(TrainingDivergedError);
    expect(err.code).toBe(ErrorCodes.TRAINING_DIVERGED);
    expect(err.epoch).toBeGreaterThan(1);
    expect(err.message).toContain(`epoch ${err.epoch}`);
    expect(Array.from(model.parameters['kernel/a']!.dataSync())).toEqual(good.at(-1));
    tf.dispose([data.x, data.y]);
    model.dispose();
  });

  it('rejects NaN data and bad options with paths', async () => {
    const model = NeuralPde.create(testSpec, { registry: testRegistry() });
    const trainer = new Trainer({ registry: testRegistry() });
    const x = tf.tensor2d([[1, 2, NaN, 4, 5, 6]]);
    const y = tf.ones([1, 6]);
    await expect(trainer.fit(model, { x, y }, { optimizer: '@test/o/sgd', epochs: 1 })).rejects.toMatchObject({ code: ErrorCodes.NON_FINITE, path: 'data.x' });
    await expect(trainer.fit(model, { x: y, y }, { optimizer: '@test/o/sgd', epochs: 0 })).rejects.toMatchObject({ path: 'epochs' });
    await expect(trainer.fit(model, { x: y, y }, { optimizer: '@test/o/sdg', epochs: 1 })).rejects.toMatchObject({
      code: ErrorCodes.UNKNOWN_PLUGIN,
      path: 'optimizer',
    });
    const y2 = tf.ones([2, 6]);
    await expect(trainer.fit(model, { x: y, y: y2 }, { optimizer: '@test/o/sgd', epochs: 1 })).rejects.toMatchObject({ path: 'data.y' });
    tf.dispose([x, y, y2]);
    model.dispose();
  });

  it('stops when aborted', async () => {
    const data = makeData([1, 1, 1, 1, 1, 1]);
    const model = NeuralPde.create(testSpec, { registry: testRegistry() });
    const trainer = new Trainer({ registry: testRegistry() });
    const ctrl = new AbortController();
    trainer.events$.subscribe((e) => {
      if (e.type === 'epoch:end' && e.epoch === 3) ctrl.abort();
    });
    const r = await trainer.fit(model, data, { optimizer: '@test/o/sgd', epochs: 100, signal: ctrl.signal });
    expect(r.reason).toBe('aborted');
    expect(r.epochs).toBe(3);
    tf.dispose([data.x, data.y]);
    model.dispose();
  });
});
