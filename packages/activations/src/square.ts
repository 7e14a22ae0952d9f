import { defineActivation, tf, v } from '@npde/core';

/**
 * The square f(x) = x². With W = I and b = 0 the dynamics are the logistic equation
 * dz/dt = −γ(z − z²) (theory §4, "Local ODE").
 *
 * @example
 * ```ts
 * import { tf } from '@npde/core';
 * import { square } from '@npde/activations';
 * const f = square.create({ options: {} });
 * f.apply(tf.tensor1d([-1, 0, 2])); // [1, 0, 4]
 * // in a model spec: activation: '@npde/activations/square'
 * ```
 */
export const square = defineActivation({
  id: '@npde/activations/square',
  description: 'square f(x) = x^2 (logistic local dynamics)',
  options: v.strictObject({}),
  create: () => ({ apply: (x) => tf.square(x) }),
});
