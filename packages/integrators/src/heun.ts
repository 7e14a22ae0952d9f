import { defineIntegrator, v } from '@npde/core';
import { HEUN_TABLEAU, explicitRungeKuttaStep, rungeKuttaAmplification } from './runge-kutta.js';
import { stabilityLimitOf } from './stability.js';

/**
 * Heun's method (RK2, the explicit trapezoidal rule) for dz/dt = γ F(z), ω = γ·dt:
 *
 *     k₁ = F(z),  k₂ = F(z + ω k₁),  z ← z + ω (k₁ + k₂) / 2
 *
 * Second order in ω; two right-hand-side evaluations per step; differentiable in
 * z and ω (so ω may be trainable). Stable where |1 + ζ + ζ²/2| ≤ 1, ζ = ωλ: on the
 * real axis down to ζ = −2, the same limit as forward Euler (1-D diffusion:
 * ω·D/Δ² ≤ 1/2), and unstable for purely imaginary λ (centred advection) at
 * every ω, though only weakly (|R| = 1 + O(ζ⁴)).
 *
 * @example
 * ```ts
 * // in a model spec:
 * const spec = { field: { shape: [64] }, layers: 16, omega: 0.25, integrator: '@npde/integrators/heun',
 *   kernel: '@npde/kernels/adr', activation: '@npde/activations/tanh' };
 * // or by hand:
 * const next = heun.create({ options: {}, field, layers: 1, seed: 0 }).step(ctx);
 * ```
 */
export const heun = defineIntegrator({
  id: '@npde/integrators/heun',
  description: "Heun's method (RK2, explicit trapezoidal): second order, two evaluations per step",
  options: v.strictObject({}),
  create: () => ({
    evaluationsPerStep: 2,
    step: (ctx) => explicitRungeKuttaStep(ctx, HEUN_TABLEAU),
    stabilityLimit: (stencil) =>
      stabilityLimitOf(
        stencil,
        (re, im) => rungeKuttaAmplification(HEUN_TABLEAU, re, im),
        'Heun: |1 + ωλ + (ωλ)²/2| ≤ 1 (1-D diffusion: ω·D/Δ² ≤ 1/2; centred advection: unstable)',
      ),
  }),
});
