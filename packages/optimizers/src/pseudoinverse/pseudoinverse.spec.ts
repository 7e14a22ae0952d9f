import { NeuralPde, ValidationError, tf, validate, type ModelSpec, type OptimizationProblem, type Scalar, type Tensor2D } from '@npde/core';
import { checkPluginShape } from '@npde/core/testing';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { adam } from '../adam.js';
import { testRegistry } from '../testing/adr-problem.test-util.js';
import { PseudoinverseOptionsSchema, createPseudoinverse, pseudoinverse } from './pseudoinverse.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

let cleanup: (() => void)[] = [];
afterEach(() => {
  cleanup.forEach((f) => f());
  cleanup = [];
});

const n = 6;

function denseSpec(layers: number, activation: string, omega: number, kernel: { id: string; options?: Record<string, unknown> } = { id: '@npde/kernels/dense' }): ModelSpec {
  return { field: { shape: [n] }, layers, activation, omega, kernel };
}

function make(spec: ModelSpec): NeuralPde {
  const m = NeuralPde.create(spec, { registry: testRegistry() });
  cleanup.push(() => m.dispose());
  return m;
}

function problemOf(model: NeuralPde, x: Tensor2D, y: Tensor2D): OptimizationProblem {
  const f = () => tf.mean(tf.squaredDifference(model.forward(x), y)) as Scalar;
  return {
    variables: model.trainableVariables,
    loss: () => tf.tidy(f),
    lossAndGrads: () => {
      const { value, grads } = tf.variableGrads(f, model.trainableVariables);
      return { loss: value, grads: model.trainableVariables.map((v) => grads[v.name]!) };
    },
    batch: { x, y },
    model,
    iteration: 0,
  };
}

/** A well-conditioned W: 0.8·I plus a small random part (so tanh stays away from saturation). */
function knownW(layers: number, seed: number): number[] {
  const w = tf.tidy(() => tf.add(tf.mul(0.8, tf.tile(tf.expandDims(tf.eye(n), 0), [layers, 1, 1])), tf.randomNormal([layers, n, n], 0, 0.2, 'float32', seed)));
  const values = Array.from(w.dataSync());
  w.dispose();
  return values;
}

function data(truth: NeuralPde, rows: number, seed: number): { x: Tensor2D; y: Tensor2D } {
  const x = tf.randomNormal([rows, n], 0, 1, 'float32', seed) as Tensor2D;
  const y = tf.tidy(() => truth.forward(x));
  cleanup.push(() => tf.dispose([x, y]));
  return { x, y };
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!)));

