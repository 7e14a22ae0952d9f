/**
 * A minimal 1-D three-point stencil kernel for tests: W z_i = l_k z_{i−1} + c_k z_i + r_k z_{i+1}
 * with l = μ_k + U/2, r = μ_k − U/2, c = 1 − 2μ_k (diffusion number μ_k of layer k, centred
 * advection U), periodic or zero boundary; μ is a trainable variable `[layers]`.
 */
import { defineKernelFamily, tf, v, type KernelStencil, type Tensor2D } from '@npde/core';

export const testStencilKernel = defineKernelFamily({
  id: '@test/integrators/stencil',
  description: 'three-point diffusion–advection stencil for the integrator tests',
  options: v.strictObject({
    mu: v.array(v.number()),
    U: v.optional(v.number(), 0),
    boundary: v.optional(v.picklist(['periodic', 'zero']), 'periodic'),
  }),
  create: ({ options, field, layers }) => {
    const S = field.size;
    const mu = tf.variable(tf.tensor1d(Array.from({ length: layers }, (_, k) => options.mu[Math.min(k, options.mu.length - 1)]!)), true);
    const { U, boundary } = options;
    const tapsOf = (layer: number): Tensor2D => {
      const m = tf.gather(mu, layer);
      const row = tf.stack([tf.add(m, U / 2), tf.sub(1, tf.mul(2, m)), tf.sub(m, U / 2)]);
      return tf.tile(tf.reshape(row, [1, 3]), [S, 1]) as Tensor2D;
    };
    const neighbour = (z: Tensor2D, by: 1 | -1): Tensor2D => {
      const b = z.shape[0];
      const edge = boundary === 'periodic' ? tf.slice(z, [0, by === 1 ? S - 1 : 0], [b, 1]) : tf.zeros([b, 1]);
      return (by === 1 ? tf.concat([edge, tf.slice(z, [0, 0], [b, S - 1])], 1) : tf.concat([tf.slice(z, [0, 1], [b, S - 1]), edge], 1)) as Tensor2D;
    };
    return {
      params: { mu },
      paramCount: layers,
      apply: (z, layer) => {
        const t = tapsOf(layer);
        const col = (k: number) => tf.reshape(tf.slice(t, [0, k], [S, 1]), [S]);
        return tf.addN([tf.mul(col(0), neighbour(z, 1)), tf.mul(col(1), z), tf.mul(col(2), neighbour(z, -1))]) as Tensor2D;
      },
      stencil: (layer): KernelStencil => ({ taps: tapsOf(layer), geometry: { dims: 1, sites: S, radius: 1 }, boundary }),
      dispose: () => mu.dispose(),
    };
  },
});
