import { defineReservoir, tf, v } from '@npde/core';

/**
 * No reservoir: no extra term in the dynamics and no projection. The default.
 * `project` is the identity; like every op it returns a new tensor handle (a
 * clone sharing z's data), so callers may dispose it without disposing z.
 *
 * @example
 * ```ts
 * // in a model spec:
 * { reservoir: '@npde/reservoirs/none' }
 * ```
 */
export const none = defineReservoir({
  id: '@npde/reservoirs/none',
  description: 'no normalization (no term, no projection)',
  options: v.strictObject({}),
  create: () => ({
    params: {},
    inert: true,
    term: () => null,
    project: (z) => tf.clone(z),
  }),
});
