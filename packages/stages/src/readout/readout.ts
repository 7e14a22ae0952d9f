import { defineStage, resolveField, tf, v, type StageInstance, type Tensor2D } from '@npde/core';

/**
 * A linear map from the field to K outputs, `y = x W + b`: from every value
 * of the field, or (`average: true`) from each channel's mean over the sites
 * (global average pooling first, C·K weights instead of size·K). The output
 * is a 1-D field of K sites: logits for a classifier, values for a regression.
 *
 * @example
 * ```ts
 * { id: '@npde/stages/readout', options: { outputs: 10, average: true } }
 * ```
 */
export const readout = defineStage({
  id: '@npde/stages/readout',
  description: 'linear readout to K outputs (optionally from per-channel site averages)',
  options: v.strictObject({
    /** Number of outputs K (classes of a classifier), a positive integer. */
    outputs: v.pipe(v.number(), v.integer(), v.minValue(1)),
    /** Average each channel over the sites first (default false). */
    average: v.optional(v.boolean(), false),
  }),
  create: ({ options, input, seed }): StageInstance => {
    const features = options.average ? input.realChannels : input.size;
    const K = options.outputs;
    const output = resolveField({ shape: [K] });
    const W = tf.tidy(() => tf.variable(tf.randomUniform([features, K], -1 / Math.sqrt(features), 1 / Math.sqrt(features), 'float32', seed), true));
    const b = tf.tidy(() => tf.variable(tf.zeros([K]), true));
    return {
      output,
      params: { W, b },
      forward: (x) => {
        const batch = x.shape[0];
        const f = options.average ? tf.mean(tf.reshape(x, [batch, input.sites, input.realChannels]), 1) : x;
        return tf.add(tf.matMul(f, W), b) as Tensor2D;
      },
      describe: () => `readout: ${options.average ? `${input.realChannels} channel means` : `${input.size} values`} → ${K} outputs`,
      dispose: () => {
        W.dispose();
        b.dispose();
      },
    };
  },
});