describe('@npde/optimizers/pseudoinverse', () => {
  it('has the plugin shape (id, frozen, options schema)', () => {
    checkPluginShape(pseudoinverse, {});
  });

  it('fits a linear problem exactly: recovers W with the identity activation', () => {
    const truth = make(denseSpec(1, '@npde/core/testing/identity', 0.5));
    const Wtrue = knownW(1, 3);
    truth.setWeights({ 'kernel/W': Wtrue }, { partial: true });
    const { x, y } = data(truth, 40, 4);
    const model = make(denseSpec(1, '@npde/core/testing/identity', 0.5));
    const opt = createPseudoinverse(validate(PseudoinverseOptionsSchema, { ridge: 0 }));
    const live = tf.memory().numTensors;
    const before = opt.step(problemOf(model, x, y)) as number;
    expect(tf.memory().numTensors).toBe(live);
    expect(before).toBeGreaterThan(1e-2);
    // float32 data, well-conditioned H (κ ≈ a few): W to ~10 ulp of its O(1) entries.
    expect(maxDiff(model.parameters['kernel/W']!.dataSync(), Wtrue)).toBeLessThan(1e-5);
    expect(tf.tidy(() => problemOf(model, x, y).loss().dataSync()[0]!)).toBeLessThan(1e-11);
  });

  it('recovers the last layer of a tanh network through f⁻¹ = atanh (earlier layer fixed)', () => {
    const spec = denseSpec(2, '@npde/core/testing/tanh', 0.5);
    const truth = make(spec);
    const Wtrue = knownW(2, 7);
    truth.setWeights({ 'kernel/W': Wtrue }, { partial: true });
    const { x, y } = data(truth, 60, 8);
    const model = make(spec);
    // Layer 0 as in the truth, layer 1 random: only the last layer is learned.
    model.setWeights({ 'kernel/W': [...Wtrue.slice(0, n * n), ...knownW(1, 11)] }, { partial: true });
    createPseudoinverse(validate(PseudoinverseOptionsSchema, { ridge: 0 })).step(problemOf(model, x, y));
    const W = model.parameters['kernel/W']!.dataSync();
    expect(maxDiff(W.slice(0, n * n), Wtrue.slice(0, n * n))).toBe(0);
    // atanh amplifies float32 rounding of y by 1/(1 − a²) (≲ 20 here): W to ~1e-4.
    expect(maxDiff(W.slice(n * n), Wtrue.slice(n * n))).toBeLessThan(1e-4);
  });

  it('on a nonlinear regression beats one Adam epoch from the same start', async () => {
    // Targets: a smooth nonlinear map the model family does not contain.
    const x = tf.randomNormal([64, n], 0, 1, 'float32', 21) as Tensor2D;
    const y = tf.tidy(() => tf.mul(0.5, tf.sin(tf.add(x, tf.mul(0.3, tf.concat([tf.slice(x, [0, 1], [-1, n - 1]), tf.slice(x, [0, 0], [-1, 1])], 1)))))) as Tensor2D;
    cleanup.push(() => tf.dispose([x, y]));
    const spec = denseSpec(1, '@npde/core/testing/tanh', 1);
    const a = make(spec);
    const b = make(spec);
    const pil = createPseudoinverse(validate(PseudoinverseOptionsSchema, {}));
    const initial = pil.step(problemOf(a, x, y)) as number;
    const pilLoss = tf.tidy(() => problemOf(a, x, y).loss().dataSync()[0]!);
    // One Adam epoch: 64 samples in batches of 8.
    const opt = adam.create({ options: validate(adam.options, { learningRate: 0.01 }) });
    for (let i = 0; i < 64; i += 8) {
      const xb = x.slice([i, 0], [8, n]) as Tensor2D;
      const yb = y.slice([i, 0], [8, n]) as Tensor2D;
      await opt.step(problemOf(b, xb, yb));
      tf.dispose([xb, yb]);
    }
    opt.dispose();
    const adamLoss = tf.tidy(() => problemOf(b, x, y).loss().dataSync()[0]!);
    expect(pilLoss).toBeLessThan(initial);
    expect(pilLoss).toBeLessThan(adamLoss);
  });

  it('rejects a model it cannot solve in closed form with a ValidationError', () => {
    const x = tf.zeros([4, n]) as Tensor2D;
    cleanup.push(() => x.dispose());
    const opt = createPseudoinverse(validate(PseudoinverseOptionsSchema, {}));
    const adr = make({ ...denseSpec(1, '@npde/core/testing/tanh', 0.5), kernel: { id: '@npde/kernels/adr', options: { family: 'homogeneous', boundary: 'periodic' } } });
    expect(() => opt.step(problemOf(adr, x, x))).toThrow(ValidationError);
    try {
      opt.step(problemOf(adr, x, x));
    } catch (err) {
      expect((err as ValidationError).code).toBe('NPDE_INVALID_SPEC');
      expect((err as ValidationError).path).toBe('model.stages[0]');
    }
    const labels = tf.zeros([4], 'int32');
    cleanup.push(() => labels.dispose());
    const dense = make(denseSpec(1, '@npde/core/testing/tanh', 0.5));
    expect(() => opt.step({ ...problemOf(dense, x, x), batch: { x, y: labels } })).toThrow(/float regression targets/);
  });
});
