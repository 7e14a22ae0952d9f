import { defineActivation, tf, v } from '@npde/core';

/**
 * The logistic function f(x) = 1 / (1 + e^(−x)), with values in (0, 1).
 *
 * @example
 * ```ts
 * import { tf } from '@npde/core';
 * import { sigmoid } from '@npde/activations';
 * const f = sigmoid.create({ options: {} });
 * f.apply(tf.tensor1d([-1, 0, 2])); // [0.2689, 0.5, 0.8808]
 * // in a model spec: activation: '@npde/activations/sigmoid'
 * ```
 */
export const sigmoid = defineActivation({
  id: '@npde/activations/sigmoid',
  description: 'logistic sigmoid f(x) = 1 / (1 + exp(-x))',
  options: v.strictObject({}),
  create: () => ({ apply: (x) => tf.sigmoid(x), stencilActivation: 'sigmoid' }),
});
