/**
 * Convergence order of every integrator on problems with known solutions: linear
 * decay (exact exponential), the heat equation from a Gaussian and the advection of
 * a smooth (Gaussian) profile on a periodic grid (exact solution of the semi-discrete
 * system by its Fourier modes, float64; see problems.test-util.ts), and the wave
 * equation as a separable Hamiltonian pair (for the symplectic scheme). The error at
 * a fixed time T is measured at three step sizes ω, ω/2, ω/4; the observed order
 * log2(e(ω)/e(ω/2)) must be within ±0.3 of the theoretical one for both pairs.
 *
 * Step sizes are chosen so that (a) the schemes are in their asymptotic regime
 * (|ωλ| ≤ 0.4 for the modes that carry the error, so the next term moves the order by
 * < 0.2) and (b) the smallest errors (≳ 1e-6; RK4 on linear decay ~1e-7) stay above float32 round-off, whose
 * accumulated effect over ≤ 160 steps of |z| ≤ 2 is ~1e-7, so the tfjs (float32)
 * integrators are measured directly. RK4's error falls below that floor on the grid
 * problems (~1e-8 at ω = 0.1): there the tableau the rk4 plugin runs is stepped in
 * float64 (explicitRungeKuttaStep64, the same ButcherTableau object), after checking
 * that the float32 plugin follows that float64 run to float32 accuracy, so the order
 * measured in float64 is the plugin's scheme's.
 *
 * Measured (ω, ω/2 and ω/2, ω/4): euler 1.01/1.01 (decay), 1.02/1.01 (heat), 1.01/1.01
 * (advection); heun 2.12/2.06, 2.12/2.05, 2.00/2.01; rk4 float32 decay 4.25/4.14, float64
 * 4.24/4.12, 4.18/4.09, 4.03/4.02, wave 3.94/3.95; semi-implicit order 1 1.01/1.01,
 * 0.98/0.99, 1.01/1.01, order 2 2.12/2.06, 2.01/2.00, 2.00/2.01; leapfrog 1.88/1.97 (decay),
 * 2.00/2.00 (advection); symplectic 1.01/1.00, 1.03/1.01, 1.02/1.01, wave pair 2.00/2.00.
 */
import { tf } from '@npde/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { euler, heun, leapfrog, rk4, semiImplicit, symplectic } from './index.js';
import { gaussian, integrate, linearDecay, maxError, orders, stencilProblem, wavePair, type Problem } from './problems.test-util.js';
import { RK4_TABLEAU, explicitRungeKuttaStep64 } from './runge-kutta.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const S = 32;
const decay = linearDecay(0, [0.2, -0.4, 1.0], [[1.0, -0.5, 2.0], [-1.5, 0.25, 0.0]], 2);
// heat: D/Δ² = μ = 0.5 (explicit limit ω ≤ 1); advection: U/Δ = 1, centred.
const heat = stencilProblem('heat', [gaussian(S, 16, 2)], [0.5, 0, 0.5], 2);
const advection = stencilProblem('advection', [gaussian(S, 16, 3)], [0.5, 1, -0.5], 4);
const wave = wavePair(gaussian(S, 16, 3), new Array<number>(S).fill(0), 1, 4);

function measuredOrders(integrate: (omega: number) => number[][], problem: Problem, omegas: readonly number[]): { errors: number[]; orders: number[] } {
  const errors = omegas.map((w) => maxError(integrate(w), problem.exact));
  return { errors, orders: orders(errors) };
}

function expectOrder(label: string, result: { errors: number[]; orders: number[] }, order: number): void {
  for (const p of result.orders) expect(Math.abs(p - order), `${label}: errors ${result.errors.map((e) => e.toExponential(2))}, orders ${result.orders.map((o) => o.toFixed(2))}`).toBeLessThanOrEqual(0.3);
}

const cases: { integrator: typeof euler; options?: object; problems: [Problem, number, number[]][] }[] = [
  { integrator: euler, problems: [[decay, 1, [0.1, 0.05, 0.025]], [heat, 1, [0.2, 0.1, 0.05]], [advection, 1, [0.1, 0.05, 0.025]]] },
  { integrator: heun, problems: [[decay, 2, [0.2, 0.1, 0.05]], [heat, 2, [0.4, 0.2, 0.1]], [advection, 2, [0.2, 0.1, 0.05]]] },
  // RK4 on linear decay is measurable in float32 (errors 5e-5 … 2e-7 at |ωλ| ≤ 0.4); the grid problems are below.
  { integrator: rk4, problems: [[decay, 4, [0.4, 0.2, 0.1]]] },
  { integrator: semiImplicit, options: { order: 1 }, problems: [[decay, 1, [0.1, 0.05, 0.025]], [heat, 1, [0.2, 0.1, 0.05]], [advection, 1, [0.1, 0.05, 0.025]]] },
  { integrator: semiImplicit, options: { order: 2 }, problems: [[decay, 2, [0.2, 0.1, 0.05]], [heat, 2, [0.5, 0.25, 0.125]], [advection, 2, [0.2, 0.1, 0.05]]] },
  // Leapfrog is unstable for any diffusion (stability limit 0, see stability.spec.ts), so the heat equation is not its problem.
  { integrator: leapfrog, problems: [[decay, 2, [0.1, 0.05, 0.025]], [advection, 2, [0.2, 0.1, 0.05]]] },
  // Störmer–Verlet: second order for a separable Hamiltonian pair, a first-order splitting otherwise.
  { integrator: symplectic, problems: [[decay, 1, [0.1, 0.05, 0.025]], [heat, 1, [0.2, 0.1, 0.05]], [advection, 1, [0.1, 0.05, 0.025]], [wave, 2, [0.2, 0.1, 0.05]]] },
];

describe('observed convergence order (float32 tfjs plugins)', () => {
  for (const c of cases) {
    for (const [problem, order, omegas] of c.problems) {
      it(`${c.integrator.id}${c.options ? ` ${JSON.stringify(c.options)}` : ''} on ${problem.name}: order ${order}`, () => {
        expectOrder(problem.name, measuredOrders((w) => integrate(c.integrator, problem, w, c.options ?? {}), problem, omegas), order);
      });
    }
  }
});

describe('RK4 below float32 round-off: its tableau in float64', () => {
  const run64 = (problem: Problem, omega: number) =>
    problem.z0.map((row) => {
      let z = row;
      for (let n = 0; n < Math.round(problem.T / omega); n++) z = explicitRungeKuttaStep64(problem.rhs64, z, omega, RK4_TABLEAU);
      return z;
    });

  // The plugin (float32) and the float64 run of the same tableau agree to float32
  // accuracy (≤ 1e-6 per step on |z| ≤ 1, over ≤ 40 steps), while the scheme's error
  // against the exact solution at ω = 0.4 is ≥ 1e-5: the float64 run is the plugin's scheme.
  it.each([heat, advection, wave].map((p) => [p.name, p] as const))('the rk4 plugin follows the float64 tableau run on %s', (_name, problem) => {
    const omega = 0.4;
    const diff = maxError(integrate(rk4, problem, omega), run64(problem, omega));
    expect(diff).toBeLessThan(2e-6);
    expect(maxError(run64(problem, omega), problem.exact)).toBeGreaterThan(10 * diff);
  });

  it.each([decay, heat, advection, wave].map((p) => [p.name, p] as const))('order 4 on %s', (_name, problem) => {
    expectOrder(problem.name, measuredOrders((w) => run64(problem, w), problem, [0.4, 0.2, 0.1]), 4);
  });
});
