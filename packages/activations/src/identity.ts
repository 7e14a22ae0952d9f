import { defineActivation, tf, v } from '@npde/core';

/**
 * The identity f(x) = x: the relaxation becomes linear, dz/dt = −γ(z − W z + b) (theory §4,
 * "Linear PDE"), whose steady state is the Green's function of the kernel. The result
 * is a new tensor handle on the same data (a clone), which the caller owns.
 *
 * @example
 * ```ts
 * import { tf } from '@npde/core';
 * import { identity } from '@npde/activations';
 * const f = identity.create({ options: {} });
 * f.apply(tf.tensor1d([-1, 0, 2])); // [-1, 0, 2]
 * // in a model spec: activation: '@npde/activations/identity'
 * ```
 */
export const identity = defineActivation({
  id: '@npde/activations/identity',
  description: 'identity f(x) = x (linear dynamics)',
  options: v.strictObject({}),
  create: () => ({ apply: (x) => tf.clone(x), stencilActivation: 'identity' }),
});
