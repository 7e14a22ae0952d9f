import { beforeAll, describe, expect, it } from 'vitest';
import { tf, type Tensor2D } from './tf.js';
import { matMulTransposedB } from './mat-mul.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('matMulTransposedB', () => {
  it('equals a·bᵀ and has the gradients of tf.matMul(a, b, false, true)', () => {
    const a = tf.randomNormal([5, 3], 0, 1, 'float32', 1) as Tensor2D;
    const b = tf.randomNormal([4, 3], 0, 1, 'float32', 2) as Tensor2D;
    const w = tf.randomNormal([5, 4], 0, 1, 'float32', 3);
    const ref = tf.matMul(a, b, false, true);
    const got = matMulTransposedB(a, b);
    expect(got.shape).toEqual([5, 4]);
    const close = (x: tf.Tensor, y: tf.Tensor) => Array.from(x.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(y.dataSync()[i]!, 5));
    close(got, ref);
    const loss = (f: (x: Tensor2D, y: Tensor2D) => tf.Tensor) => (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(f(x as Tensor2D, y as Tensor2D), w));
    const [ga, gb] = tf.grads(loss(matMulTransposedB))([a, b]);
    const [ra, rb] = tf.grads(loss((x, y) => tf.matMul(x, y, false, true)))([a, b]);
    close(ga!, ra!);
    close(gb!, rb!);
    tf.dispose([a, b, w, ref, got, ga!, gb!, ra!, rb!]);
  });

  it('leaks nothing under tidy, forward and backward', () => {
    const a = tf.ones([2, 3]) as Tensor2D;
    const b = tf.ones([2, 3]) as Tensor2D;
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(matMulTransposedB(x as Tensor2D, y as Tensor2D)))([a, b]);
    });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, b]);
  });
});
