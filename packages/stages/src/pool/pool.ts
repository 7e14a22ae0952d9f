import { ErrorCodes, UnsupportedFieldError, defineStage, resolveField, tf, v, type StageInstance, type Tensor2D } from '@npde/core';

/**
 * Coarse-graining of a grid by an integer factor per axis: each output site
 * is the average (default; diffusion followed by subsampling) or the maximum
 * (`reduce: 'max'`, the max-pooling of conventional CNNs) of a `factor`-sized
 * block of input sites, per channel. Every axis's length must be divisible by
 * its factor. No parameters.
 *
 * @example
 * ```ts
 * { id: '@npde/stages/pool', options: { factor: 2 } }        // 28×28 → 14×14
 * { id: '@npde/stages/pool', options: { factor: [2, 1] } }   // rows only
 * ```
 */
export const pool = defineStage({
  id: '@npde/stages/pool',
  description: 'average (or max) pooling by an integer factor per axis (coarse-graining)',
  options: v.strictObject({
    /** One factor for every axis, or one per axis; integers ≥ 1. */
    factor: v.union([
      v.pipe(v.number(), v.integer(), v.minValue(1)),
      v.pipe(v.array(v.pipe(v.number(), v.integer(), v.minValue(1))), v.minLength(1), v.maxLength(3)),
    ]),
    /** `mean` (default: the block's average) or `max` (its largest value). */
    reduce: v.optional(v.picklist(['mean', 'max']), 'mean'),
  }),
  create: ({ options, input, path }): StageInstance => {
    const d = input.dims;
    const factors = typeof options.factor === 'number' ? new Array<number>(d).fill(options.factor) : options.factor;
    if (input.points || factors.length !== d || input.shape.some((n, a) => n % factors[a]! !== 0)) {
      throw new UnsupportedFieldError(ErrorCodes.UNSUPPORTED_FIELD, 'the grid cannot be pooled by this factor', {
        path: `${path}.factor`,
        expected: `${d} factor(s) dividing the grid [${input.shape.join(', ')}]`,
        received: JSON.stringify(options.factor),
        hint: 'Pool a regular grid whose every axis length is a multiple of its factor.',
      });
    }
    const c = input.realChannels;
    const outShape = input.shape.map((n, a) => n / factors[a]!);
    const output = resolveField({ shape: outShape, channels: c });
    // [B, n0, n1, …, C] → [B, n0/f0, f0, n1/f1, f1, …, C], mean over the block axes.
    const split = outShape.flatMap((n, a) => [n, factors[a]!]);
    const blockAxes = outShape.map((_, a) => 2 + 2 * a);
    return {
      output,
      params: {},
      forward: (x) => {
        const batch = x.shape[0];
        const blocks = tf.reshape(x, [batch, ...split, c]);
        const y = options.reduce === 'max' ? tf.max(blocks, blockAxes) : tf.mean(blocks, blockAxes);
        return tf.reshape(y, [batch, output.size]) as Tensor2D;
      },
      describe: () => `pool: [${input.shape.join(', ')}] → [${outShape.join(', ')}] (${options.reduce === 'max' ? 'maximum' : 'average'} over ${factors.join('×')})`,
      dispose: () => {},
    };
  },
});
