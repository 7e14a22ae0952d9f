import { Registry, globalRegistry, resolveField, tf, validate, type Activation } from '@npde/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { identity, plugins, relu, sigmoid, softplus, square, tanh } from './index.js';

/** float64 reference value and derivative of each activation. */
const reference: ReadonlyArray<{ plugin: Activation; f: (x: number) => number; df: (x: number) => number }> = [
  { plugin: identity, f: (x) => x, df: () => 1 },
  { plugin: tanh, f: Math.tanh, df: (x) => 1 - Math.tanh(x) ** 2 },
  // tfjs (and npde) take relu'(0) = 0.
  { plugin: relu, f: (x) => Math.max(x, 0), df: (x) => (x > 0 ? 1 : 0) },
  { plugin: sigmoid, f: (x) => 1 / (1 + Math.exp(-x)), df: (x) => Math.exp(-x) / (1 + Math.exp(-x)) ** 2 },
  { plugin: square, f: (x) => x * x, df: (x) => 2 * x },
  { plugin: softplus, f: (x) => Math.log1p(Math.exp(x)), df: (x) => 1 / (1 + Math.exp(-x)) },
];

/** Inputs, rounded to float32 so that the float64 reference sees the very same numbers. */
const xs = [-20, -6, -2.5, -1, -0.3, -1e-3, 0, 1e-3, 0.3, 1, 2.5, 6, 20].map(Math.fround);

const EPS32 = 2 ** -23;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe.each(reference)('$plugin.id', ({ plugin, f, df }) => {
  const instance = () => plugin.create({ options: validate(plugin.options, {}), field: resolveField({ shape: [5] }), layers: 1, seed: 1 });

  // f is evaluated in float64 and rounded once to float32 by the cpu backend: 2 ulp is ample.
  it('matches the float64 reference values to 2 ulp', () => {
    const x = tf.tensor1d(xs);
    const y = instance().apply(x);
    const got = y.dataSync();
    xs.forEach((xi, i) => {
      const ref = f(xi);
      expect(Math.abs(got[i]! - ref), `f(${xi})`).toBeLessThanOrEqual(2 * EPS32 * Math.abs(ref));
    });
    tf.dispose([x, y]);
  });

  // Gradients are float32 expressions like 1 − y² or y(1 − y): a few ulp relative,
  // plus an absolute 2·2⁻²³ from the cancellation where y rounds to ±1.
  it('has gradients equal to the float64 analytic derivative', () => {
    const x = tf.tensor1d(xs);
    const act = instance();
    const g = tf.grad((t: tf.Tensor) => tf.sum(act.apply(t)))(x);
    const got = g.dataSync();
    xs.forEach((xi, i) => {
      const ref = df(xi);
      expect(Math.abs(got[i]! - ref), `f'(${xi})`).toBeLessThanOrEqual(4 * EPS32 * Math.abs(ref) + 2 * EPS32);
    });
    tf.dispose([x, g]);
  });

  it('keeps the input shape and leaks no tensors', () => {
    const x = tf.randomNormal([3, 4, 5], 0, 2, 'float32', 7);
    const act = instance();
    const before = tf.memory().numTensors;
    const y = act.apply(x);
    expect(y.shape).toEqual([3, 4, 5]);
    y.dispose();
    expect(x.isDisposed).toBe(false);
    tf.tidy(() => {
      tf.grad((t: tf.Tensor) => tf.sum(act.apply(t)))(x);
    });
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('is a frozen activation plugin with an empty options schema', () => {
    expect(plugin.kind).toBe('activation');
    expect(plugin.id).toMatch(/^@npde\/activations\/[a-z]+$/);
    expect(Object.isFrozen(plugin)).toBe(true);
    expect(validate(plugin.options, {})).toEqual({});
  });
});

describe('package entries', () => {
  it('exports every activation once in `plugins`', () => {
    expect(plugins.map((p) => p.id).sort()).toEqual(reference.map((r) => r.plugin.id).sort());
    expect(() => new Registry().register(plugins, plugins)).not.toThrow();
  });

  it('`./register` adds them to the global registry', async () => {
    await import('./register.js');
    for (const p of plugins) expect(globalRegistry().get('activation', p.id)).toBe(p);
  });
});
