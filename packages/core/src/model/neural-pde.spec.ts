import { beforeAll, describe, expect, it } from 'vitest';
import { NeuralPde } from './neural-pde.js';
import { tf } from '../tensor/tf.js';
import type { NpdeError} from '../errors/errors.js';
import { ErrorCodes, PluginError } from '../errors/errors.js';
import { defineKernelFamily } from '../plugins/define.js';
import * as v from 'valibot';
import { testRegistry, testSpec } from '../test-plugins.test-util.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('NeuralPde', () => {
  it('runs the relaxation z ← (1 − ω) z + ω tanh(a z) layer by layer', () => {
    const m = NeuralPde.create(testSpec, { registry: testRegistry() });
    const x = [[0.1, -0.2, 0.3, 0.5, -1, 2]];
    const states = m.trajectory(x);
    expect(states).toHaveLength(4);
    let z = x[0]!.slice();
    for (let l = 0; l < 3; l++) {
      z = z.map((zi) => 0.5 * zi + 0.5 * Math.tanh(0.5 * zi));
      const got = states[l + 1]!.dataSync();
      z.forEach((zi, i) => expect(got[i]).toBeCloseTo(zi, 6));
    }
    const y = m.predict(tf.tensor2d(x));
    expect(Array.from(y.dataSync())).toEqual(Array.from(states[3]!.dataSync()));
    states.forEach((s) => s.dispose());
    y.dispose();
    m.dispose();
  });

  it('counts parameters and names them', () => {
    const m = NeuralPde.create({ ...testSpec, bias: 'per-layer', omega: { value: 0.3, trainable: true } }, { registry: testRegistry() });
    expect(Object.keys(m.parameters).sort()).toEqual(['bias', 'kernel/a', 'omega']);
    expect(m.paramCount).toBe(6 + 3 * 6 + 1);
    expect(m.omega).toBeCloseTo(0.3, 6);
    m.dispose();
  });

  it('accepts [batch, ...shape] input and returns the same shape', () => {
    const m = NeuralPde.create({ ...testSpec, field: { shape: [2, 3] } }, { registry: testRegistry() });
    const x = tf.ones([5, 2, 3]);
    const y = m.predict(x);
    expect(y.shape).toEqual([5, 2, 3]);
    tf.dispose([x, y]);
    m.dispose();
  });

  it('rejects a mismatched input shape with a path', () => {
    const m = NeuralPde.create(testSpec, { registry: testRegistry() });
    const x = tf.ones([2, 7]);
    expect(() => m.predict(x)).toThrow(expect.objectContaining({ code: ErrorCodes.SHAPE_MISMATCH, path: 'x' }));
    x.dispose();
    m.dispose();
  });

  it('validates the spec with paths', () => {
    const r = testRegistry();
    const bad = (spec: unknown) => {
      try {
        NeuralPde.create(spec as never, { registry: r });
      } catch (e) {
        return e as NpdeError;
      }
      throw new Error('no error');
    };
    expect(bad({ ...testSpec, layers: 0 }).path).toBe('layers');
    expect(bad({ ...testSpec, field: { shape: [0] } }).path).toBe('field.shape.0');
    expect(bad({ ...testSpec, omega: -1 }).path).toBe('omega');
    expect(bad({ ...testSpec, kernel: { id: '@test/k/diag', options: { init: 'no' } } }).path).toBe('kernel.options.init');
    const unknown = bad({ ...testSpec, activation: '@npde/core/testing/tan' });
    expect(unknown.code).toBe(ErrorCodes.UNKNOWN_PLUGIN);
    expect(unknown.path).toBe('activation');
    expect(unknown.hint).toContain('@npde/core/testing/tanh');
    let nested: NpdeError | undefined;
    try {
      NeuralPde.create({ ...testSpec, kernel: { id: '@test/k/diag', options: { init: 'no' } } }, { registry: r, path: 'model' });
    } catch (e) {
      nested = e as NpdeError;
    }
    expect(nested?.path).toBe('model.kernel.options.init');
    // A composite spec: a stage's options and id by the stage's own path.
    const { field: _field, ...block } = testSpec;
    const stage = { id: '@npde/core/testing/pde', options: block };
    expect(() => NeuralPde.create({ input: { shape: [6] }, stages: [stage, stage] } as never, { registry: r }).dispose()).not.toThrow();
    expect(bad({ input: { shape: [6] }, stages: [stage, { ...stage, options: { ...block, layers: 0 } }] }).path).toBe('stages[1].options.layers');
    const unknownStage = bad({ input: { shape: [6] }, stages: [stage, { ...stage, id: '@npde/core/testing/pd' }] });
    expect(unknownStage.code).toBe(ErrorCodes.UNKNOWN_PLUGIN);
    expect(unknownStage.path).toBe('stages[1].id');
  });

  it('wraps a plugin crash with the plugin id and hook', () => {
    const crash = defineKernelFamily({
      id: '@test/k/crash',
      description: 'throws',
      options: v.object({}),
      create: () => {
        throw new TypeError('boom');
      },
    });
    const r = testRegistry().register(crash);
    let err: PluginError | undefined;
    try {
      NeuralPde.create({ ...testSpec, kernel: '@test/k/crash' }, { registry: r });
    } catch (e) {
      err = e as PluginError;
    }
    expect(err).toBeInstanceOf(PluginError);
    expect(err!.plugin).toBe('@test/k/crash');
    expect(err!.hook).toBe('create');
    expect((err!.cause as Error).message).toBe('boom');
  });

  it('sets and gets weights by name, rejecting wrong shapes', () => {
    const m = NeuralPde.create(testSpec, { registry: testRegistry() });
    m.setWeights({ 'kernel/a': [1, 2, 3, 4, 5, 6] }, { partial: true });
    const w = m.getWeights();
    expect(Array.from(w['kernel/a']!.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    expect(() => m.setWeights({ 'kernel/a': [1, 2] }, { partial: true })).toThrow(/kernel\/a/);
    expect(() => m.setWeights({ nope: [1] }, { partial: true })).toThrow(/weights\.nope/);
    Object.values(w).forEach((t) => t.dispose());
    m.dispose();
  });

  it('releases every tensor on dispose', () => {
    const before = tf.memory().numTensors;
    const m = NeuralPde.create({ ...testSpec, bias: 'shared' }, { registry: testRegistry() });
    const x = tf.ones([2, 6]);
    m.predict(x).dispose();
    x.dispose();
    m.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
