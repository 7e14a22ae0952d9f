import { ErrorCodes, NeuralPde, Registry, Trainer, ValidationError, evaluate, loadModel, memoryStore, saveModel, tf, type ModelSpec } from '@npde/core';
import { referencePlugins, withReferenceDefaults } from '@npde/core/testing';
import { plugins as kernels } from '@npde/kernels';
import { plugins as optimizers } from '@npde/optimizers';
import { beforeAll, describe, expect, it } from 'vitest';
import { cnn, mlp, pde, plugins, rnn } from '../index.js';

const registry = () => withReferenceDefaults(new Registry().register(referencePlugins, kernels, optimizers, plugins)).setDefault('stage', pde.id);
const tanh = '@npde/core/testing/tanh';

beforeAll(async () => {
  await registry().ready({ backend: 'cpu' });
});

/** A seeded linear congruential generator in [0, 1). */
function lcg(seed: number): () => number {
  let s = seed * 7919 + 1;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

/** n noisy 8 × 8 images of one bar, horizontal (label 0) or vertical (1). */
function bars(n: number, seed: number): { x: number[][][]; y: number[] } {
  const rand = lcg(seed);
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

const trainableCount = (model: NeuralPde) => model.trainableVariables.reduce((n, t) => n + t.size, 0);

/** Train a few epochs, check that the loss fell and no tensor leaked, then save, load and compare predictions bit for bit. */
async function trainSaveLoad(spec: ModelSpec, data: { x: unknown; y: unknown }, loss: 'softmax-cross-entropy' | 'mse', epochs = 4): Promise<void> {
  const r = registry();
  const model = NeuralPde.create(spec, { registry: r });
  const counts: number[] = [];
  const result = await new Trainer({ registry: r }).fit(model, data as { x: number[][]; y: number[] }, {
    optimizer: { id: '@npde/optimizers/adam', options: { learningRate: 0.03 } },
    loss,
    epochs,
    batchSize: 20,
    seed: 1,
    callbacks: [{ onEpochEnd: () => void counts.push(tf.memory().numTensors) }],
  });
  const losses = result.history.loss;
  expect(losses.at(-1)!).toBeLessThan(losses[0]!);
  expect(counts.at(-1)).toBe(counts[0]);
  const store = memoryStore();
  await saveModel(model, store);
  const loaded = await loadModel(store, { registry: r });
  tf.tidy(() => {
    const x = tf.randomNormal([3, model.input.size], 0, 1, 'float32', 9);
    const a = model.predict(x).dataSync();
    const b = loaded.predict(x).dataSync();
    expect(Array.from(b)).toEqual(Array.from(a));
  });
  loaded.dispose();
  model.dispose();
}

describe('mlp preset', () => {
  it('is a dense pde block with ω = 1 and a readout: L·(N² + N) + N·K + K parameters', () => {
    const spec = mlp({ input: { shape: [6] }, outputs: 3, layers: 2, activation: tanh });
    expect(spec.stages.map((s) => (typeof s === 'string' ? s : s.id))).toEqual(['@npde/stages/pde', '@npde/stages/readout']);
    const model = NeuralPde.create(spec, { registry: registry() });
    expect(trainableCount(model)).toBe(2 * (36 + 6) + 6 * 3 + 3);
    expect(model.blocks[0]!.omega()).toBe(1);
    model.dispose();
  });

  it('computes f(W z − b) per layer, then the readout (the ordinary MLP)', () => {
    const model = NeuralPde.create(mlp({ input: { shape: [5] }, outputs: 2, layers: 1, activation: tanh, seed: 4 }), { registry: registry() });
    const p = model.parameters;
    tf.tidy(() => {
      const x = tf.randomNormal([3, 5], 0, 1, 'float32', 2) as tf.Tensor2D;
      const W = tf.reshape(p['hidden/kernel/W']!, [5, 5]);
      const b = tf.reshape(p['hidden/bias']!, [5]);
      // (W z)_i = Σ_j W_ij z_j, so for row vectors z W^T.
      const h = tf.tanh(tf.sub(tf.matMul(x, W, false, true), b));
      const want = tf.add(tf.matMul(h, p['head/W']!), p['head/b']!);
      expect(tf.max(tf.abs(tf.sub(model.predict(x), want))).dataSync()[0]!).toBeLessThan(1e-5);
    });
    model.dispose();
  });

  it('trains a few steps, saves and loads', async () => {
    const { x, y } = bars(60, 1);
    await trainSaveLoad(mlp({ input: { shape: [8, 8] }, outputs: 2, activation: tanh }), { x, y }, 'softmax-cross-entropy');
  });
});

describe('cnn preset', () => {
  it('chains lift → pde blocks → pool → lift → … → readout with the right geometry and parameter count', () => {
    const spec = cnn({ input: { shape: [8, 8] }, outputs: 3, channels: [2, 4], depth: [1, 2], activation: tanh });
    const model = NeuralPde.create(spec, { registry: registry() });
    expect(model.stages.map((s) => s.name)).toEqual(['lift', 'r0.block0', 'r0.pool', 'r1.lift', 'r1.block0', 'r1.block1', 'r1.pool', 'head']);
    expect(model.stages.map((s) => [s.output.shape, s.output.realChannels])).toEqual([
      [[8, 8], 2],
      [[8, 8], 2],
      [[4, 4], 2],
      [[4, 4], 4],
      [[4, 4], 4],
      [[4, 4], 4],
      [[2, 2], 4],
      [[3], 1],
    ]);
    // lift 1→2 (2+2), adr C=2 (U 2·2, D 3·2, R 2²), mix 2→4 (8+4), two adr C=4 (8+12+16 each), readout 4·3+3.
    expect(trainableCount(model)).toBe(4 + (4 + 6 + 4) + 12 + 2 * (8 + 12 + 16) + 15);
    expect(model.blocks).toHaveLength(3);
    expect(model.blocks.map((b) => [b.pluginIds.kernel, b.field.realChannels, b.omega()])).toEqual([
      ['@npde/kernels/adr', 2, 0.5],
      ['@npde/kernels/adr', 4, 0.5],
      ['@npde/kernels/adr', 4, 0.5],
    ]);
    model.dispose();
  });

  it('coarse-grains by a factor per resolution, down to global pooling', () => {
    const model = NeuralPde.create(cnn({ input: { shape: [8, 8] }, outputs: 3, channels: [2, 4], coarsen: [2, 4], readout: 'full', activation: tanh }), { registry: registry() });
    expect(model.stages.filter((s) => s.name.endsWith('.pool')).map((s) => s.output.shape)).toEqual([
      [4, 4],
      [1, 1],
    ]);
    // the full readout of a 1 × 1 grid of 4 channels: 4·3 + 3
    expect(Object.values(model.stages.at(-1)!.instance.params).reduce((n, t) => n + t.size, 0)).toBe(15);
    model.dispose();
  });

  it('offers free 3 × 3 stencils (9·C² per block) and a full readout', () => {
    const model = NeuralPde.create(cnn({ input: { shape: [8, 8] }, outputs: 2, channels: [3], stencil: 'free', readout: 'full', activation: tanh }), { registry: registry() });
    expect(trainableCount(model)).toBe(6 + 81 + (4 * 4 * 3 * 2 + 2));
    model.dispose();
  });

  it('offers per-channel 3 × 3 stencils with a C × C reaction (9·C + C² per block; 9 for one channel)', () => {
    const model = NeuralPde.create(cnn({ input: { shape: [8, 8] }, outputs: 3, channels: [3, 4], depth: [1, 2], stencil: 'depthwise', activation: tanh }), { registry: registry() });
    // lift 1→3 (3+3), block C=3 (9·3 + 9), mix 3→4 (12+4), two blocks C=4 (9·4 + 16 each), readout 4·3+3.
    expect(trainableCount(model)).toBe(6 + (27 + 9) + 16 + 2 * (36 + 16) + 15);
    expect(model.blocks.map((b) => [b.pluginIds.kernel, b.field.realChannels, b.kernel.paramCount])).toEqual([
      ['@npde/kernels/convolution', 3, 36],
      ['@npde/kernels/convolution', 4, 52],
      ['@npde/kernels/convolution', 4, 52],
    ]);
    model.dispose();
    const one = NeuralPde.create(cnn({ input: { shape: [4, 4] }, outputs: 2, channels: [1], stencil: 'depthwise', activation: tanh }), { registry: registry() });
    expect(one.blocks[0]!.kernel.paramCount).toBe(9);
    one.dispose();
  });

  it('rejects a 1-D input, a depth per resolution that does not match, and a factor that does not divide the grid', () => {
    const bad = (o: Parameters<typeof cnn>[0], path: string) => {
      try {
        cnn(o);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(ValidationError);
        expect((e as ValidationError).code).toBe(ErrorCodes.INVALID_OPTIONS);
        expect((e as ValidationError).path).toBe(path);
      }
    };
    bad({ input: { shape: [16] }, outputs: 2 }, 'cnn.input.shape');
    bad({ input: { shape: [8, 8] }, outputs: 2, channels: [2, 2], depth: [1] }, 'cnn.depth');
    bad({ input: { shape: [6, 6] }, outputs: 2, channels: [2, 2] }, 'cnn.coarsen');
    bad({ input: { shape: [8, 8] }, outputs: 2, channels: [2, 2], coarsen: [2] }, 'cnn.coarsen');
    bad({ input: { shape: [8, 8] }, outputs: 2, channels: [2, 2], coarsen: [2, 3] }, 'cnn.coarsen');
    bad({ input: { shape: [8, 8] }, outputs: 0 }, 'cnn.outputs');
  });

  it.each(['adr', 'depthwise', 'free'] as const)('trains a few steps, saves and loads (%s stencils)', async (stencil) => {
    const { x, y } = bars(40, 2);
    await trainSaveLoad(cnn({ input: { shape: [8, 8] }, outputs: 2, channels: [2, 3], stencil, activation: tanh, seed: 1 }), { x, y }, 'softmax-cross-entropy');
  });
});

/** Windows of T values of 0.8·sin(w t + φ) with 2 % noise (random w, φ), and the next clean value as target. */
function sequences(n: number, T: number, seed: number): { x: number[][]; y: number[][]; last: number[] } {
  const rand = lcg(seed);
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

describe('rnn preset', () => {
  it('is the recurrent stage with an input source term and a readout', () => {
    const spec = rnn({ steps: 5, features: 2, hidden: 4, outputs: 1, activation: tanh });
    const model = NeuralPde.create(spec, { registry: registry() });
    expect(model.stages.map((s) => s.id)).toEqual(['@npde/stages/recurrent', '@npde/stages/readout']);
    // W 4×4 (shared dense), bias 4, U 2×4, readout 4 + 1.
    expect(trainableCount(model)).toBe(16 + 4 + 8 + 5);
    model.dispose();
  });

  it('trains a few steps, saves and loads', async () => {
    const d = sequences(60, 8, 3);
    await trainSaveLoad(rnn({ steps: 8, hidden: 6, outputs: 1, activation: tanh, seed: 2 }), d, 'mse');
  });

  it('predicts the next value of noisy sinusoids clearly better than repeating the last value', async () => {
    const T = 10;
    const r = registry();
    const model = NeuralPde.create(rnn({ steps: T, hidden: 12, outputs: 1, activation: tanh, seed: 2 }), { registry: r });
    const train = sequences(300, T, 1);
    const test = sequences(200, T, 2);
    await new Trainer({ registry: r }).fit(model, train, {
      optimizer: { id: '@npde/optimizers/adam', options: { learningRate: 0.02 } },
      epochs: 30,
      batchSize: 50,
      seed: 1,
    });
    const mse = evaluate(model, test, { loss: 'mse' }).loss;
    const baseline = test.last.reduce((a, v, i) => a + (v - test.y[i]![0]!) ** 2, 0) / test.last.length;
    expect(mse).toBeLessThan(baseline / 3);
    model.dispose();
  });
});
