import { NeuralPde, Registry, tf } from '@npde/core';
import { checkFusion, referencePlugins, withReferenceDefaults } from '@npde/core/testing';
import { plugins as kernels } from '@npde/kernels';
import { beforeAll, describe, expect, it } from 'vitest';
import { pde, plugins } from '../index.js';

beforeAll(async () => {
  await withReferenceDefaults(new Registry().register(referencePlugins)).ready({ backend: 'cpu' });
});

const registry = () => withReferenceDefaults(new Registry().register(referencePlugins, kernels, plugins)).setDefault('stage', pde.id);
const block = {
  layers: 3,
  omega: 0.5,
  kernel: { id: '@npde/kernels/adr', options: { family: 'heterogeneous', boundary: 'periodic' } },
  activation: '@npde/core/testing/tanh',
  bias: 'per-layer',
} as const;

describe('@npde/stages/pde', () => {
  it('is what a one-block spec becomes, and a composite spec of it computes the same map', () => {
    const r = registry();
    const one = NeuralPde.create({ field: { shape: [12] }, ...block }, { registry: r });
    const composite = NeuralPde.create({ input: { shape: [12] }, stages: [{ id: pde.id, name: 'b', options: block }] }, { registry: r });
    expect(one.stages.map((s) => s.id)).toEqual([pde.id]);
    expect(Object.keys(composite.parameters).every((k) => k.startsWith('b/'))).toBe(true);
    const w = one.getWeights();
    tf.tidy(() => {
      const named = Object.fromEntries(Object.entries(w).map(([k, t]) => [`b/${k}`, tf.add(t, tf.randomUniform(t.shape, -0.05, 0.05, 'float32', 3))]));
      composite.setWeights(named);
      one.setWeights(Object.fromEntries(Object.entries(named).map(([k, t]) => [k.slice(2), t])));
      const x = tf.randomNormal([5, 12], 0, 1, 'float32', 7);
      const d = tf.max(tf.abs(tf.sub(one.predict(x), composite.predict(x)))).dataSync()[0]!;
      expect(d).toBe(0);
    });
    Object.values(w).forEach((t) => t.dispose());
    one.dispose();
    composite.dispose();
  });

  it('fuses exactly as its unfused composition (outputs and gradients)', () => {
    const model = NeuralPde.create({ input: { shape: [10] }, stages: [{ id: pde.id, options: block }] }, { registry: registry() });
    expect(model.fused).toBe(true);
    checkFusion(model);
    model.dispose();
  });

  it('records each layer input and pre-activation W z − b', () => {
    const model = NeuralPde.create({ field: { shape: [8] }, ...block }, { registry: registry() });
    tf.tidy(() => {
      const x = tf.randomNormal([2, 8], 0, 1, 'float32', 1) as tf.Tensor2D;
      const rec = model.record(x);
      expect(rec.stages).toHaveLength(1);
      expect(rec.stages[0]!.layers.map((l) => l.layer)).toEqual([0, 1, 2]);
      // z₁ = (1 − ω) z₀ + ω tanh(pre₀)
      const z1 = tf.add(tf.mul(0.5, x), tf.mul(0.5, tf.tanh(rec.stages[0]!.layers[0]!.preactivation)));
      const d = tf.max(tf.abs(tf.sub(z1, rec.stages[0]!.layers[1]!.input))).dataSync()[0]!;
      expect(d).toBeLessThan(1e-6);
      const fused = model.forward(x);
      expect(tf.max(tf.abs(tf.sub(fused, rec.output))).dataSync()[0]!).toBeLessThan(1e-5);
    });
    model.dispose();
  });

  it('names the kernel and its hook when apply throws during a forward pass', () => {
    const r = registry();
    const model = NeuralPde.create({ field: { shape: [8] }, ...block }, { registry: r });
    model.fusion = 'off';
    const k = model.kernel as { apply: unknown };
    k.apply = () => {
      throw new Error('boom');
    };
    expect(() => tf.tidy(() => model.forward(tf.zeros([1, 8])))).toThrow(expect.objectContaining({ plugin: '@npde/kernels/adr', hook: 'apply' }));
    model.dispose();
  });
});
