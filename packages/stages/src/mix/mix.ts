import { defineStage, resolveField, tf, v, type StageInstance, type Tensor2D } from '@npde/core';

/**
 * Pointwise channel mixing C_in → C_out with a bias, the same at every site:
 * `y[s, o] = Σ_i x[s, i] W[i, o] + b[o]` (the multi-channel reaction term of
 * Guo et al.; with one input channel, a lift into channels). Keeps the grid.
 * Weights start uniform in ±1/√C_in from the model's seed; the bias at 0.
 *
 * @example
 * ```ts
 * { id: '@npde/stages/mix', options: { channels: 8 } }   // 1 → 8 channels
 * ```
 */
export const mix = defineStage({
  id: '@npde/stages/mix',
  description: 'pointwise channel mixing C_in → C_out with bias (a lift into channels)',
  options: v.strictObject({
    /** Output channels C_out, a positive integer. */
    channels: v.pipe(v.number(), v.integer(), v.minValue(1)),
    /** Whether to add a bias per output channel (default true). */
    bias: v.optional(v.boolean(), true),
  }),
  create: ({ options, input, seed }): StageInstance => {
    const cin = input.realChannels;
    const cout = options.channels;
    const output = resolveField({ shape: input.shape, channels: cout });
    const W = tf.tidy(() => tf.variable(tf.randomUniform([cin, cout], -1 / Math.sqrt(cin), 1 / Math.sqrt(cin), 'float32', seed), true));
    const b = options.bias ? tf.tidy(() => tf.variable(tf.zeros([cout]), true)) : undefined;
    return {
      output,
      params: b ? { W, b } : { W },
      forward: (x) => {
        const batch = x.shape[0];
        let y = tf.matMul(tf.reshape(x, [batch * input.sites, cin]), W);
        if (b) y = tf.add(y, b);
        return tf.reshape(y, [batch, output.size]) as Tensor2D;
      },
      describe: () => `mix: ${cin} → ${cout} channels${b ? ' with bias' : ''}`,
      dispose: () => {
        W.dispose();
        b?.dispose();
      },
    };
  },
});
