import { defineActivation, tf, v } from '@npde/core';

/**
 * The rectifier f(x) = max(x, 0). Its derivative is taken as 0 at x = 0.
 *
 * @example
 * ```ts
 * import { tf } from '@npde/core';
 * import { relu } from '@npde/activations';
 * const f = relu.create({ options: {} });
 * f.apply(tf.tensor1d([-1, 0, 2])); // [0, 0, 2]
 * // in a model spec: activation: '@npde/activations/relu'
 * ```
 */
export const relu = defineActivation({
  id: '@npde/activations/relu',
  description: 'rectifier f(x) = max(x, 0)',
  options: v.strictObject({}),
  create: () => ({ apply: (x) => tf.relu(x), stencilActivation: 'relu' }),
});
