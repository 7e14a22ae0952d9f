import { defineReservoir, tf, v, type Tensor2D } from '@npde/core';
import { safeNorm } from './norm.js';

/** Options schema of {@link soft}. */
export const SoftReservoirOptionsSchema = v.strictObject({
  /** Rate α > 0 (in units of γ) at which ‖z‖ is pulled back to 1; 1/α is the reservoir's time scale. Default 1. */
  alpha: v.optional(v.pipe(v.number(), v.finite(), v.gtValue(0)), 1),
});

/** Validated options of {@link soft}. */
export type SoftReservoirOptions = v.InferOutput<typeof SoftReservoirOptionsSchema>;

/**
 * Soft normalization (theory §3): adds the damping term
 *
 *     R(z) = −α (‖z‖ − 1) · z / ‖z‖
 *
 * to dz/dt (in units of γ), per sample, with ‖·‖ the L2 norm over the field axis
 * (ε-smoothed at z = 0, where R = 0). Alone, it drives ‖z‖ to 1 as
 * d‖z‖/dt = −αγ (‖z‖ − 1) along the direction of z, like a thermostat; the hard
 * projection is its limit α → ∞. No projection (`project` returns a clone of z),
 * no parameters. The term is stiff for large α: with the Euler integrator keep
 * ω·α < 2 (≤ 1 for no overshoot).
 *
 * @example
 * ```ts
 * // in a model spec:
 * { reservoir: { id: '@npde/reservoirs/soft', options: { alpha: 0.5 } } }
 * ```
 */
export const soft = defineReservoir<SoftReservoirOptions>({
  id: '@npde/reservoirs/soft',
  description: 'soft normalization: damping term −α(‖z‖ − 1) z/‖z‖ pulls each sample to the unit sphere',
  options: SoftReservoirOptionsSchema,
  create: ({ options }) => {
    const { alpha } = options;
    return {
      params: {},
      term: (z) => {
        const n = safeNorm(z);
        // −α (n − 1) z / n = α (1 − n)/n · z
        return tf.mul(z, tf.mul(alpha, tf.div(tf.sub(1, n), n))) as Tensor2D;
      },
      project: (z) => tf.clone(z),
    };
  },
});
