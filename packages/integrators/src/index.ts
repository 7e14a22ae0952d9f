/**
 * `@npde/integrators`: time-stepping schemes for the relaxation dynamics
 * dz/dt = −γ (z − f(W z − b)) + reservoir term — forward Euler, Heun, RK4, a
 * semi-implicit (IMEX) scheme, leapfrog and the symplectic Störmer–Verlet pair —
 * each with its stability limit for a kernel, and tools to re-run a trained model
 * with another integrator. This entry is pure; import
 * `@npde/integrators/register` to add them to the global registry.
 *
 * @packageDocumentation
 */
import type { Integrator } from '@npde/core';
import { euler } from './euler.js';
import { heun } from './heun.js';
import { leapfrog } from './leapfrog.js';
import { rk4 } from './rk4.js';
import { semiImplicit } from './semi-implicit.js';
import { symplectic } from './symplectic.js';

export { euler, heun, rk4, semiImplicit, leapfrog, symplectic };
export type { SemiImplicitOptions } from './semi-implicit.js';
export { HEUN_TABLEAU, RK4_TABLEAU, explicitRungeKuttaStep, explicitRungeKuttaStep64, rungeKuttaAmplification, type ButcherTableau } from './runge-kutta.js';
export { largestStableOmega, stabilityLimitOf, stencilSpectrum, type Amplification, type SpectrumSample } from './stability.js';
export { solveTridiagonal64, tridiagonalSolve } from './tridiagonal.js';
export { observedOrder, rerunWithIntegrator, type ObservedOrder, type RerunOptions } from './rerun.js';

/**
 * Every integrator of this package, for `registry.register(plugins)`.
 *
 * @example
 * ```ts
 * import { Registry } from '@npde/core';
 * import { plugins } from '@npde/integrators';
 * const registry = new Registry().register(plugins);
 * ```
 */
export const plugins: readonly Integrator[] = [euler, heun, rk4, semiImplicit, leapfrog, symplectic];
