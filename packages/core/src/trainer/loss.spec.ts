import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../errors/errors.js';
import { tf, type Scalar, type Tensor2D } from '../tensor/tf.js';
import { mse, resolveLoss, softmaxCrossEntropy, sse } from './loss.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const logits = [
  [2.0, -1.0, 0.5],
  [0.1, 0.2, 0.3],
  [-3.0, 4.0, 1.0],
  [1.5, 1.5, -2.0],
];
const labels = [0, 2, 1, 1];

/** float64: softmax of each row. */
const softmax = (row: readonly number[]) => {
  const m = Math.max(...row);
  const e = row.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};

describe('softmax cross-entropy on integer labels', () => {
  // Against the float64 formula −mean log softmax(p)[label]: float32 logSoftmax of O(1)
  // logits is good to a few ulp (~1e-7 relative); the tolerance is 1e-6.
  it('is −mean log softmax(p)[label]', () => {
    const expected = -logits.reduce((s, row, i) => s + Math.log(softmax(row)[labels[i]!]!), 0) / logits.length;
    const value = tf.tidy(() => softmaxCrossEntropy.compute(tf.tensor2d(logits) as Tensor2D, tf.tensor1d(labels, 'int32')).dataSync()[0]!);
    expect(Math.abs(value - expected)).toBeLessThan(1e-6);
    expect(softmaxCrossEntropy.targets).toBe('labels');
  });

  // The hand formula (softmax(p) − onehot(label)) / batch, in float64: float32 rounding of
  // softmax entries of O(0.1–1) stays below 1e-7; the tolerance is 1e-6.
  it('has the gradient (softmax(p) − onehot(label)) / batch', () => {
    const grad = tf.tidy(() => {
      const y = tf.tensor1d(labels, 'int32');
      return tf.grad((p: tf.Tensor) => softmaxCrossEntropy.compute(p as Tensor2D, y))(tf.tensor2d(logits)).arraySync() as number[][];
    });
    logits.forEach((row, i) => {
      const expected = softmax(row).map((s, k) => (s - (k === labels[i] ? 1 : 0)) / logits.length);
      expected.forEach((g, k) => expect(Math.abs(grad[i]![k]! - g), `[${i}][${k}]`).toBeLessThan(1e-6));
    });
  });

  it('stays finite for logits of 1e3 (logSoftmax, not log of softmax)', () => {
    const value = tf.tidy(() => softmaxCrossEntropy.compute(tf.tensor2d([[1000, -1000]]) as Tensor2D, tf.tensor1d([1], 'int32')).dataSync()[0]!);
    expect(value).toBeCloseTo(2000, 2);
  });
});

describe('mse and sse', () => {
  it('are the mean over entries and the sum per sample', () => {
    const [a, b] = tf.tidy(() => {
      const p = tf.tensor2d([[1, 2], [3, 4]]) as Tensor2D;
      const t = tf.tensor2d([[0, 0], [0, 2]]);
      return [mse.compute(p, t), sse.compute(p, t)].map((s: Scalar) => s.dataSync()[0]!);
    });
    expect(a).toBeCloseTo((1 + 4 + 9 + 4) / 4, 6);
    expect(b).toBeCloseTo((1 + 4 + 9 + 4) / 2, 6);
  });
});

describe('resolveLoss', () => {
  it('takes names, Loss objects and plain functions; suggests the closest name', () => {
    expect(resolveLoss(undefined)).toBe(mse);
    expect(resolveLoss('softmax-cross-entropy')).toBe(softmaxCrossEntropy);
    const fn = (p: Tensor2D, t: Tensor2D) => tf.mean(tf.abs(tf.sub(p, t))) as Scalar;
    expect(resolveLoss(fn)).toMatchObject({ targets: 'values', name: 'fn' });
    expect(() => resolveLoss('mes' as never)).toThrow(expect.objectContaining({ code: ErrorCodes.INVALID_SPEC, path: 'loss', hint: "Did you mean 'mse'?" }));
  });
});
