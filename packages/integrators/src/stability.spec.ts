import { NeuralPde, Registry, tf, type KernelStencil, type RegistryEvent, type StabilityLimit } from '@npde/core';
import { referencePlugins, withReferenceDefaults } from '@npde/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { euler, heun, leapfrog, plugins, rk4, semiImplicit, symplectic } from './index.js';
import { gaussian, integrate, maxError, stencilProblem } from './problems.test-util.js';
import { testStencilKernel } from './stencil-kernel.test-util.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const field = { shape: [16] };
const create = (integrator: (typeof plugins)[number], options: object = {}) =>
  integrator.create({ options: { order: 1, ...options } as never, field: { shape: [16], dims: 1, sites: 16, channels: 1, complex: false, realChannels: 1, size: 16 }, layers: 1, seed: 0 });

/** The limit an integrator reports for constant taps [l, c, r] on 16 periodic sites. */
function limit(integrator: (typeof plugins)[number], taps: [number, number, number], options: object = {}): StabilityLimit {
  const inst = create(integrator, options);
  const stencil: KernelStencil = { taps: tf.tile(tf.tensor2d([taps]), [16, 1]) as never, geometry: { dims: 1, sites: 16, radius: 1 }, boundary: 'periodic' };
  const out = inst.stabilityLimit!(stencil);
  stencil.taps.dispose();
  return out;
}

const diffusion = (mu: number): [number, number, number] => [mu, 1 - 2 * mu, mu];
const advection = (U: number): [number, number, number] => [U / 2, 1, -U / 2];
/** Real-axis limit of classic RK4: the negative root of 1 + x + x²/2 + x³/6 + x⁴/24 = 1 (literature value). */
const RK4_REAL = 2.785293563405282;

describe('stability limits for a kernel (frozen-coefficient von Neumann bound)', () => {
  // Known bounds: 1-D diffusion λ ∈ [−4μ, 0] (μ = D/Δ²), centred advection λ ∈ i[−U, U] (U per Δ).
  it.each([
    ['euler', diffusion(0.25), 2, euler],
    ['euler', advection(1), 0, euler],
    ['heun', diffusion(0.25), 2, heun],
    ['heun', advection(1), 0, heun],
    ['rk4', diffusion(0.25), RK4_REAL, rk4],
    ['rk4', advection(1), 2 * Math.SQRT2, rk4],
    ['leapfrog', diffusion(0.25), 0, leapfrog],
    ['leapfrog', advection(0.5), 2, leapfrog],
    ['symplectic', diffusion(0.25), 2, symplectic],
    ['symplectic', advection(1), 2, symplectic],
    ['semi-implicit', diffusion(0.25), Infinity, semiImplicit],
    ['semi-implicit', diffusion(40), Infinity, semiImplicit],
  ] as const)('%s on taps %j: ω ≤ %d', (_name, taps, expected, integrator) => {
    const got = limit(integrator, [...taps]).maxOmega;
    if (expected === 0 || expected === Infinity) expect(got).toBe(expected);
    else expect(got / expected).toBeCloseTo(1, 6);
  });

  it('Euler reports the explicit diffusion rule D·dt/Δ² ≤ 1/2 in words and as ω ≤ 1/(2μ)', () => {
    for (const mu of [0.1, 0.5, 2]) expect(limit(euler, diffusion(mu)).maxOmega * mu).toBeCloseTo(0.5, 6);
    expect(limit(euler, diffusion(0.5)).rule).toContain('ω·D/Δ² ≤ 1/2');
  });

  // IMEX Euler on advection–diffusion: |R|² = (1 + ω²U² sin²θ) / (1 + 2ωμ(1 − cos θ))² ≤ 1
  // ⟺ ω ≤ 4μ(1 − cos θ) / (U² sin²θ − 4μ²(1 − cos θ)²) wherever the denominator is > 0;
  // the infimum over θ → 0 is 2μ/U², and the sampled wavenumbers (θ ≥ π/32) give a bound a
  // little above it.
  it('semi-implicit on advection–diffusion is bounded by the explicit advection: ω ≲ 2μ/U²', () => {
    const mu = 0.5;
    const U = 0.5;
    const got = limit(semiImplicit, [mu + U / 2, 1 - 2 * mu, mu - U / 2]).maxOmega;
    const th = Math.PI / 32; // the smallest sampled wavenumber, where the bound is tightest
    expect(got).toBeGreaterThanOrEqual((2 * mu) / U ** 2);
    expect(got).toBeCloseTo((4 * mu * (1 - Math.cos(th))) / (U ** 2 * Math.sin(th) ** 2 - 4 * mu ** 2 * (1 - Math.cos(th)) ** 2), 6);
    // order 2 (Crank–Nicolson on the diffusion) is also finite here, and Infinity without advection
    expect(limit(semiImplicit, [mu + U / 2, 1 - 2 * mu, mu - U / 2], { order: 2 }).maxOmega).toBeLessThan(Infinity);
    expect(limit(semiImplicit, diffusion(mu), { order: 2 }).maxOmega).toBe(Infinity);
  });

  it('finds the stiffest site of a large heterogeneous kernel', () => {
    // 300 sites with μ = 0.1 except one with μ = 0.4: Euler's limit is that site's 1/(2·0.4).
    const rows = Array.from({ length: 300 }, (_, i) => diffusion(i === 217 ? 0.4 : 0.1 + 1e-4 * Math.sin(i)));
    const stencil: KernelStencil = { taps: tf.tensor2d(rows) as never, geometry: { dims: 1, sites: 300, radius: 1 }, boundary: 'zero' };
    expect(create(euler).stabilityLimit!(stencil).maxOmega).toBeCloseTo(1.25, 6);
    stencil.taps.dispose();
  });

  it('a growing mode (positive reaction) is not counted as unstable', () => {
    // W = (1 + 0.1) I: λ = 0.1 for every mode; Euler amplifies by 1 + 0.1ω ≤ e^{0.1ω}.
    expect(limit(euler, [0, 1.1, 0]).maxOmega).toBe(Infinity);
  });
});

