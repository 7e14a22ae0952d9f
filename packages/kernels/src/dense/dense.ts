import { defineKernelFamily, tf, type KernelFamily, type KernelInstance, type KernelMoments, type Tensor, type Tensor2D } from '@npde/core';
import { matMulTransposedB } from '@npde/core/internal';
import { assertLayer, assertMaxOrder } from '../instance/layer-index.js';
import { instancePrefix } from '../instance/variable-name.js';
import { kernelMomentsFromDense } from '../moments/dense-moments.js';
import { DenseOptionsSchema, type DenseOptions } from './options.js';

const ID = '@npde/kernels/dense';

/**
 * Dense kernel: a full matrix W of shape `[size, size]` per layer (parameter
 * `W`, shape `[layers, size, size]`), or one W shared by every layer with
 * `shared: true` (shape `[size, size]`). With the Euler integrator and ω = 1
 * this is an MLP of constant width. Works for any field geometry: W acts on
 * the flat state (sites row-major, channels last).
 *
 * `apply(z, l)` is `z · W_lᵀ`, so `(W z)_i = Σ_j W_ij z_j`; `dense(l)` returns
 * a copy of `W_l`; `moments(l, p)` are the multi-index moments of that
 * matrix ({@link kernelMomentsFromDense}): per-axis grid offsets (`W0, W1, …`
 * in 1-D; `M, Mx, My, Mxx, Mxy, Myy, …` in 2-D), coordinate offsets for
 * scattered points, and with several channels a channel-blind entry (receiving
 * channels averaged) plus one per channel pair. No `physics()`: a dense W has
 * no fixed physical reading beyond its moments.
 *
 * @example
 * ```ts
 * const model = NeuralPde.create({
 *   field: { shape: [16] }, layers: 4,
 *   kernel: { id: '@npde/kernels/dense', options: { init: 'identity', noise: 0.01 } },
 *   activation: '@npde/activations/tanh',
 * });
 * const m = model.kernel.moments!(0, 2);
 * findMoment(m, 'W1')!.values; // advection-like moment per site
 * ```
 */
export const dense: KernelFamily<DenseOptions> = defineKernelFamily<DenseOptions>({
  id: ID,
  description: 'dense matrix W per layer (or shared): an MLP of constant width',
  options: DenseOptionsSchema,
  create: ({ field, layers, options, seed }): KernelInstance => {
    const n = field.size;
    const { shared, init, noise } = options;
    const shape = shared ? [n, n] : [layers, n, n];
    const prefix = instancePrefix(ID, ['W']);
    const W = tf.tidy(() => {
      let value: Tensor =
        init === 'identity'
          ? tf.eye(n, n, shared ? undefined : [layers])
          : tf.randomUniform(shape, -Math.sqrt(3 / n), Math.sqrt(3 / n), 'float32', seed);
      if (noise > 0) value = tf.add(value, tf.randomNormal(shape, 0, noise, 'float32', seed + 1));
      return tf.variable(value, true, `${prefix}/W`);
    });
    const matrix = (layer: number): Tensor2D => (shared ? W : tf.reshape(tf.slice(W, [layer, 0, 0], [1, n, n]), [n, n])) as Tensor2D;
    const copy = (layer: number): Tensor2D => {
      assertLayer(layer, layers, ID);
      return tf.tidy(() => tf.clone(matrix(layer)));
    };

    return {
      params: { W },
      paramCount: shared ? n * n : layers * n * n,
      apply(z: Tensor2D, layer: number): Tensor2D {
        assertLayer(layer, layers, ID);
        return matMulTransposedB(z, matrix(layer));
      },
      dense: copy,
      moments(layer: number, maxOrder: number): KernelMoments {
        assertMaxOrder(maxOrder, ID);
        const w = copy(layer);
        try {
          return kernelMomentsFromDense(w.dataSync(), field, maxOrder);
        } finally {
          w.dispose();
        }
      },
      dispose(): void {
        W.dispose();
      },
    };
  },
});
