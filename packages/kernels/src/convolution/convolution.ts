import { defineKernelFamily, tf, type KernelFamily, type KernelInstance, type Tensor } from '@npde/core';
import { instancePrefix } from '../instance/variable-name.js';
import { tapShape, type TapStencil } from '../stencil/apply.js';
import { boundedFootprint } from '../stencil/tap-count.js';
import { gridLayout } from '../stencil/grid.js';
import { createTapKernel } from '../stencil/tap-kernel.js';
import { ConvolutionOptionsSchema, MAX_TAPS, type ConvolutionOptions } from './options.js';

const ID = '@npde/kernels/convolution';

/**
 * Homogeneous kernel W(r) (theory §2): free taps on a footprint of radius r in
 * 1, 2 or 3 dimensions, the same at every site, so its moments are constant
 * transport coefficients (away from a `zero` or `reflecting` edge).
 *
 *     (W z)(s) = Σ_k T_k · z(s + offset_k)
 *
 * **Tap order** (the layout of the `taps` parameter and of every tap tensor):
 * offsets row-major over the box `[−r, r]^d`, axis 0 slowest, each axis from
 * −r to r, keeping all of them (`box`) or those along one axis (`cross`);
 * see `footprint`. The parameter `taps` has shape `[K]` (`shared`), `[K, C]`
 * (`depthwise`) or `[K, C, C]` (`mixing`, entries `[k, out, in]`), with a
 * leading `[layers]` axis when `perLayer`. paramCount = (layers or 1) · K ·
 * (1, C or C²).
 *
 * `apply` shifts by slice + concat/pad (no conv op, so it trains on every
 * backend); `stencil()` feeds core's fused op where it fits (one channel,
 * `zero`/`periodic`, 1-D radius ≤ 3, 2-D radius 1: the 5-point `cross` or the
 * 9-point `box`); `moments` are exact from the taps, per channel pair when
 * channels have their own taps; `dense` materializes W for small fields.
 * A `reflecting` boundary mirrors at the grid faces (zero flux).
 *
 * @example
 * ```ts
 * const model = NeuralPde.create({
 *   field: { shape: [32, 32] }, layers: 6, omega: 0.5,
 *   kernel: { id: '@npde/kernels/convolution', options: { radius: 1, footprint: 'cross', boundary: 'periodic' } },
 *   activation: '@npde/activations/tanh',
 * });
 * findMoment(model.kernel.moments!(0, 2), 'Mxx'); // the learned diffusion along axis 0
 * ```
 */
export const convolution: KernelFamily<ConvolutionOptions> = defineKernelFamily<ConvolutionOptions>({
  id: ID,
  description: 'homogeneous convolution W(r): free taps of radius r in 1–3 dimensions, shared, depthwise or channel-mixing',
  options: ConvolutionOptionsSchema,
  create: ({ field, layers, options, seed }): KernelInstance => {
    const grid = gridLayout(field, ID);
    const offsets = boundedFootprint(grid.shape.length, options.radius, options.footprint, MAX_TAPS, ID);
    const stencil: TapStencil = { offsets, boundary: options.boundary, channels: options.channels };
    const one = tapShape(grid, stencil, false);
    const shape = options.perLayer ? [layers, ...one] : one;
    const K = offsets.length;
    const C = grid.channels;
    const centre = offsets.findIndex((o) => o.every((x) => x === 0));
    const init = new Float32Array(shape.reduce((a, b) => a * b, 1));
    const per = one.reduce((a, b) => a * b, 1) / K;
    for (let l = 0; l < (options.perLayer ? layers : 1); l++) {
      for (let c = 0; c < (options.channels === 'shared' ? 1 : C); c++) {
        const within = options.channels === 'mixing' ? c * C + c : c;
        init[l * K * per + centre * per + within] = options.init.center;
      }
    }
    const prefix = instancePrefix(ID, ['taps']);
    const taps = tf.tidy(() => {
      let t: Tensor = tf.tensor(init, shape);
      if (options.init.noise > 0) t = tf.add(t, tf.randomNormal(shape, 0, options.init.noise, 'float32', seed));
      return tf.variable(t, true, `${prefix}/taps`);
    });
    return createTapKernel({
      id: ID,
      grid,
      stencil,
      layers,
      params: { taps },
      sameForEveryLayer: !options.perLayer,
      taps: (layer) => (options.perLayer ? tf.reshape(tf.slice(taps, [layer, ...one.map(() => 0)], [1, ...one]), one) : taps),
    });
  },
});
