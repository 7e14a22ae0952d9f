import { defineActivation, tf, v } from '@npde/core';

/**
 * The softplus f(x) = ln(1 + e^x), a smooth rectifier whose derivative is the logistic
 * sigmoid.
 *
 * @example
 * ```ts
 * import { tf } from '@npde/core';
 * import { softplus } from '@npde/activations';
 * const f = softplus.create({ options: {} });
 * f.apply(tf.tensor1d([-1, 0, 2])); // [0.3133, 0.6931, 2.1269]
 * // in a model spec: activation: '@npde/activations/softplus'
 * ```
 */
export const softplus = defineActivation({
  id: '@npde/activations/softplus',
  description: 'softplus f(x) = ln(1 + exp(x)) (smooth rectifier)',
  options: v.strictObject({}),
  create: () => ({ apply: (x) => tf.softplus(x), stencilActivation: 'softplus' }),
});
