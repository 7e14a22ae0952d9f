import { defineKernelFamily, tf, type KernelChannelStencil, type KernelFamily, type KernelInstance, type Tensor, type Tensor2D } from '@npde/core';
import { assertLayer } from '../instance/layer-index.js';
import { instancePrefix } from '../instance/variable-name.js';
import { tapShape, type TapStencil } from '../stencil/apply.js';
import { fusedBoundary, fusedGeometry } from '../stencil/footprint.js';
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
 * 9-point `box`), and `channelStencil()` feeds core's multi-channel op
 * (`channelStencilRelax`) for C > 1 channels on a 2-D grid with radius 1, a
 * `zero`/`periodic` boundary and `depthwise` (taps `[K, C]` read as `[C, K]`) or
 * `shared` (the K taps repeated per channel) taps, with a zero mixing matrix
 * (`mixing` taps have a C × C block at every offset: not that form); `moments` are exact from the taps, per channel pair when
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
    const layerTaps = (layer: number): Tensor => (options.perLayer ? tf.reshape(tf.slice(taps, [layer, ...one.map(() => 0)], [1, ...one]), one) : taps);
    const kernel = createTapKernel({ id: ID, grid, stencil, layers, params: { taps }, sameForEveryLayer: !options.perLayer, taps: layerTaps });
    // Several channels on a 2-D grid, radius 1, each channel read through its own (depthwise)
    // or the common (shared) 5/9-point stencil and no channel mixing: the multi-channel op's form.
    const boundary = fusedBoundary(options.boundary);
    const plane =
      grid.shape.length === 2 && C > 1 && options.channels !== 'mixing' && boundary ? fusedGeometry({ shape: grid.shape, channels: 1 }, offsets, options.boundary) : undefined;
    if (plane?.dims === 2 && boundary) {
      kernel.channelStencil = (layer: number): KernelChannelStencil => {
        assertLayer(layer, layers, ID);
        const t = layerTaps(layer);
        const perChannel = options.channels === 'depthwise' ? tf.transpose(t) : tf.tile(tf.reshape(t, [1, K]), [C, 1]);
        return {
          taps: perChannel as Tensor2D,
          mixing: tf.zeros([C, C]) as Tensor2D,
          height: plane.height,
          width: plane.width,
          channels: C,
          points: plane.points,
          boundary,
        };
      };
    }
    return kernel;
  },
});
