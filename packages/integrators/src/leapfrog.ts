import { defineIntegrator, tf, v, type Tensor2D } from '@npde/core';
import { HEUN_TABLEAU, explicitRungeKuttaStep } from './runge-kutta.js';
import { stabilityLimitOf } from './stability.js';

/**
 * The largest |μ| of the two roots of μ² − 2ζμ − 1 = 0, leapfrog's
 * characteristic equation for dz/dt = λ z at ζ = ωλ.
 */
function leapfrogAmplification(re: number, im: number): number {
  // sqrt(ζ² + 1) by the principal complex square root
  const wRe = re * re - im * im + 1;
  const wIm = 2 * re * im;
  const r = Math.hypot(wRe, wIm);
  const sRe = Math.sqrt((r + wRe) / 2);
  const sIm = Math.sign(wIm) * Math.sqrt(Math.max(0, (r - wRe) / 2));
  return Math.max(Math.hypot(re + sRe, im + sIm), Math.hypot(re - sRe, im - sIm));
}

/**
 * Leapfrog (the explicit midpoint two-step scheme) for dz/dt = γ F(z), ω = γ·dt:
 *
 *     z_{l+1} = z_{l−1} + 2ω F(z_l)
 *
 * using the state one step back (`StepContext.previous`); the first step, which has
 * none, is one Heun step, so the scheme is second order in ω throughout. One
 * right-hand-side evaluation per step (two on the first). Leapfrog is
 * time-reversible and does not damp: it is the scheme of the hyperbolic networks of
 * Ruthotto and Haber (there applied to a second-order-in-time equation), stable for
 * purely imaginary spectra with |ωλ| < 1 (centred advection: ω·|U|/Δ < 1) and
 * unstable for any diffusion or decay (`stabilityLimit` is 0 for a diffusive
 * kernel: a parasitic mode grows like (1 + ω|λ|)^l, which over a fixed time ωL
 * still converges, but not for long rollouts).
 *
 * @example
 * ```ts
 * const spec = { field: { shape: [64] }, layers: 32, omega: 0.2, integrator: '@npde/integrators/leapfrog',
 *   kernel: { id: '@npde/kernels/adr', options: { init: { U: 1, D: 0 } } }, activation: '@npde/activations/identity' };
 * ```
 */
export const leapfrog = defineIntegrator({
  id: '@npde/integrators/leapfrog',
  description: 'leapfrog (explicit midpoint two-step), second order, reversible; Heun start',
  options: v.strictObject({}),
  create: () => ({
    evaluationsPerStep: 1,
    step: (ctx) => {
      if (!ctx.previous) return explicitRungeKuttaStep(ctx, HEUN_TABLEAU);
      return tf.add(ctx.previous, tf.mul(tf.mul(2, ctx.omega), ctx.rhs(ctx.z))) as Tensor2D;
    },
    stabilityLimit: (stencil) =>
      stabilityLimitOf(
        stencil,
        leapfrogAmplification,
        'leapfrog: both roots of μ² − 2ωλμ − 1 = 0 on the unit disc, i.e. ωλ ∈ i(−1, 1) (centred advection: ω·|U|/Δ < 1; any diffusion: unstable)',
      ),
  }),
});
