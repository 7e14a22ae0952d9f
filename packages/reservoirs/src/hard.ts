import { defineReservoir, tf, v, type Tensor2D } from '@npde/core';
import { safeNorm } from './norm.js';

/**
 * Hard normalization (theory §3): after every step each sample is projected onto
 * the unit sphere, z ← z / ‖z‖ (L2 norm over the field axis, ε-smoothed, so z = 0
 * stays 0). The α → ∞ limit of the soft reservoir. No term, no parameters.
 *
 * @example
 * ```ts
 * // in a model spec:
 * { reservoir: '@npde/reservoirs/hard' }
 * ```
 */
export const hard = defineReservoir({
  id: '@npde/reservoirs/hard',
  description: 'hard normalization: project each sample onto the unit sphere, z ← z/‖z‖',
  options: v.strictObject({}),
  create: () => ({
    params: {},
    term: () => null,
    project: (z) => tf.div(z, safeNorm(z)) as Tensor2D,
  }),
});
