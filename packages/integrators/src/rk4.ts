import { defineIntegrator, v } from '@npde/core';
import { RK4_TABLEAU, explicitRungeKuttaStep, rungeKuttaAmplification } from './runge-kutta.js';
import { stabilityLimitOf } from './stability.js';

/**
 * The classic fourth-order Runge–Kutta scheme for dz/dt = γ F(z), ω = γ·dt:
 *
 *     k₁ = F(z), k₂ = F(z + ω k₁/2), k₃ = F(z + ω k₂/2), k₄ = F(z + ω k₃)
 *     z ← z + ω (k₁ + 2k₂ + 2k₃ + k₄) / 6
 *
 * Fourth order in ω; four right-hand-side evaluations per step; differentiable in
 * z and ω. Stable where |1 + ζ + ζ²/2 + ζ³/6 + ζ⁴/24| ≤ 1, ζ = ωλ: on the real axis
 * down to ζ ≈ −2.785 (1-D diffusion: ω·D/Δ² ≤ 0.696) and on the imaginary axis up
 * to |ζ| = 2√2 (centred advection: ω·|U|/Δ ≤ 2√2). The scheme to re-run a trained
 * model with at ω/2 and ω/4 ({@link rerunWithIntegrator}).
 *
 * @example
 * ```ts
 * const spec = { field: { shape: [64] }, layers: 16, omega: 0.25, integrator: '@npde/integrators/rk4',
 *   kernel: '@npde/kernels/adr', activation: '@npde/activations/tanh' };
 * ```
 */
export const rk4 = defineIntegrator({
  id: '@npde/integrators/rk4',
  description: 'classic fourth-order Runge–Kutta: four evaluations per step',
  options: v.strictObject({}),
  create: () => ({
    evaluationsPerStep: 4,
    step: (ctx) => explicitRungeKuttaStep(ctx, RK4_TABLEAU),
    stabilityLimit: (stencil) =>
      stabilityLimitOf(
        stencil,
        (re, im) => rungeKuttaAmplification(RK4_TABLEAU, re, im),
        'RK4: |R₄(ωλ)| ≤ 1 (1-D diffusion: ω·D/Δ² ≤ 0.696; centred advection: ω·|U|/Δ ≤ 2√2)',
      ),
  }),
});
