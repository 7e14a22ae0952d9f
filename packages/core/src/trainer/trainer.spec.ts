import { lastValueFrom, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes, PluginError, TrainingDivergedError } from '../errors/errors.js';
import { NeuralPde } from '../model/neural-pde.js';
import type { OptimizerInstance } from '../plugins/types.js';
import { tf } from '../tensor/tf.js';
import { testSpec } from '../test-plugins.test-util.js';
import type { TrainerEvent } from './events.js';
import { failingKernel, makeData, ofType, param, registry, weightsOf } from './fixtures.test-util.js';
import { memoryCheckpointStore } from './checkpoint.js';
import { evaluate } from './evaluate.js';
import { Trainer } from './trainer.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('Trainer', () => {
  it('recovers the kernel that generated the data and reports events in order', async () => {
    const a = [0.9, 1.2, 1.5, 0.7, 1.1, 1.3];
    const data = makeData(a);
    const model = NeuralPde.create(testSpec, { registry: registry() });
    const trainer = new Trainer({ registry: registry() });
    const events: TrainerEvent[] = [];
    trainer.events$.subscribe((e) => events.push(e));
    const result = await trainer.fit(model, data, { optimizer: { id: '@test/o/sgd', options: { learningRate: 2 } }, epochs: 300, validation: 0.25 });
    expect(result.reason).toBe('completed');
    expect(result.restoredBest).toBe(false);
    expect(result.best).toMatchObject({ epoch: 300, monitor: 'val_loss' });
    expect(result.history.loss[0]).toBeGreaterThan(result.loss * 100);
    param(model, 'kernel/a').forEach((ai, i) => expect(ai).toBeCloseTo(a[i]!, 2));
    expect(events[0]).toMatchObject({ type: 'fit:start', fitId: result.fitId, samples: 30, validationSamples: 10, initialEpoch: 0 });
    expect(ofType(events, 'epoch:end')).toHaveLength(300);
    expect(ofType(events, 'batch:end')).toHaveLength(300);
    expect(events.at(-1)).toMatchObject({ type: 'fit:end', epochs: 300, reason: 'completed', restoredBest: false });
    expect(events.every((e) => e.fitId === result.fitId)).toBe(true);
    const last = ofType(events, 'epoch:end').at(-1)!;
    expect(last.valLoss).toBeLessThan(1e-3);
    expect(last.logs).toEqual({ loss: last.loss, val_loss: last.valLoss });
    tf.dispose([data.x, data.y]);
    model.dispose();
  });

  // The built-in mse has a hand-written gradient (no tensor of ones); training with it
  // must be the training with tfjs's autodiff of mean((p − t)²), to the last bit.
  it("trains with 'mse' exactly as with the formula mean((p − t)²) as a loss function", async () => {
    const data = makeData([0.9, 1.2, 1.5, 0.7, 1.1, 1.3]);
    const fit = async (loss: 'mse' | ((p: tf.Tensor2D, t: tf.Tensor2D) => tf.Scalar)) => {
      const model = NeuralPde.create(testSpec, { registry: registry() });
      const result = await new Trainer({ registry: registry() }).fit(model, data, { optimizer: '@test/o/adam', epochs: 15, batchSize: 16, loss });
      const weights = weightsOf(model);
      model.dispose();
      return { history: result.history.loss, weights };
    };
    const builtIn = await fit('mse');
    const plain = await fit((p, t) => tf.mean(tf.squaredDifference(p, t)));
    expect(builtIn.history).toEqual(plain.history);
    expect(builtIn.weights).toEqual(plain.weights);
    expect(builtIn.history.at(-1)!).toBeLessThan(builtIn.history[0]!);
    tf.dispose([data.x, data.y]);
  });

  // Everything a fit holds is made by epoch 1's end (optimizer slots, the weight snapshot,
  // the best weights); from then on the count must not move by a single tensor.
  it('leaks no tensors across 20 epochs (mini-batches, validation, metrics, checkpoints, Adam)', async () => {
    const data = makeData([1, 1, 1, 1, 1, 1]);
    const model = NeuralPde.create({ ...testSpec, bias: 'shared' }, { registry: registry() });
    const trainer = new Trainer({ registry: registry() });
    const counts: number[] = [];
    trainer.events$.subscribe((e) => {
      if (e.type === 'epoch:end') counts.push(tf.memory().numTensors);
    });
    const before = tf.memory().numTensors;
    await trainer.fit(model, data, {
      optimizer: '@test/o/adam',
      epochs: 20,
      batchSize: 16,
      validation: { x: data.x, y: data.y },
      metrics: ['mse'],
      checkpoint: { store: memoryCheckpointStore(), every: 3 },
    });
    expect(counts).toHaveLength(20);
    expect(counts.at(-1)).toBe(counts[0]);
    expect(new Set(counts).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([data.x, data.y]);
    model.dispose();
  });

  it('stops on divergence, names the epoch and restores the last good weights', async () => {
    const data = makeData([1, 1, 1, 1, 1, 1]);
    // identity activation: the output grows like a^layers, so a too-large step blows up
    const model = NeuralPde.create({ ...testSpec, activation: '@npde/core/testing/identity' }, { registry: registry() });
    const trainer = new Trainer({ registry: registry() });
    const good: number[][] = [];
    trainer.events$.subscribe((e) => {
      if (e.type === 'epoch:end') good.push(param(model, 'kernel/a'));
    });
    const err = await trainer
      .fit(model, data, { optimizer: { id: '@test/o/sgd', options: { learningRate: 40 } }, epochs: 50, divergenceFactor: 10 })
      .catch((e) => e);
    expect(err).toBeInstanceOf(TrainingDivergedError);
    expect(err.code).toBe(ErrorCodes.TRAINING_DIVERGED);
    expect(err.epoch).toBeGreaterThan(1);
    expect(err.message).toContain(`epoch ${err.epoch}`);
    expect(param(model, 'kernel/a')).toEqual(good.at(-1));
    tf.dispose([data.x, data.y]);
    model.dispose();
  });

  it('rejects NaN data and bad options with paths', async () => {
    const model = NeuralPde.create(testSpec, { registry: registry() });
    const trainer = new Trainer({ registry: registry() });
    const x = tf.tensor2d([[1, 2, NaN, 4, 5, 6]]);
    const y = tf.ones([1, 6]);
    const y2 = tf.ones([2, 6]);
    const before = tf.memory().numTensors;
    await expect(trainer.fit(model, { x, y }, { optimizer: '@test/o/sgd', epochs: 1 })).rejects.toMatchObject({ code: ErrorCodes.NON_FINITE, path: 'data.x' });
    await expect(trainer.fit(model, { x: y, y: x }, { optimizer: '@test/o/sgd', epochs: 1 })).rejects.toMatchObject({ code: ErrorCodes.NON_FINITE, path: 'data.y' });
    await expect(trainer.fit(model, { x: y, y }, { optimizer: '@test/o/sgd', epochs: 0 })).rejects.toMatchObject({ path: 'epochs' });
    await expect(trainer.fit(model, { x: y, y }, { optimizer: '@test/o/sgd', epochs: 1, batchSize: 1.5 })).rejects.toMatchObject({ path: 'batchSize' });
    await expect(trainer.fit(model, { x: y, y }, { optimizer: '@test/o/sgd', epochs: 1, checkpoint: { store: memoryCheckpointStore(), every: 0 } })).rejects.toMatchObject({ path: 'checkpoint.every' });
    await expect(trainer.fit(model, { x: y, y }, { optimizer: '@test/o/sdg', epochs: 1 })).rejects.toMatchObject({ code: ErrorCodes.UNKNOWN_PLUGIN, path: 'optimizer' });
    await expect(trainer.fit(model, { x: y, y }, { optimizer: '@test/o/sgd', epochs: 1, loss: 'mae' as never })).rejects.toMatchObject({ path: 'loss' });
    await expect(trainer.fit(model, { x: y, y: y2 }, { optimizer: '@test/o/sgd', epochs: 1 })).rejects.toMatchObject({ path: 'data.y' });
    await expect(trainer.fit(model, { x: y2, y: y2 }, { optimizer: '@test/o/sgd', epochs: 1, validation: 0.1 })).rejects.toMatchObject({ path: 'validation' });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y, y2]);
    model.dispose();
  });

  it('stops when aborted', async () => {
    const data = makeData([1, 1, 1, 1, 1, 1]);
    const model = NeuralPde.create(testSpec, { registry: registry() });
    const trainer = new Trainer({ registry: registry() });
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

describe('Trainer.start: one stream per fit', () => {
  it('tags every event with the fit id and completes each fit’s stream at its end', async () => {
    const data = makeData([1, 1, 1, 1, 1, 1]);
    const model = NeuralPde.create(testSpec, { registry: registry() });
    const trainer = new Trainer({ registry: registry() });
    const all: TrainerEvent[] = [];
    trainer.events$.subscribe((e) => all.push(e));
    const first = trainer.start(model, data, { optimizer: '@test/o/sgd', epochs: 2 });
    const firstEvents = lastValueFrom(first.events$.pipe(toArray()));
    const r1 = await first.result;
    const second = trainer.start(model, data, { optimizer: '@test/o/sgd', epochs: 3 });
    const secondEvents = lastValueFrom(second.events$.pipe(toArray()));
    await second.result;
    expect(first.fitId).not.toBe(second.fitId);
    expect(r1.fitId).toBe(first.fitId);
    expect((await firstEvents).map((e) => e.type)).toEqual(['fit:start', 'batch:end', 'epoch:end', 'batch:end', 'epoch:end', 'fit:end']);
    expect((await secondEvents).every((e) => e.fitId === second.fitId)).toBe(true);
    expect(all.filter((e) => e.fitId === first.fitId)).toEqual(await firstEvents);
    tf.dispose([data.x, data.y]);
    model.dispose();
  });

  it('ends the stream with fit:diverged or fit:failed, then completes without erroring', async () => {
    const data = makeData([1, 1, 1, 1, 1, 1]);
    const model = NeuralPde.create({ ...testSpec, activation: '@npde/core/testing/identity' }, { registry: registry() });
    const trainer = new Trainer({ registry: registry() });
    const diverging = trainer.start(model, data, { optimizer: { id: '@test/o/sgd', options: { learningRate: 40 } }, epochs: 50, divergenceFactor: 10 });
    const events = await lastValueFrom(diverging.events$.pipe(toArray()));
    expect(events.at(-1)!.type).toBe('fit:diverged');
    await expect(diverging.result).rejects.toBeInstanceOf(TrainingDivergedError);

    const bad = trainer.start(model, { x: data.x, y: [[1]] }, { optimizer: '@test/o/sgd', epochs: 1 });
    const badEvents = await lastValueFrom(bad.events$.pipe(toArray()));
    expect(badEvents.map((e) => e.type)).toEqual(['fit:failed']);
    const failed = badEvents[0] as Extract<TrainerEvent, { type: 'fit:failed' }>;
    await expect(bad.result).rejects.toBe(failed.error);
    tf.dispose([data.x, data.y]);
    model.dispose();
  });
});

describe('errors inside fit are blamed where they arose', () => {
  const data = () => makeData([1, 1, 1, 1, 1, 1], 8);
  const spec = (kernel: string) => ({ ...testSpec, kernel });

  it('a plugin error from the model passes through unchanged, naming that plugin and hook', async () => {
    const kernel = failingKernel('@test/k/fails', 5, true);
    const reg = registry().register(kernel);
    const d = data();
    const model = NeuralPde.create(spec(kernel.id), { registry: reg });
    const err = await new Trainer({ registry: reg }).fit(model, d, { optimizer: '@test/o/sgd', epochs: 3 }).catch((e) => e);
    expect(err).toBeInstanceOf(PluginError);
    expect(err).toMatchObject({ code: ErrorCodes.PLUGIN_FAILED, plugin: kernel.id, hook: 'apply' });
    expect(err.cause.message).toBe('boom');
    tf.dispose([d.x, d.y]);
    model.dispose();
  });

  it('a plain error thrown in the forward pass is not blamed on the optimizer', async () => {
    const kernel = failingKernel('@test/k/fails-plain', 5, false);
    const reg = registry().register(kernel);
    const d = data();
    const model = NeuralPde.create(spec(kernel.id), { registry: reg });
    const err = await new Trainer({ registry: reg }).fit(model, d, { optimizer: '@test/o/adam', epochs: 3 }).catch((e) => e);
    expect(err.message).toContain('boom');
    expect(err.plugin).not.toBe('@test/o/adam');
    tf.dispose([d.x, d.y]);
    model.dispose();
  });

  it('an error of the optimizer’s own is wrapped as its step’s', async () => {
    const d = data();
    const model = NeuralPde.create(testSpec, { registry: registry() });
    const err = await new Trainer({ registry: registry() }).fit(model, d, { optimizer: '@test/o/broken', epochs: 1 }).catch((e) => e);
    expect(err).toMatchObject({ code: ErrorCodes.PLUGIN_FAILED, plugin: '@test/o/broken', hook: 'step' });
    expect(err.cause).toBeInstanceOf(TypeError);
    tf.dispose([d.x, d.y]);
    model.dispose();
  });
});

describe('keeping the best weights', () => {
  // A learning rate far too large for tanh: the loss cannot blow past the divergence test
  // (tanh bounds it) but ends well above its start. The fit must end with the best weights
  // back in the model, and say so.
  it('puts the best weights back when a far too large learning rate ends worse, and says so', async () => {
    const data = makeData([0.9, 1.2, 1.5, 0.7, 1.1, 1.3]);
    const model = NeuralPde.create(testSpec, { registry: registry() });
    const trainer = new Trainer({ registry: registry() });
    const events: TrainerEvent[] = [];
    trainer.events$.subscribe((e) => events.push(e));
    const result = await trainer.fit(model, data, { optimizer: { id: '@test/o/sgd', options: { learningRate: 2000 } }, epochs: 20 });
    expect(result.reason).toBe('completed');
    expect(result.restoredBest).toBe(true);
    expect(result.best!.monitor).toBe('loss');
    expect(result.best!.loss).toBeLessThan(Math.min(...result.history.loss.slice(1)));
    const restored = ofType(events, 'fit:best-restored');
    expect(restored).toHaveLength(1);
    expect(restored[0]).toMatchObject({ epoch: result.best!.epoch, loss: result.best!.loss, monitor: 'loss' });
    expect(restored[0]!.finalLoss).toBeGreaterThan(2 * result.best!.loss);
    expect(events.at(-1)).toMatchObject({ type: 'fit:end', restoredBest: true });
    // Full batch: the loss credited to the restored weights is theirs exactly.
    expect(Math.abs(evaluate(model, data).loss - result.best!.loss)).toBeLessThan(1e-6 * result.best!.loss);
    tf.dispose([data.x, data.y]);
    model.dispose();
  });

  it('ranks weights by validation loss when there is validation data, and keepBest: false keeps the final ones', async () => {
    const data = makeData([0.9, 1.2, 1.5, 0.7, 1.1, 1.3]);
    const options = { optimizer: { id: '@test/o/sgd', options: { learningRate: 2000 } }, epochs: 12, validation: 0.25 } as const;
    const model = NeuralPde.create(testSpec, { registry: registry() });
    const epochWeights = [weightsOf(model)];
    const trainer = new Trainer({ registry: registry() });
    trainer.events$.subscribe((e) => e.type === 'epoch:end' && epochWeights.push(weightsOf(model)));
    const result = await trainer.fit(model, data, options);
    expect(result.best!.monitor).toBe('val_loss');
    // The weights before training compete too: here they are the best (epoch 0).
    expect(result.best!.loss).toBeLessThan(Math.min(...result.history.valLoss.map((v) => v!)));
    expect(result.best!.epoch).toBe(0);
    expect(result.restoredBest).toBe(true);
    expect(weightsOf(model)).toEqual(epochWeights[0]);
    const [vx, vy] = [data.x.slice([30, 0], [10, 6]), data.y.slice([30, 0], [10, 6])];
    expect(evaluate(model, { x: vx, y: vy }).loss).toBeCloseTo(result.best!.loss, 7);
    tf.dispose([vx, vy]);

    const plain = NeuralPde.create(testSpec, { registry: registry() });
    const last: Record<string, number[]>[] = [];
    const t2 = new Trainer({ registry: registry() });
    t2.events$.subscribe((e) => e.type === 'epoch:end' && last.push(weightsOf(plain)));
    const r2 = await t2.fit(plain, data, { ...options, keepBest: false });
    expect(r2).toMatchObject({ restoredBest: false, best: undefined });
    expect(weightsOf(plain)).toEqual(last.at(-1));
    tf.dispose([data.x, data.y]);
    model.dispose();
    plain.dispose();
  });

  // Five good full-batch steps, then a step size that wrecks the fit: the best weights are
  // those after epoch 5, by either monitor. By training loss this checks the crediting:
  // epoch e's loss is measured on the weights epoch e started from.
  it.each([['loss'], ['val_loss']] as const)('restores the weights after the last good epoch, by %s', async (monitor) => {
    const data = makeData([0.9, 1.2, 1.5, 0.7, 1.1, 1.3]);
    const model = NeuralPde.create(testSpec, { registry: registry() });
    let steps = 0;
    const jumpy: OptimizerInstance = {
      step: (p) => {
        const lr = ++steps <= 5 ? 2 : 2000;
        const { loss, grads } = p.lossAndGrads();
        const value = loss.dataSync()[0]!;
        tf.tidy(() => p.variables.forEach((v, i) => v.assign(tf.sub(v, tf.mul(lr, grads[i]!)))));
        tf.dispose([loss, ...grads]);
        return value;
      },
      dispose: () => {},
    };
    const after: Record<string, number[]>[] = [weightsOf(model)];
    const trainer = new Trainer({ registry: registry() });
    trainer.events$.subscribe((e) => e.type === 'epoch:end' && after.push(weightsOf(model)));
    const validation = monitor === 'val_loss' ? { x: data.x, y: data.y } : undefined;
    const result = await trainer.fit(model, data, { optimizer: jumpy, epochs: 10, validation });
    expect(result.best).toMatchObject({ epoch: 5, monitor });
    expect(result.restoredBest).toBe(true);
    expect(weightsOf(model)).toEqual(after[5]);
    expect(evaluate(model, data).loss).toBeCloseTo(result.best!.loss, 7);
    tf.dispose([data.x, data.y]);
    model.dispose();
  });
});
