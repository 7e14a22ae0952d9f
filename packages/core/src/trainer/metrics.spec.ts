import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../errors/errors.js';
import { tf, type Tensor2D } from '../tensor/tf.js';
import { mse, softmaxCrossEntropy } from './loss.js';
import { metrics, resolveMetrics } from './metrics.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const p = [
  [0.1, 0.9, 0.0],
  [2.0, 1.0, 3.0],
  [5.0, -1.0, 0.0],
  [0.0, 0.2, 0.1],
];

describe('accuracy', () => {
  it('is the share of samples whose largest output is the label', () => {
    const value = tf.tidy(() => metrics.accuracy.compute(tf.tensor2d(p) as Tensor2D, tf.tensor1d([1, 2, 1, 0], 'int32')).dataSync()[0]!);
    expect(value).toBe(0.5);
  });

  it('reads one-hot value targets by their argmax', () => {
    const onehot = [[0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 0, 1]];
    const value = tf.tidy(() => metrics.accuracy.compute(tf.tensor2d(p) as Tensor2D, tf.tensor2d(onehot)).dataSync()[0]!);
    expect(value).toBe(0.75);
  });
});

describe('resolveMetrics', () => {
  it('resolves names and checks them against the loss, by index', () => {
    expect(resolveMetrics(['accuracy', 'mse'], mse).map((m) => m.name)).toEqual(['accuracy', 'mse']);
    expect(resolveMetrics(undefined, mse)).toEqual([]);
    expect(() => resolveMetrics(['accuracy', 'mse'], softmaxCrossEntropy)).toThrow(expect.objectContaining({ code: ErrorCodes.INVALID_SPEC, path: 'metrics[1]' }));
    expect(() => resolveMetrics(['acuracy' as never], mse)).toThrow(expect.objectContaining({ path: 'metrics[0]', hint: "Did you mean 'accuracy'?" }));
    expect(() => resolveMetrics(['mse', 'mse'], mse)).toThrow(expect.objectContaining({ path: 'metrics[1]' }));
    expect(() => resolveMetrics([{ ...metrics.mse, name: 'val_x' }], mse)).toThrow(expect.objectContaining({ path: 'metrics[0]' }));
  });
});
