import { defineIntegrator, tf, v, type Tensor2D } from '@npde/core';
import { stabilityLimitOf } from './stability.js';

/**
 * Forward Euler for the relaxation dynamics dz/dt = γ·F(z) (theory §1, eq. [19]):
 *
 *     z ← (1 − ω)·z + ω·(f(W z − b) + R(z))
 *
 * with ω = γ·dt and R the reservoir term (left out when the reservoir has none).
 * The update is computed in this form, not as z + ω·F(z), so that ω = 1 without
 * a reservoir gives f(W z − b) bit for bit: one relaxation step is then exactly
 * one ordinary network layer. First order in ω; one right-hand-side evaluation
 * per step; differentiable in z and in ω. Stable where |1 + ωλ| ≤ 1 for every
 * eigenvalue λ of the linearized dynamics: explicit 1-D diffusion needs
 * ω·D/Δ² ≤ 1/2 (`stabilityLimit` reports it for a kernel's stencil).
 *
 * @example
 * ```ts
 * import { euler } from '@npde/integrators';
 * const integrator = euler.create({ options: {} });
 * const next = integrator.step(ctx); // ctx: the model's StepContext
 * // in a model spec: integrator: '@npde/integrators/euler', omega: 0.5
 * ```
 */
export const euler = defineIntegrator({
  id: '@npde/integrators/euler',
  description: 'forward Euler relaxation z ← (1 − ω) z + ω f(W z − b) (first order; ω = 1 is an MLP layer)',
  options: v.strictObject({}),
  create: () => ({
    evaluationsPerStep: 1,
    relaxation: 'euler',
    step: (ctx) => {
      const { z, omega } = ctx;
      const attractor = ctx.attractor(z);
      const reservoir = ctx.reservoirTerm(z);
      const target = reservoir ? tf.add(attractor, reservoir) : attractor;
      return tf.add(tf.mul(tf.sub(1, omega), z), tf.mul(omega, target)) as Tensor2D;
    },
    stabilityLimit: (stencil) =>
      stabilityLimitOf(stencil, (re, im) => Math.hypot(1 + re, im), 'forward Euler: |1 + ωλ| ≤ 1 (explicit 1-D diffusion: ω·D/Δ² ≤ 1/2; centred advection: unstable)'),
  }),
});
