import { NeuralPde, Registry, Trainer, evaluate, tf, type ModelSpec } from '@npde/core';
import { checkGradients, referencePlugins, withReferenceDefaults } from '@npde/core/testing';
import { plugins as kernels } from '@npde/kernels';
import { plugins as optimizers } from '@npde/optimizers';
import { beforeAll, describe, expect, it } from 'vitest';
import { pde, plugins, readout, recurrent } from '../index.js';

const registry = () => withReferenceDefaults(new Registry().register(referencePlugins, kernels, optimizers, plugins)).setDefault('stage', pde.id);
const T = 10;

beforeAll(async () => {
  await registry().ready({ backend: 'cpu' });
});

const rnnOptions = {
  hidden: { shape: [12] },
  omega: 1,
  bias: 'shared',
  activation: '@npde/core/testing/tanh',
  kernel: { id: '@npde/kernels/dense', options: { shared: true } },
};
const spec: ModelSpec = {
  input: { shape: [T] },
  seed: 2,
  stages: [
    { id: recurrent.id, name: 'rnn', options: rnnOptions },
    { id: readout.id, name: 'head', options: { outputs: 1 } },
  ],
};

/** Windows of T values of sin(ω t + φ) with 2 % noise, and the next (clean) value. */
function sinusoids(n: number, seed: number): { x: number[][]; y: number[][]; last: number[] } {
  let s = seed * 7919 + 5;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const x: number[][] = [];
  const y: number[][] = [];
  for (let k = 0; k < n; k++) {
    const w = 0.3 + 0.9 * rand();
    const phi = 2 * Math.PI * rand();
    x.push(Array.from({ length: T }, (_, t) => 0.8 * Math.sin(w * t + phi) + 0.02 * (rand() - 0.5)));
    y.push([0.8 * Math.sin(w * T + phi)]);
  }
  return { x, y, last: x.map((r) => r[T - 1]!) };
}

describe('@npde/stages/recurrent', () => {
  it('has gradients that agree with finite differences', () => {
    const model = NeuralPde.create(spec, { registry: registry() });
    const x = tf.randomNormal([4, T], 0, 1, 'float32', 3) as tf.Tensor2D;
    const report = checkGradients(() => tf.tidy(() => tf.mean(tf.square(model.forward(x))) as tf.Scalar), model.trainableVariables, { label: 'recurrent' });
    expect(report.checked).toBeGreaterThan(0);
    x.dispose();
    model.dispose();
  });

  it('shows its output, not its input run through the cell, in the model trajectory (hidden size = input size)', () => {
    const model = NeuralPde.create({ input: { shape: [12] }, stages: [{ id: recurrent.id, options: rnnOptions }] }, { registry: registry() });
    const x = tf.randomNormal([2, 12], 0, 1, 'float32', 4) as tf.Tensor2D;
    const states = model.trajectory(x);
    expect(states).toHaveLength(2);
    const y = model.predict(x);
    expect(tf.max(tf.abs(tf.sub(states[1]!, y))).dataSync()[0]).toBe(0);
    [x, y, ...states].forEach((t) => t.dispose());
    model.dispose();
  });

  it('returns every state as a [T, hidden] field when asked', () => {
    const model = NeuralPde.create(
      { input: { shape: [T], channels: 2 }, stages: [{ id: recurrent.id, options: { ...rnnOptions, returnSequences: true } }] },
      { registry: registry() },
    );
    expect(model.output.shape).toEqual([T, 12]);
    const y = model.predict(tf.zeros([3, T, 2]));
    expect(y.shape).toEqual([3, T, 12]);
    y.dispose();
    model.dispose();
  });

  it('predicts the next value of noisy sinusoids clearly better than repeating the last value', async () => {
    const model = NeuralPde.create(spec, { registry: registry() });
    const train = sinusoids(400, 1);
    const test = sinusoids(200, 2);
    await new Trainer({ registry: registry() }).fit(model, train, {
      optimizer: { id: '@npde/optimizers/adam', options: { learningRate: 0.02 } },
      epochs: 40,
      batchSize: 50,
      seed: 1,
    });
    const mse = evaluate(model, test, { loss: 'mse' }).loss;
    const baseline = test.last.reduce((a, v, i) => a + (v - test.y[i]![0]!) ** 2, 0) / test.last.length;
    expect(mse).toBeLessThan(baseline / 3);
    model.dispose();
  });
});