describe('the semi-implicit scheme at 10× the explicit limit', () => {
  // Heat from a Gaussian, μ = D/Δ² = 0.5: explicit limit ω ≤ 1; run at ω = 10 for 20 steps.
  const heat = stencilProblem('heat', [gaussian(32, 16, 2)], [0.5, 0, 0.5], 200);
  const z0 = heat.z0[0]!;
  const norm = (z: readonly number[]) => Math.hypot(...z);

  it('Euler reports ω ≤ 1 and blows up; the semi-implicit schemes report no limit and stay bounded', () => {
    expect(limit(euler, [0.5, 0, 0.5]).maxOmega).toBeCloseTo(1, 6);
    expect(limit(semiImplicit, [0.5, 0, 0.5]).maxOmega).toBe(Infinity);
    const explicit = integrate(euler, heat, 10)[0]!;
    // the highest mode is amplified by |1 − 4μω| = 19 per step
    expect(Math.max(...explicit.map(Math.abs))).toBeGreaterThan(1e10);
    const order1 = integrate(semiImplicit, heat, 10, { order: 1 })[0]!;
    const order2 = integrate(semiImplicit, heat, 10, { order: 2 })[0]!;
    // backward Euler on a diffusion is monotone: a maximum principle (float32 slack 1e-5)
    expect(Math.max(...order1)).toBeLessThanOrEqual(Math.max(...z0) + 1e-5);
    expect(Math.min(...order1)).toBeGreaterThanOrEqual(-1e-5);
    // Crank–Nicolson: the ℓ2 norm does not grow
    expect(norm(order2)).toBeLessThanOrEqual(norm(z0) * (1 + 1e-5));
    // both conserve the total (the stencil's columns sum to 1) and stay near the exact solution
    const total = z0.reduce((s, x) => s + x, 0);
    for (const z of [order1, order2]) {
      expect(z.reduce((s, x) => s + x, 0)).toBeCloseTo(total, 3);
    }
    // measured: 2.4e-3 (backward Euler) and 7.3e-5 (Crank–Nicolson) of a peak 1
    expect(maxError([order1], heat.exact)).toBeLessThan(1e-2);
    expect(maxError([order2], heat.exact)).toBeLessThan(1e-3);
  });
});

describe('integrator:unstable registry events', () => {
  const registry = () => withReferenceDefaults(new Registry().register(referencePlugins, testStencilKernel, plugins));
  function eventsFor(integrator: string, omega: number, options: object = {}): RegistryEvent[] {
    const r = registry();
    const seen: RegistryEvent[] = [];
    const sub = r.events$.subscribe((e) => e.type === 'integrator:unstable' && seen.push(e));
    const model = NeuralPde.create(
      { field, layers: 3, omega, kernel: { id: testStencilKernel.id, options: { mu: [0.5] } }, activation: '@npde/core/testing/identity', integrator: { id: integrator, options } },
      { registry: r },
    );
    sub.unsubscribe();
    model.dispose();
    return seen;
  }

  it('is emitted when a model is created with ω past its integrator limit, naming the limit and the rule', () => {
    const [event, ...rest] = eventsFor(euler.id, 1.5);
    expect(rest).toEqual([]);
    expect(event).toMatchObject({ type: 'integrator:unstable', integrator: euler.id, path: '', omega: 1.5 });
    if (event?.type !== 'integrator:unstable') throw new Error('unreachable');
    expect(event.maxOmega).toBeCloseTo(1, 5);
    expect(event.rule).toContain('D/Δ² ≤ 1/2');
  });

  it('is not emitted within the limit, nor for the semi-implicit scheme at 10× it', () => {
    expect(eventsFor(euler.id, 0.9)).toEqual([]);
    expect(eventsFor(rk4.id, 1.3)).toEqual([]);
    expect(eventsFor(semiImplicit.id, 10)).toEqual([]);
  });

  it('leapfrog on a diffusion is unstable at every ω', () => {
    const [event] = eventsFor(leapfrog.id, 0.01);
    expect(event).toMatchObject({ type: 'integrator:unstable', maxOmega: 0 });
  });
});
