import {
  defineKernelFamily,
  ErrorCodes,
  tf,
  ValidationError,
  type KernelChannelStencil,
  type KernelFamily,
  type KernelInstance,
  type Tensor,
  type Tensor2D,
  type Variable,
} from '@npde/core';
import { matMulTransposedB } from '@npde/core/internal';
import { assertLayer } from '../instance/layer-index.js';
import { instancePrefix } from '../instance/variable-name.js';
import { applyTaps, tapShape, type TapStencil } from '../stencil/apply.js';
import { fusedBoundary, fusedGeometry } from '../stencil/footprint.js';
import { boundedFootprint } from '../stencil/tap-count.js';
import { gridLayout, gridSites, type GridLayout } from '../stencil/grid.js';
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
 * **Reaction** (`reaction: 'mixing'`, C > 1 channels, `depthwise` or `shared`
 * taps): one more parameter `R`, shape `[C, C]` (`[layers, C, C]` when
 * `perLayer`), entries `[out, in]`, starting at 0 plus the seeded noise, and
 *
 *     (W z)(s) = Σ_k T_k · z(s + offset_k) + R · z(s)
 *
 * — per-channel transport plus the channel mixing of a reaction term, the
 * block of Guo et al.'s PDE-CNN (theory §7), with (layers or 1) · (K · C + C²)
 * parameters (`depthwise`). `dense` and `moments` read W as `mixing` taps
 * (T_k on the diagonal, R added at the centre offset), so R adds to the zeroth
 * moment of every channel pair; `channelStencil()` passes R as the op's mixing.
 * `reaction: 'mixing'` with `mixing` taps or on one channel throws a
 * `ValidationError` (`NPDE_INVALID_OPTIONS`, path `kernel.options.reaction`).
 *
 * `apply` shifts by slice + concat/pad (no conv op, so it trains on every
 * backend); `stencil()` feeds core's fused op where it fits (one channel,
 * `zero`/`periodic`, 1-D radius ≤ 3, 2-D radius 1: the 5-point `cross` or the
 * 9-point `box`), and `channelStencil()` feeds core's multi-channel op
 * (`channelStencilRelax`) for C > 1 channels on a 2-D grid with radius 1, a
 * `zero`/`periodic` boundary and `depthwise` (taps `[K, C]` read as `[C, K]`) or
 * `shared` (the K taps repeated per channel) taps, with R (or a zero matrix
 * without reaction) as the mixing (`mixing` taps have a C × C block at every
 * offset: not that form); `moments` are exact from the taps, per channel pair
 * when channels have their own taps or a reaction; `dense` materializes W for
 * small fields.
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
  description: 'homogeneous convolution W(r): free taps of radius r in 1–3 dimensions, shared, depthwise or channel-mixing, optionally plus a C × C reaction',
  options: ConvolutionOptionsSchema,
  create: ({ field, layers, options, seed }): KernelInstance => {
    const grid = gridLayout(field, ID);
    const offsets = boundedFootprint(grid.shape.length, options.radius, options.footprint, MAX_TAPS, ID);
    const stencil: TapStencil = { offsets, boundary: options.boundary, channels: options.channels };
    const one = tapShape(grid, stencil, false);
    const shape = options.perLayer ? [layers, ...one] : one;
    const K = offsets.length;
    const C = grid.channels;
    const reaction = options.reaction === 'mixing';
    if (reaction) assertReaction(options, C);
    const centre = offsets.findIndex((o) => o.every((x) => x === 0));
    const init = new Float32Array(shape.reduce((a, b) => a * b, 1));
    const per = one.reduce((a, b) => a * b, 1) / K;
    for (let l = 0; l < (options.perLayer ? layers : 1); l++) {
      for (let c = 0; c < (options.channels === 'shared' ? 1 : C); c++) {
        const within = options.channels === 'mixing' ? c * C + c : c;
        init[l * K * per + centre * per + within] = options.init.center;
      }
    }
    const prefix = instancePrefix(ID, reaction ? ['taps', 'R'] : ['taps']);
    const taps = tf.tidy(() => {
      let t: Tensor = tf.tensor(init, shape);
      if (options.init.noise > 0) t = tf.add(t, tf.randomNormal(shape, 0, options.init.noise, 'float32', seed));
      return tf.variable(t, true, `${prefix}/taps`);
    });
    const layerTaps = (layer: number): Tensor => (options.perLayer ? tf.reshape(tf.slice(taps, [layer, ...one.map(() => 0)], [1, ...one]), one) : taps);
    const R = reaction ? reactionMatrix(C, options.perLayer ? layers : 0, options.init.noise, seed, `${prefix}/R`) : undefined;
    const layerR = (layer: number): Tensor2D =>
      (options.perLayer ? tf.reshape(tf.slice(R!, [layer, 0, 0], [1, C, C]), [C, C]) : R!) as Tensor2D;
    const kernel = R
      ? reactionKernel({ grid, stencil, layers, taps, R, perLayer: options.perLayer, layerTaps, layerR, centre })
      : createTapKernel({ id: ID, grid, stencil, layers, params: { taps }, sameForEveryLayer: !options.perLayer, taps: layerTaps });
    // Several channels on a 2-D grid, radius 1, each channel read through its own (depthwise)
    // or the common (shared) 5/9-point stencil, plus R (or no) channel mixing: the multi-channel op's form.
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
          // the op's mixing is [out, in], as R is
          mixing: R ? layerR(layer) : (tf.zeros([C, C]) as Tensor2D),
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

/** Refuse `reaction: 'mixing'` where it has no meaning: `mixing` taps (their centre already is a C × C matrix) or one channel. */
function assertReaction(options: ConvolutionOptions, C: number): void {
  if (options.channels === 'mixing' || C === 1) {
    throw new ValidationError(ErrorCodes.INVALID_OPTIONS, 'a reaction matrix needs several channels read through per-channel taps', {
      path: 'kernel.options.reaction',
      expected: "'none', or 'mixing' with channels 'depthwise' or 'shared' on a field of C > 1 channels",
      received: `'mixing' with channels '${options.channels}' on ${C} channel${C === 1 ? '' : 's'}`,
      plugin: ID,
      hook: 'create',
      hint:
        options.channels === 'mixing'
          ? "Leave reaction out: 'mixing' taps already hold a C × C matrix at every offset (the centre one is the reaction)."
          : 'Leave reaction out on a one-channel field (the centre tap is its reaction), or give the field several channels.',
    });
  }
}

/** R: `[C, C]` (or `[layers, C, C]` when `layers` > 0), zeros plus the seeded Gaussian noise. */
function reactionMatrix(C: number, layers: number, noise: number, seed: number, name: string): Variable {
  const shape = layers > 0 ? [layers, C, C] : [C, C];
  return tf.tidy(() => {
    let r: Tensor = tf.zeros(shape);
    // another seed than the taps', so that R's noise is not a copy of theirs
    if (noise > 0) r = tf.randomNormal(shape, 0, noise, 'float32', seed + 1);
    return tf.variable(r, true, name);
  });
}

/** What {@link reactionKernel} needs. */
interface ReactionParts {
  readonly grid: GridLayout;
  readonly stencil: TapStencil;
  readonly layers: number;
  readonly taps: Variable;
  readonly R: Variable;
  readonly perLayer: boolean;
  readonly layerTaps: (layer: number) => Tensor;
  readonly layerR: (layer: number) => Tensor2D;
  readonly centre: number;
}

/**
 * The kernel W z = Σ_k T_k z(s + o_k) + R z(s) with per-channel (`depthwise`) or common (`shared`) taps.
 * `apply` runs the per-channel stencil and adds R z (one matMul over the channels); `dense` and
 * `moments` read W as `mixing` taps `[K, C, C]`: T_k on the diagonal, plus R at the centre offset.
 */
function reactionKernel(p: ReactionParts): KernelInstance {
  const { grid, stencil, layers, taps, R, centre } = p;
  const C = grid.channels;
  const K = stencil.offsets.length;
  const asMixing = (layer: number): Tensor =>
    tf.tidy(() => {
      const t = p.layerTaps(layer);
      const diagonal = tf.mul(tf.reshape(stencil.channels === 'depthwise' ? t : tf.tile(tf.reshape(t, [K, 1]), [1, C]), [K, 1, C]), tf.reshape(tf.eye(C), [1, C, C]));
      const atCentre = tf.reshape(tf.oneHot(tf.tensor1d([centre], 'int32'), K), [K, 1, 1]);
      return tf.add(diagonal, tf.mul(atCentre, tf.reshape(p.layerR(layer), [1, C, C])));
    });
  const kernel = createTapKernel({
    id: ID,
    grid,
    stencil: { ...stencil, channels: 'mixing' },
    layers,
    params: { taps, R },
    sameForEveryLayer: !p.perLayer,
    taps: asMixing,
  });
  kernel.apply = (z: Tensor2D, layer: number): Tensor2D => {
    assertLayer(layer, layers, ID);
    const transport = applyTaps(z, grid, stencil, p.layerTaps(layer));
    const B = z.shape[0];
    const mixed = matMulTransposedB(tf.reshape(z, [B * gridSites(grid), C]) as Tensor2D, p.layerR(layer));
    return tf.add(transport, tf.reshape(mixed, [B, z.shape[1]])) as Tensor2D;
  };
  return kernel;
}
