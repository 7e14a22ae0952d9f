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

describe('mse and sse gradients', () => {
  /** The plain formulas, differentiated by tfjs's own gradients of mean, sum, div and squaredDifference. */
  const plain = {
    mse: (p: tf.Tensor, t: tf.Tensor) => tf.mean(tf.squaredDifference(p, t)) as Scalar,
    sse: (p: tf.Tensor, t: tf.Tensor) => tf.div(tf.sum(tf.squaredDifference(p, t)), p.shape[0]!) as Scalar,
  };
  const losses = { mse, sse };
  const p0 = tf.randomNormal([7, 5], 0, 1, 'float32', 3);
  const t0 = tf.randomNormal([7, 5], 0, 1, 'float32', 4);

  // The custom gradient skips tfjs's multiplication by a tensor of ones but performs the
  // same float32 operations on the same values, so the gradients agree bit for bit (an
  // upstream factor of 0.37 makes dy ≠ 1, so that a reordered product would show).
  it.each(['mse', 'sse'] as const)('%s: value and gradients in p and t equal tfjs autodiff of the formula exactly', (name) => {
    const [value, dp, dt, plainValue, plainDp, plainDt] = tf.tidy(() => {
      const f = (p: tf.Tensor, t: tf.Tensor) => losses[name].compute(p as Tensor2D, t);
      const g = tf.grads((p: tf.Tensor, t: tf.Tensor) => tf.mul(0.37, f(p, t)))([p0, t0]);
      const gp = tf.grads((p: tf.Tensor, t: tf.Tensor) => tf.mul(0.37, plain[name](p, t)))([p0, t0]);
      return [f(p0, t0), g[0]!, g[1]!, plain[name](p0, t0), gp[0]!, gp[1]!].map((x) => Array.from(x.dataSync()));
    });
    expect(value).toEqual(plainValue);
    expect(dp).toEqual(plainDp);
    expect(dt).toEqual(plainDt);
  });

  // Against the analytic gradient 2 (p − t) / n in float64 (n = entries for mse, rows for
  // sse): float32 rounding of O(1) values leaves ~1e-7 relative error; tolerance 1e-6.
  it.each([
    ['mse', 35],
    ['sse', 7],
  ] as const)('%s: ∂/∂p is 2 (p − t) / %i, through a variable as the trainer takes it', (name, n) => {
    const w = tf.variable(p0.clone());
    try {
      const before = tf.memory().numTensors;
      const { value, grads } = tf.variableGrads(() => losses[name].compute(w as unknown as Tensor2D, t0), [w]);
      const g = grads[w.name]!.dataSync();
      tf.dispose([value, grads[w.name]!]);
      expect(tf.memory().numTensors).toBe(before);
      const p = p0.dataSync();
      const t = t0.dataSync();
      g.forEach((gi, i) => expect(Math.abs(gi - (2 * (p[i]! - t[i]!)) / n), `[${i}]`).toBeLessThan(1e-6));
    } finally {
      w.dispose();
    }
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
