import { NeuralPde, Registry, Trainer, evaluate, tf, type ModelSpec } from '@npde/core';
import { checkGradients, checkRoundTrip, referencePlugins, withReferenceDefaults } from '@npde/core/testing';
import { plugins as kernels } from '@npde/kernels';
import { plugins as optimizers } from '@npde/optimizers';
import { beforeAll, describe, expect, it } from 'vitest';
import { mix, pde, plugins, pool, readout } from './index.js';

const registry = () => withReferenceDefaults(new Registry().register(referencePlugins, kernels, optimizers, plugins)).setDefault('stage', pde.id);

beforeAll(async () => {
  await registry().ready({ backend: 'cpu' });
});

/** mix → 2-D pde with channels → pool → readout, on 8 × 8 images. */
const spec: ModelSpec = {
  input: { shape: [8, 8] },
  seed: 3,
  stages: [
    { id: mix.id, name: 'lift', options: { channels: 2 } },
    {
      id: pde.id,
      name: 'block',
      options: { layers: 2, omega: 0.5, activation: '@npde/core/testing/tanh', kernel: { id: '@npde/kernels/dense', options: { shared: true } } },
    },
    { id: pool.id, name: 'coarse', options: { factor: 2 } },
    { id: readout.id, name: 'head', options: { outputs: 2 } },
  ],
};

describe('a composite model (mix → 2-D pde with channels → pool → readout)', () => {
  it('chains the geometries and names parameters by stage', () => {
    const model = NeuralPde.create(spec, { registry: registry() });
    expect(model.stages.map((s) => [s.input.shape, s.input.realChannels, s.output.shape, s.output.realChannels])).toEqual([
      [[8, 8], 1, [8, 8], 2],
      [[8, 8], 2, [8, 8], 2],
      [[8, 8], 2, [4, 4], 2],
      [[4, 4], 2, [2], 1],
    ]);
    expect(Object.keys(model.parameters).sort()).toEqual(['block/kernel/W', 'block/omega', 'head/W', 'head/b', 'lift/W', 'lift/b']);
    const y = model.predict(tf.zeros([3, 8, 8]));
    expect(y.shape).toEqual([3, 2]);
    y.dispose();
    model.dispose();
  });

  it('saves and loads bit for bit', async () => {
    await checkRoundTrip(spec, registry());
  });

  it.each([
    ['mean', [2, 20, 3, 30]],
    ['max', [3, 30, 4, 40]],
  ] as const)('pools blocks of sites per channel (%s)', (reduce, expected) => {
    const p = pool.create({ options: { factor: [2, 1], reduce }, input: { shape: [2, 2], dims: 2, sites: 4, channels: 2, complex: false, realChannels: 2, size: 8 }, seed: 0, registry: registry(), path: 'p' });
    tf.tidy(() => {
      // sites (0,0) (0,1) (1,0) (1,1), channels last; blocks {(0,0), (1,0)} and {(0,1), (1,1)}
      const x = tf.tensor2d([[1, 10, 2, 20, 3, 30, 4, 40]]);
      expect(Array.from(p.forward(x, { training: false }).dataSync())).toEqual(expected);
    });
  });

  it('has gradients that agree with finite differences for every stage parameter', () => {
    const model = NeuralPde.create(spec, { registry: registry() });
    const x = tf.randomNormal([6, 64], 0, 1, 'float32', 11) as tf.Tensor2D;
    const labels = tf.tensor1d([0, 1, 1, 0, 1, 0], 'int32');
    const report = checkGradients(
      () => tf.tidy(() => tf.losses.softmaxCrossEntropy(tf.oneHot(labels, 2), model.forward(x)) as tf.Scalar),
      model.trainableVariables,
      { label: 'composite' },
    );
    expect(report.checked).toBeGreaterThan(0);
    labels.dispose();
    x.dispose();
    model.dispose();
  });

  it('learns to tell horizontal from vertical bars (≥ 95 % held-out accuracy) and leaks no tensors', async () => {
    const model = NeuralPde.create(spec, { registry: registry() });
    const { x, y } = bars(240, 1);
    const test = bars(100, 2);
    const counts: number[] = [];
    const result = await new Trainer({ registry: registry() }).fit(model, { x, y }, {
      optimizer: { id: '@npde/optimizers/adam', options: { learningRate: 0.05 } },
      loss: 'softmax-cross-entropy',
      metrics: ['accuracy'],
      epochs: 20,
      batchSize: 40,
      seed: 1,
      callbacks: [{ onEpochEnd: () => void counts.push(tf.memory().numTensors) }],
    });
    expect(result.epochs).toBe(20);
    expect(counts.at(-1)).toBe(counts[0]);
    const scores = evaluate(model, test, { loss: 'softmax-cross-entropy', metrics: ['accuracy'] });
    expect(scores.accuracy).toBeGreaterThanOrEqual(0.95);
    model.dispose();
  });
});

/** n noisy 8 × 8 images of one bar, horizontal (label 0) or vertical (1), at a random row/column. */
function bars(n: number, seed: number): { x: number[][][]; y: number[] } {
  let s = seed * 7919 + 1;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const x: number[][][] = [];
  const y: number[] = [];
  for (let k = 0; k < n; k++) {
    const label = k % 2;
    const at = Math.floor(rand() * 8);
    x.push(Array.from({ length: 8 }, (_, i) => Array.from({ length: 8 }, (_, j) => ((label === 0 ? i : j) === at ? 1 : 0) + 0.3 * (rand() - 0.5))));
    y.push(label);
  }
  return { x, y };
}
