import { ErrorCodes, NeuralPde, tf, type ModelSpec } from '@npde/core';
import { checkKernelFamily, checkRoundTrip } from '@npde/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { adr } from '../adr/adr.js';
import { dense } from '../dense/dense.js';
import { kernelTestRegistry } from '../testing/model-plugins.test-util.js';
import { adrMatrix64, randomMatrix, relax64, seededRandom } from '../testing/relaxation-reference.test-util.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('conformance kit (@npde/core/testing)', () => {
  it.each([
    { options: {}, field: { shape: [10] } },
    { options: { shared: true, init: 'glorot' }, field: { shape: [3, 3], channels: 2 } },
    { options: { noise: 0.1 }, field: { points: [[0, 0], [1, 0], [0, 1], [1, 1]] } },
  ])('dense $options on $field', async ({ options, field }) => {
    await checkKernelFamily(dense, { field, layers: 3, options });
  });

  it.each([
    { family: 'homogeneous', boundary: 'periodic' },
    // dx stays ≥ 1 here: the kit's float32 finite differences use a fixed step of 1e-2 per parameter, and
    // U, D enter W scaled by 1/Δ, 1/Δ², so Δ < 1 inflates their O(h²) truncation error past the kit's 2e-2
    // (Δ = 0.5 measured 2.02e-2). The float64 gradient tests in adr.spec.ts cover Δ = 0.5 and Δ = 2.
    { family: 'heterogeneous', boundary: 'zero', dx: 2 },
    { family: 'time-dependent', boundary: 'periodic', init: { U: 0.2, noise: 0.05 } },
  ])('adr %j', async (options) => {
    await checkKernelFamily(adr, { field: { shape: [12] }, layers: 3, options });
  });

  it.each([
    { id: '@npde/kernels/dense', options: { noise: 0.05 } },
    { id: '@npde/kernels/adr', options: { family: 'time-dependent', init: { noise: 0.05 } } },
  ])('save → load round trip of a model with $id', async (kernel) => {
    const spec: ModelSpec = { field: { shape: [8] }, layers: 3, kernel, activation: '@npde/core/testing/tanh', integrator: '@npde/core/testing/euler', reservoir: '@npde/core/testing/none', omega: 0.5, seed: 3 };
    await checkRoundTrip(spec, kernelTestRegistry());
  });
});

describe('inside a NeuralPde', () => {
  it('an ADR model predicts what the float64 reference computes', () => {
    const registry = kernelTestRegistry();
    const model = NeuralPde.create(
      {
        field: { shape: [8] },
        layers: 4,
        kernel: { id: '@npde/kernels/adr', options: { family: 'heterogeneous', dx: 0.5, init: { U: 0.1, D: 0.02, noise: 0.01 } } },
        activation: '@npde/core/testing/tanh', integrator: '@npde/core/testing/euler', reservoir: '@npde/core/testing/none',
        omega: 0.5,
      },
      { registry },
    );
    const x = randomMatrix(3, 8, seededRandom(9));
    const y = model.predict(x);
    const row = (name: string) => Array.from(model.parameters[`kernel/${name}`]!.dataSync());
    const w = adrMatrix64(row('U'), row('D'), row('R'), 0.5, 'periodic');
    const expected = relax64(() => w, x, 0.5, 4).flat();
    const got = Array.from(y.dataSync());
    got.forEach((g, i) => expect(g).toBeCloseTo(expected[i]!, 5));
    expect(model.paramCount).toBe(3 * 8);
    y.dispose();
    model.dispose();
  });

  it('reports bad kernel options at kernel.options.dx', () => {
    const spec: ModelSpec = {
      field: { shape: [8] },
      layers: 2,
      kernel: { id: '@npde/kernels/adr', options: { dx: -1 } },
      activation: '@npde/core/testing/tanh', integrator: '@npde/core/testing/euler', reservoir: '@npde/core/testing/none',
    };
    expect(() => NeuralPde.create(spec, { registry: kernelTestRegistry() })).toThrow(
      expect.objectContaining({ code: ErrorCodes.INVALID_OPTIONS, path: 'kernel.options.dx', plugin: '@npde/kernels/adr' }),
    );
  });

  it('reports a complex field given to the ADR kernel as UNSUPPORTED_FIELD', () => {
    const spec: ModelSpec = { field: { shape: [4, 4], complex: true }, layers: 2, kernel: '@npde/kernels/adr', activation: '@npde/core/testing/tanh', integrator: '@npde/core/testing/euler', reservoir: '@npde/core/testing/none' };
    expect(() => NeuralPde.create(spec, { registry: kernelTestRegistry() })).toThrow(
      expect.objectContaining({ code: ErrorCodes.UNSUPPORTED_FIELD, path: 'field' }),
    );
  });
});
