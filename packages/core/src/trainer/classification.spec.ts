import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../errors/errors.js';
import { NeuralPde } from '../model/neural-pde.js';
import { tf, type Tensor2D } from '../tensor/tf.js';
import { testSpec } from '../test-plugins.test-util.js';
import { evaluate } from './evaluate.js';
import { registry } from './fixtures.test-util.js';
import { Trainer } from './trainer.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** 6 outputs read as 6 classes; the label is the site where c ⊙ x is largest (c has mixed signs). */
function classification(n: number, seed: number) {
  const c = [1, -1, 1, -1, 1, -1];
  const x = tf.randomNormal([n, 6], 0, 1, 'float32', seed) as Tensor2D;
  const rows = x.arraySync();
  const labels = rows.map((r) => r.map((v, i) => v * c[i]!).reduce((best, v, i, a) => (v > a[best]! ? i : best), 0));
  return { x, y: labels };
}

describe('classification with softmax cross-entropy', () => {
  it('trains on integer labels, reporting accuracy per epoch and through evaluate', async () => {
    const data = classification(60, 2);
    const model = NeuralPde.create({ ...testSpec, activation: '@npde/core/testing/identity', omega: 1 }, { registry: registry() });
    const opts = { loss: 'softmax-cross-entropy', metrics: ['accuracy'] } as const;
    const before = evaluate(model, data, opts);
    const result = await new Trainer({ registry: registry() }).fit(model, data, { optimizer: { id: '@test/o/adam', options: { learningRate: 0.1 } }, epochs: 60, validation: 0.25, ...opts });
    const after = evaluate(model, data, opts);
    expect(Object.keys(result.logs).sort()).toEqual(['accuracy', 'loss', 'val_accuracy', 'val_loss']);
    expect(after.loss).toBeLessThan(before.loss / 2);
    expect(after['accuracy']).toBeGreaterThan(before['accuracy']! + 0.3);
    expect(after['accuracy']).toBeGreaterThan(0.9);
    // accuracy is a share of samples, k/60, computed as a float32 mean (relative error ~6e-8)
    expect(Math.abs(after['accuracy']! * 60 - Math.round(after['accuracy']! * 60))).toBeLessThan(1e-5);
    // evaluate in batches gives the value over the whole data (batches weighted by size),
    // up to the float32 rounding of each batch's mean (~1e-7)
    const batched = evaluate(model, data, { ...opts, batchSize: 7 });
    expect(batched['accuracy']).toBeCloseTo(after['accuracy']!, 6);
    expect(batched.loss).toBeCloseTo(after.loss, 6);
    data.x.dispose();
    model.dispose();
  });

  it('checks labels by path: integers in 0…classes−1, one per sample', async () => {
    const model = NeuralPde.create(testSpec, { registry: registry() });
    const x = tf.randomNormal([4, 6], 0, 1, 'float32', 3);
    const fit = (y: unknown) => new Trainer({ registry: registry() }).fit(model, { x, y: y as number[] }, { optimizer: '@test/o/sgd', epochs: 1, loss: 'softmax-cross-entropy' });
    await expect(fit([0, 1, 6, 2])).rejects.toMatchObject({ code: ErrorCodes.INVALID_SPEC, path: 'data.y[2]' });
    await expect(fit([0, 1.5, 2, 2])).rejects.toMatchObject({ path: 'data.y[1]' });
    await expect(fit([0, 1, 2, NaN])).rejects.toMatchObject({ code: ErrorCodes.NON_FINITE, path: 'data.y[3]' });
    await expect(fit([0, 1, 2])).rejects.toMatchObject({ code: ErrorCodes.SHAPE_MISMATCH, path: 'data.y' });
    await expect(fit([[0, 1, 0, 0, 0, 0]])).rejects.toMatchObject({ code: ErrorCodes.SHAPE_MISMATCH, path: 'data.y' });
    const ok = await new Trainer({ registry: registry() }).fit(model, { x, y: tf.tensor2d([[0], [1], [2], [5]]) }, { optimizer: '@test/o/sgd', epochs: 1, loss: 'softmax-cross-entropy', metrics: ['accuracy'] });
    expect(ok.logs['accuracy']).toBeGreaterThanOrEqual(0);
    expect(() => evaluate(model, { x, y: [0, 1, 2, 3] }, { loss: 'softmax-cross-entropy', metrics: ['mse'] })).toThrow(expect.objectContaining({ path: 'metrics[0]' }));
    x.dispose();
    model.dispose();
  });
});
