import { ErrorCodes, NeuralPde, Registry, ValidationError, tf } from '@npde/core';
import { referencePlugins, withReferenceDefaults } from '@npde/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { euler, heun, plugins, rk4 } from './index.js';
import { gaussian } from './problems.test-util.js';
import { observedOrder, rerunWithIntegrator } from './rerun.js';
import { testStencilKernel } from './stencil-kernel.test-util.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const registry = () => withReferenceDefaults(new Registry().register(referencePlugins, testStencilKernel, plugins));
const S = 16;
/** A "trained" model: per-layer diffusion numbers, per-layer bias, identity or tanh activation, Euler at ω. */
function model(activation: 'identity' | 'tanh', omega: number, mu = [0.3, 0.45, 0.2, 0.35], U = 0.2) {
  return NeuralPde.create(
    {
      field: { shape: [S] },
      layers: mu.length,
      omega,
      bias: 'per-layer',
      kernel: { id: testStencilKernel.id, options: { mu, U } },
      activation: `@npde/core/testing/${activation}`,
      integrator: euler.id,
    },
    { registry: registry() },
  );
}
const x = () => tf.tensor2d([gaussian(S, 8, 2), gaussian(S, 3, 1.5).map((v) => -v)]);

describe('rerunWithIntegrator', () => {
  it('with the trained integrator and refine 1 gives the model output', () => {
    const m = model('tanh', 0.8);
    // non-zero per-layer bias, so the layer mapping of b is exercised too
    m.parameters['bias']!.assign(tf.tidy(() => tf.randomNormal([4, S], 0, 0.3, 'float32', 5)));
    tf.tidy(() => {
      const input = x();
      const got = rerunWithIntegrator(m, input, { integrator: euler }).dataSync();
      const want = m.forward(input).dataSync();
      got.forEach((g, i) => expect(Math.abs(g - want[i]!)).toBeLessThan(1e-6));
    });
    m.dispose();
  });

  // refine = 2 with Euler: layer l's W_l is applied for two steps of ω/2. A float64
  // hand computation of z ← z + (ω/2)(W_l − I) z (identity activation, zero bias);
  // 8 float32 steps of |z| ≤ 1: < 1e-5.
  it('runs layer l for `refine` sub-steps of ω/refine', () => {
    const mu = [0.3, 0.45, 0.2, 0.35];
    const omega = 0.8;
    const m = model('identity', omega, mu);
    const got = tf.tidy(() => rerunWithIntegrator(m, x(), { integrator: euler.id, registry: registry(), refine: 2 }).arraySync());
    const want = tf.tidy(() => x().arraySync()).map((row) => {
      let z = row;
      for (const mul of mu)
        for (let k = 0; k < 2; k++) {
          const l = mul + 0.1;
          const r = mul - 0.1;
          z = z.map((zj, j) => zj + (omega / 2) * (l * z[(j + S - 1) % S]! - 2 * mul * zj + r * z[(j + 1) % S]!));
        }
      return z;
    });
    got.forEach((row, b) => row.forEach((g, j) => expect(Math.abs(g - want[b]![j]!)).toBeLessThan(1e-5)));
    m.dispose();
  });

  it('rejects a refinement that is not a positive integer with a typed error', () => {
    const m = model('identity', 0.5);
    const input = x();
    let caught: unknown;
    try {
      rerunWithIntegrator(m, input, { integrator: rk4, refine: 1.5 });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect(caught).toMatchObject({ code: ErrorCodes.INVALID_OPTIONS, path: 'refine' });
    input.dispose();
    m.dispose();
  });
});

describe('observedOrder', () => {
  // An advection-dominated model (U/Δ = 0.8, μ ≈ 0.05, tanh), "trained" with Euler at ω = 1 over
  // 8 layers. Re-run at ω, ω/2, ω/4, the successive differences of a scheme of order p fall by
  // 2^p; they are ≥ 6e-5 here (RK4) and ≥ 8e-3 (Heun), far above float32 round-off (~1e-7 of
  // |z| ≤ 1 per step). Measured: RK4 3.95, Heun 2.01.
  const trained = () => model('tanh', 1, Array.from({ length: 8 }, (_, k) => 0.04 + 0.01 * (k % 3)), 0.8);

  it('re-running with RK4 at ω/2 and ω/4 shows order 4, Heun order 2, without leaking', () => {
    const m = trained();
    const input = x();
    const before = tf.memory().numTensors;
    const fourth = observedOrder(m, input, { integrator: rk4 });
    const second = observedOrder(m, input, { integrator: heun });
    expect(tf.memory().numTensors).toBe(before);
    expect(fourth.refinements).toEqual([1, 2, 4]);
    expect(fourth.orders).toHaveLength(1);
    expect(Math.abs(fourth.orders[0]! - 4), JSON.stringify(fourth)).toBeLessThanOrEqual(0.3);
    expect(Math.abs(second.orders[0]! - 2), JSON.stringify(second)).toBeLessThanOrEqual(0.3);
    // Euler is unstable for centred advection: what the Euler-trained model computes is far
    // from the dynamics its parameters define (gap measured 0.78 of the output's size).
    expect(fourth.discretizationGap).toBeGreaterThan(0.3);
    input.dispose();
    m.dispose();
  });
});
