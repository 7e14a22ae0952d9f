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
    const reduce = options.reduce === 'max' ? blockMax : blockMean;
    // [B, n0, n1, …, C] → [B, n0/f0, f0, n1/f1, f1, …, C], reduced over the block axes. A 3-D grid
    // would need rank 8, past what tfjs-backend-wasm differentiates (its XNNPACK ops stop at rank 6
    // and the gradients came out wrong): there one axis at a time, `[B, before, n/f, f, after]`.
    const passes: { split: number[]; axes: number[] }[] =
      d <= 2
        ? [{ split: [...outShape.flatMap((n, a) => [n, factors[a]!]), c], axes: outShape.map((_, a) => 2 + 2 * a) }]
        : factors.map((f, a) => {
            const before = outShape.slice(0, a).reduce((p, n) => p * n, 1);
            const after = input.shape.slice(a + 1).reduce((p, n) => p * n, c);
            return { split: [before, outShape[a]!, f, after], axes: [3] };
          });
    return {
      output,
      params: {},
      forward: (x) => {
        const batch = x.shape[0];
        let y: tf.Tensor = x;
        for (const p of passes) y = reduce(tf.reshape(y, [batch, ...p.split]), p.axes);
        return tf.reshape(y, [batch, output.size]) as Tensor2D;
      },
      describe: () => `pool: [${input.shape.join(', ')}] → [${outShape.join(', ')}] (${options.reduce === 'max' ? 'maximum' : 'average'} over ${factors.join('×')})`,
      dispose: () => {},
    };
  },
});

/**
 * `tf.max(x, axes)` with `tf.max`'s gradient (dy to every element equal to its block's
 * maximum) computed as `(1 − step(max − x)) · dy` instead of `equal(x, max) · dy`: the same
 * values, but tfjs-backend-wasm runs a broadcasting `Equal` about 200× slower than the
 * broadcasting subtraction and product (82 of the 133 ms of a max-pooling digits training
 * step went to two `Equal`s; the step now takes 32–34 ms).
 */
function blockMax(x: tf.Tensor, axes: number[]): tf.Tensor {
  const forward = (blocks: tf.Tensor, save: tf.GradSaveFunc) => {
    const y = tf.max(blocks, axes);
    save([blocks, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, [b, m]: tf.Tensor[]) => {
        const kept = b!.shape.map((n, a) => (axes.includes(a) ? 1 : n));
        const atMax = tf.sub(1, tf.step(tf.sub(tf.reshape(m!, kept), b!)));
        return tf.mul(atMax, tf.reshape(dy, kept));
      },
    };
  };
  return (tf.customGrad(forward as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (t: tf.Tensor) => tf.Tensor)(x);
}

/**
 * `tf.mean(x, axes)` with the same gradient, dy / (block size) at every element, spread by a
 * broadcasting product with `fill(1)` where tfjs's own gradient uploads a `ones(x.shape)` from
 * JavaScript at every step (the digits model's training step on wasm, average pooling: 40 ms
 * before, 31–36 ms after). Same values, bit for bit.
 */
function blockMean(x: tf.Tensor, axes: number[]): tf.Tensor {
  const shape = x.shape;
  const kept = shape.map((n, a) => (axes.includes(a) ? 1 : n));
  const size = axes.reduce((p, a) => p * shape[a]!, 1);
  const forward = (blocks: tf.Tensor) => ({
    value: tf.mean(blocks, axes),
    gradFunc: (dy: tf.Tensor) => tf.div(tf.mul(tf.reshape(dy, kept), tf.fill(shape, 1)), size),
  });
  return (tf.customGrad(forward as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (t: tf.Tensor) => tf.Tensor)(x);
}
