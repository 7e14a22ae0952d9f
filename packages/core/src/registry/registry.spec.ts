import { describe, expect, it } from 'vitest';
import { Registry } from './registry.js';
import { cpuBackend } from '../tensor/cpu-backend.js';
import { tf } from '../tensor/tf.js';

describe('smoke', () => {
  it('resolves core from source and runs tf with gradients', async () => {
    const r = new Registry().register(cpuBackend);
    const rep = await r.ready({ backend: 'cpu' });
    expect(rep.name).toBe('cpu');
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.tanh(x)))(tf.tensor1d([0]));
    expect(g.dataSync()[0]).toBeCloseTo(1, 6);
  });
});
