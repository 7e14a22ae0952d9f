import { NeuralPde, Trainer, tf, type Tensor2D } from '@npde/core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { plugins } from './index.js';
import { adrRecovery, testRegistry } from './testing/adr-problem.test-util.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

let cleanup: (() => void)[] = [];
afterEach(() => {
  cleanup.forEach((f) => f());
  cleanup = [];
});

// Through the trainer: it poses the problems (with `objective`), so each optimizer is reached by id.
describe('the new optimizers through Trainer.fit', () => {
  it.each([
    ['@npde/optimizers/lbfgs', { iterations: 5 }, 'heterogeneous'],
    ['@npde/optimizers/adjoint', { learningRate: 0.03, segment: 2 }, 'heterogeneous'],
    ['@npde/optimizers/on-the-fly', { learningRate: 0.03 }, 'time-dependent'],
  ] as const)('%s lowers the loss of the ADR recovery problem', async (id, options, family) => {
    const task = adrRecovery({ N: 8, L: 4, omega: 0.5, n: 16, family });
    cleanup.push(() => task.dispose());
    const registry = testRegistry().register(plugins);
    const live = tf.memory().numTensors;
    const fit = await new Trainer({ registry }).fit(task.model, { x: task.x, y: task.y }, { optimizer: { id, options }, epochs: 6, batchSize: 16, keepBest: false });
    expect(tf.memory().numTensors).toBeLessThanOrEqual(live + 4 * task.model.trainableVariables.length);
    const losses = fit.history.loss;
    expect(losses.at(-1)!).toBeLessThan(losses[0]! / 2);
  });

  it('@npde/optimizers/pseudoinverse fits a dense layer in one epoch', async () => {
    const registry = testRegistry().register(plugins);
    const spec = { field: { shape: [6] }, layers: 1, activation: '@npde/core/testing/tanh', omega: 1, kernel: { id: '@npde/kernels/dense' } };
    const truth = NeuralPde.create({ ...spec, seed: 5 }, { registry });
    const model = NeuralPde.create({ ...spec, seed: 6 }, { registry });
    const w = tf.randomNormal([1, 6, 6], 0, 0.4, 'float32', 3);
    truth.setWeights({ 'kernel/W': Array.from(w.dataSync()) }, { partial: true });
    w.dispose();
    const x = tf.randomNormal([32, 6], 0, 1, 'float32', 2) as Tensor2D;
    const y = tf.tidy(() => truth.forward(x));
    cleanup.push(() => [truth, model].forEach((m) => m.dispose()), () => tf.dispose([x, y]));
    const fit = await new Trainer({ registry }).fit(model, { x, y }, { optimizer: '@npde/optimizers/pseudoinverse', epochs: 2, batchSize: 32, keepBest: false });
    // Epoch 1 reports the loss before the solve, epoch 2 the loss after it: at the float32 floor.
    expect(fit.history.loss[1]!).toBeLessThan(1e-9);
    expect(fit.history.loss[0]!).toBeGreaterThan(1e-3);
  });
});
