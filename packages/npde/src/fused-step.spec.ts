// The model runs ADR steps through the fused stencil-relaxation op; it must agree with
// the op-by-op composition (kernel.apply + activation + Euler integrator) it replaces.
import { beforeAll, describe, expect, it } from 'vitest';
import { checkBlockFusion, maxRelativeDifference } from '@npde/core/testing';
import {
  NeuralPde,
  STENCIL_ACTIVATIONS,
  activations,
  createDefaultRegistry,
  integrators,
  kernels,
  reservoirs,
  resolveField,
  stencilRelaxPath,
  tf,
  validate,
  type ModelSpec,
  type Scalar,
} from './index.js';

/** max |a − b| / max |b|: the largest error relative to the largest value. */
const maxRelDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => maxRelativeDifference(a, b, 1e-30);

const registry = createDefaultRegistry();
beforeAll(async () => {
  await registry.ready({ backend: 'cpu' });
});


describe('fused ADR steps', () => {
  const cases: [string, string, 'tanh' | 'sigmoid' | 'relu'][] = [
    ['homogeneous', 'periodic', 'tanh'],
    ['heterogeneous', 'periodic', 'tanh'],
    ['heterogeneous', 'zero', 'sigmoid'],
    ['time-dependent', 'zero', 'relu'],
  ];
  for (const [family, boundary, act] of cases) {
    it(`${family}, ${boundary}, ${act}: same outputs and gradients as the op-by-op path`, () => {
      const spec: ModelSpec = {
        field: { shape: [12] },
        layers: 3,
        omega: { value: 0.6, trainable: true },
        bias: 'per-layer',
        kernel: { id: '@npde/kernels/adr', options: { family, boundary, init: { U: 0.2, D: 0.15, R: -0.05, noise: 0.05 } } },
        activation: `@npde/activations/${act}`,
      };
      const model = NeuralPde.create(spec, { registry });
      model.setWeights({ bias: Array.from({ length: 36 }, (_, i) => 0.05 * Math.sin(i)) }, { partial: true });
      expect(model.fused).toBe(true);
      expect(stencilRelaxPath().path).toBe('fused');
      const x = tf.randomNormal([5, 12], 0, 1, 'float32', 4);
      const y = tf.randomNormal([5, 12], 0, 0.5, 'float32', 5);
      const vars = model.trainableVariables;
      const run = (fusion: 'auto' | 'off') => {
        model.fusion = fusion;
        return tf.tidy(() => {
          const out = model.forward(x as tf.Tensor2D);
          const { value, grads } = tf.variableGrads(() => tf.mean(tf.squaredDifference(model.forward(x as tf.Tensor2D), y)) as Scalar, vars);
          return { out: out.dataSync().slice(), loss: value.dataSync()[0]!, grads: vars.map((v) => grads[v.name]!.dataSync().slice()) };
        });
      };
      const fused = run('auto');
      const ops = run('off');
      expect(maxRelDiff(fused.out, ops.out)).toBeLessThan(1e-6);
      expect(Math.abs(fused.loss - ops.loss) / ops.loss).toBeLessThan(1e-5);
      vars.forEach((v, i) => expect(maxRelDiff(fused.grads[i]!, ops.grads[i]!), v.name).toBeLessThan(1e-4));
      tf.dispose([x, y]);
      model.dispose();
    });
  }

  it('is not used where it does not apply', () => {
    const dense = NeuralPde.create({ field: { shape: [4] }, layers: 2, kernel: '@npde/kernels/dense', activation: '@npde/activations/tanh' }, { registry });
    expect(dense.fused).toBe(false);
    dense.dispose();
    const soft = NeuralPde.create(
      { field: { shape: [4] }, layers: 2, kernel: '@npde/kernels/adr', activation: '@npde/activations/tanh', reservoir: '@npde/reservoirs/soft' },
      { registry },
    );
    expect(soft.fused).toBe(false);
    soft.dispose();
    const square = NeuralPde.create({ field: { shape: [4] }, layers: 2, kernel: '@npde/kernels/adr', activation: '@npde/activations/square' }, { registry });
    expect(square.fused).toBe(false);
    square.dispose();
  });

  it('leaks no tensors through fused forward and backward', () => {
    const model = NeuralPde.create({ field: { shape: [8] }, layers: 4, kernel: '@npde/kernels/adr', activation: '@npde/activations/tanh', omega: 0.5 }, { registry });
    const x = tf.randomNormal([3, 8]);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      tf.variableGrads(() => tf.sum(model.forward(x as tf.Tensor2D)) as Scalar, model.trainableVariables);
    });
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
  });
});

// The fusion claims of the built-in plugins, checked part by part without a model:
// every fusable activation of @npde/activations with the adr kernel, the euler
// integrator and the inert reservoir, fused (cpu kernels) against their composition.
describe('fusion claims of the built-in plugins (checkBlockFusion)', () => {
  const fusable = activations.plugins.filter((a) => (STENCIL_ACTIVATIONS as readonly string[]).includes(a.id.slice(a.id.lastIndexOf('/') + 1)));

  it('every activation of the fused op has a built-in plugin that claims it', () => {
    expect(fusable.map((a) => a.id.slice(a.id.lastIndexOf('/') + 1)).sort()).toEqual([...STENCIL_ACTIVATIONS].sort());
  });

  const cases = fusable.flatMap((activation) =>
    (['homogeneous', 'heterogeneous', 'time-dependent'] as const).flatMap((family) => (['periodic', 'zero'] as const).map((boundary) => ({ activation, family, boundary }))),
  );
  it.each(cases.map((c) => [c.activation.id, c.family, c.boundary, c] as const))('%s with adr %s %s', (_a, _f, _b, { activation, family, boundary }) => {
    const layers = 3;
    const ctx = { field: resolveField({ shape: [11] }), layers, seed: 4 };
    const kernel = kernels.adr.create({ ...ctx, options: validate(kernels.adr.options, { family, boundary, init: { U: 0.2, D: 0.15, R: -0.05, noise: 0.05 } }) });
    try {
      const report = checkBlockFusion(
        {
          kernel,
          activation: activation.create({ ...ctx, options: validate(activation.options, {}) }),
          integrator: integrators.euler.create({ ...ctx, options: validate(integrators.euler.options, {}) }),
          reservoir: reservoirs.none.create({ ...ctx, options: validate(reservoirs.none.options, {}) }),
        },
        { layers, label: `${activation.id} + adr ${family} ${boundary}` },
      );
      expect(report.mode).toBe('fused-cpu');
    } finally {
      kernel.dispose();
    }
  });
});
