import { defineActivation, tf, v } from '@npde/core';

/**
 * The hyperbolic tangent f(x) = tanh(x): bounded, odd and smooth, with f′(0) = 1.
 *
 * @example
 * ```ts
 * import { tf } from '@npde/core';
 * import { tanh } from '@npde/activations';
 * const f = tanh.create({ options: {} });
 * f.apply(tf.tensor1d([-1, 0, 2])); // [-0.7616, 0, 0.9640]
 * // in a model spec: activation: '@npde/activations/tanh'
 * ```
 */
export const tanh = defineActivation({
  id: '@npde/activations/tanh',
  description: 'hyperbolic tangent f(x) = tanh(x)',
  options: v.strictObject({}),
  create: () => ({ apply: (x) => tf.tanh(x), stencilActivation: 'tanh' }),
});
