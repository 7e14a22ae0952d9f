// The plugin's own tests, as a third party runs them: vitest and npde's conformance kit.
import { ErrorCodes, NeuralPde, Registry, findMoment, tf } from '@npde/core';
import { checkFusion, checkKernelFamily, checkRoundTrip, referenceEuler, referenceIdentity, referenceNoReservoir, referencePdeStage, withReferenceDefaults } from '@npde/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { HYPER_ID, hyper, hyperTaps, plugins } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const registry = () => withReferenceDefaults(new Registry().register(plugins, referenceEuler, referenceIdentity, referenceNoReservoir, referencePdeStage));
const spec = (options = {}, shape = [16]) => ({
  field: { shape },
  layers: 3,
  omega: 0.5,
  kernel: { id: HYPER_ID, options },
  activation: referenceIdentity.id,
  integrator: referenceEuler.id,
  reservoir: referenceNoReservoir.id,
});

describe(HYPER_ID, () => {
  // The taps scale as c4·6/Δ⁴, so the loss curves fast in c4: the finite-difference step
  // shrinks with Δ⁴ (central differences, truncation error ∝ h²; at h = 1e-4 the float32
  // rounding error ε·|L|/h ≈ 6e-4 of an O(1) gradient, well inside the kit's 2e-2).
  it.each([
    ['homogeneous, periodic', { init: { c4: -0.05 } }, 1e-3],
    ['heterogeneous, zero boundary', { family: 'heterogeneous', boundary: 'zero', init: { c3: 0.1, c4: -0.05, noise: 0.01 } }, 1e-3],
    ['Δ = 0.5', { dx: 0.5, init: { c3: 0.01, c4: -0.002 } }, 1e-4],
  ])('keeps the kernel contract: %s', async (_name, options, step) => {
    await checkKernelFamily(hyper, { field: { shape: [16] }, layers: 2, options, gradient: { step } });
  });

  it('has exact moments W0 = 1, W1 = W2 = 0, W3 = 6c3/Δ³, W4 = 24c4/Δ⁴ (float64 sums of the taps)', () => {
    for (const [a, b] of [[0.3, -0.02], [-1.5, 0.25]]) {
      const taps = hyperTaps(a, b);
      const m = (k) => taps.reduce((s, t, i) => s + (i - 2) ** k * t, 0);
      expect([m(0), m(1), m(2), m(3), m(4)].map((x) => Number(x.toFixed(12)))).toEqual([1, 0, 0, Number((6 * a).toFixed(12)), Number((24 * b).toFixed(12))]);
    }
    const model = NeuralPde.create(spec({ dx: 0.5, init: { c3: 0.01, c4: -0.002 } }), { registry: registry() });
    const moments = model.kernel.moments(0, 4);
    const at = (label) => findMoment(moments, label).values[7];
    const c3 = Math.fround(0.01);
    const c4 = Math.fround(-0.002);
    expect(at('W0')).toBeCloseTo(1, 12);
    expect(at('W1')).toBeCloseTo(0, 12);
    expect(at('W2')).toBeCloseTo(0, 12);
    expect(at('W3')).toBeCloseTo((6 * c3) / 0.5 ** 3, 10);
    expect(at('W4')).toBeCloseTo((24 * c4) / 0.5 ** 4, 10);
    expect(model.kernel.physics().map((q) => q.name)).toEqual(['c3', 'c4']);
    model.dispose();
  });

  it('runs fused in a model, and the fused steps match the composed ones', () => {
    const model = NeuralPde.create(spec({ family: 'heterogeneous', init: { c3: 0.05, c4: -0.03, noise: 0.01 } }), { registry: registry() });
    expect(model.blocks[0].fused).toBe(true);
    const report = checkFusion(model);
    expect(report.variables.length).toBe(3); // c3, c4 and ω
    expect(report.states).toBeGreaterThan(0);
    model.dispose();
  });

  it('saves and loads bit for bit', async () => {
    await checkRoundTrip(spec({ family: 'heterogeneous', boundary: 'zero', init: { c3: 0.05, c4: -0.03, noise: 0.01 } }), registry());
  });

  it('refuses fields it cannot handle, by path', () => {
    expect(() => NeuralPde.create(spec({}, [4, 4]), { registry: registry() })).toThrow(expect.objectContaining({ code: ErrorCodes.UNSUPPORTED_FIELD, path: 'field' }));
    expect(() => NeuralPde.create(spec({ dx: -1 }), { registry: registry() })).toThrow(expect.objectContaining({ code: ErrorCodes.INVALID_OPTIONS, plugin: HYPER_ID }));
  });
});
