import { defineReservoir, v } from '@npde/core';

/**
 * No reservoir: no extra term in the dynamics and no projection. The default.
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
  options: v.object({}),
  create: () => ({
    params: {},
    term: () => null,
    project: (z) => z,
  }),
});
