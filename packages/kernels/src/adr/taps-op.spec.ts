import { beforeAll, describe, expect, it } from 'vitest';
import { Registry, tf, type Tensor } from '@npde/core';
import { referencePlugins } from '@npde/core/testing';
import { adrTaps1d } from './taps-op.js';

beforeAll(async () => {
  await new Registry().register(referencePlugins).ready({ backend: 'cpu' });
});

/** The taps by tfjs ops, differentiated by tfjs: the reference the one-op version must match. */
function tapsByOps(U: Tensor, D: Tensor, R: Tensor, n: number, s1: number, s2: number): Tensor {
  const u = tf.mul(U, s1);
  const d = tf.mul(D, s2);
  const site = (t: Tensor) => tf.broadcastTo(t, [n]);
  return tf.stack([site(tf.sub(d, u)), site(tf.add(tf.sub(1, tf.mul(d, 2)), R)), site(tf.add(d, u))], 1);
}

describe('adrTaps1d (the 1-D ADR taps as one custom-gradient op on host backends)', () => {
  it.each([
    ['heterogeneous', [7]],
    ['homogeneous', []],
  ] as const)('%s coefficients: taps (bit for bit) and the gradients of U, D, R (to float32 rounding) agree with the tfjs-op composition', (_name, shape) => {
    const n = 7;
    const [s1, s2] = [1 / (2 * 0.5), 1 / (0.5 * 0.5)];
    tf.tidy(() => {
      const U = tf.randomNormal([...shape], 0, 1, 'float32', 1);
      const D = tf.randomUniform([...shape], 0, 0.5, 'float32', 2);
      const R = tf.randomNormal([...shape], 0, 0.1, 'float32', 3);
      const w = tf.randomNormal([n, 3], 0, 1, 'float32', 4);
      const mine = adrTaps1d(U, D, R, n, s1, s2);
      const ref = tapsByOps(U, D, R, n, s1, s2);
      expect(mine.shape).toEqual([n, 3]);
      const close = (a: Tensor, b: Tensor, tol: number) => {
        const x = a.dataSync();
        const y = b.dataSync();
        const scale = Math.max(1, ...Array.from(y, Math.abs));
        x.forEach((v, i) => expect(Math.abs(v - y[i]!), `entry ${i}`).toBeLessThanOrEqual(tol * scale));
      };
      // every operation rounded to float32 as the kernels round it: the same bits
      expect(Array.from(mine.dataSync())).toEqual(Array.from(ref.dataSync()));
      const loss = (f: (u: Tensor, d: Tensor, r: Tensor) => Tensor) => (u: Tensor, d: Tensor, r: Tensor) => tf.sum(tf.mul(f(u, d, r), w));
      const gMine = tf.grads(loss((u, d, r) => adrTaps1d(u, d, r, n, s1, s2)))([U, D, R]);
      const gRef = tf.grads(loss((u, d, r) => tapsByOps(u, d, r, n, s1, s2)))([U, D, R]);
      gMine.forEach((g, k) => {
        expect(g.shape).toEqual(gRef[k]!.shape);
        close(g, gRef[k]!, 1e-5);
      });
    });
  });

  it('leaks no tensors, forward or backward', () => {
    const U = tf.zeros([5]);
    const D = tf.fill([5], 0.2);
    const R = tf.zeros([5]);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      tf.grads((u: Tensor, d: Tensor, r: Tensor) => tf.sum(adrTaps1d(u, d, r, 5, 0.5, 1)))([U, D, R]);
    });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([U, D, R]);
  });
});
