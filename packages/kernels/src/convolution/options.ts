import { v } from '@npde/core';
import { TAP_CHANNELS } from '../stencil/apply.js';
import { FOOTPRINT_SHAPES } from '../stencil/footprint.js';
import { GRID_BOUNDARIES } from '../stencil/grid.js';

/**
 * Largest radius any tap-set family accepts (the tap count is limited separately by {@link MAX_TAPS}).
 *
 * @example
 * ```ts
 * validate(convolution.options, { radius: MAX_TAP_RADIUS + 1 }); // throws INVALID_OPTIONS
 * ```
 */
export const MAX_TAP_RADIUS = 32;

/**
 * Most taps per site a tap-set family creates (a 3-D box of radius 8 has 4913).
 *
 * @example
 * ```ts
 * (2 * 8 + 1) ** 3 <= MAX_TAPS; // true
 * ```
 */
export const MAX_TAPS = 4913;

/**
 * The reaction terms {@link convolution} can add to its stencil: `none`, or
 * `mixing`, a trainable C × C matrix R applied to the channels at every site
 * (`W z = Σ_k T_k z(s + offset_k) + R z(s)`).
 *
 * @example
 * ```ts
 * const reaction = v.optional(v.picklist(CONVOLUTION_REACTIONS), 'none');
 * ```
 */
export const CONVOLUTION_REACTIONS: readonly ('none' | 'mixing')[] = Object.freeze(['none', 'mixing'] as const);

/**
 * valibot schema of a tap radius: an integer 0..{@link MAX_TAP_RADIUS}.
 *
 * @example
 * ```ts
 * const radius = v.optional(RadiusSchema, 2);
 * ```
 */
export const RadiusSchema = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_TAP_RADIUS));

/**
 * Options schema of {@link convolution} (strict: unknown keys are errors).
 *
 * - `radius`: r, integer 0..32 (default 1), with at most {@link MAX_TAPS} taps;
 * - `footprint`: `box` (default, `(2r+1)^d` taps) or `cross` (`2dr + 1` taps);
 * - `channels`: `shared` (default: one tap per offset, every channel alike),
 *   `depthwise` (one per offset and channel) or `mixing` (a C × C matrix per offset);
 * - `boundary`: `periodic` (default), `zero` or `reflecting`;
 * - `reaction`: `none` (default) or `mixing`: with C > 1 channels and `depthwise`
 *   or `shared` taps, a trainable C × C matrix R (entries `[out, in]`) adds the
 *   channel mixing R z at every site, the reaction term of a per-channel
 *   transport stencil (`mixing` taps already mix channels at every offset, so
 *   they refuse it, as does one channel);
 * - `perLayer`: one tap set per layer (default false: one for every layer);
 * - `init`: `center` (default 1: W starts as `center · I`, so the relaxation
 *   starts near z ← f(z)) and `noise` (default 0.01), the standard deviation of
 *   a Gaussian perturbation of every tap (and of every entry of R, which
 *   otherwise starts at 0), seeded by the model seed.
 *
 * @example
 * ```ts
 * validate(ConvolutionOptionsSchema, { radius: 2, channels: 'depthwise' }, { path: 'kernel.options' });
 * ```
 */
export const ConvolutionOptionsSchema = v.strictObject({
  /** Radius r of the footprint, 0..32 (default 1). */
  radius: v.optional(RadiusSchema, 1),
  /** `box` (default) or `cross`. */
  footprint: v.optional(v.picklist(FOOTPRINT_SHAPES), 'box'),
  /** `shared` (default), `depthwise` or `mixing`. */
  channels: v.optional(v.picklist(TAP_CHANNELS), 'shared'),
  /** `periodic` (default), `zero` or `reflecting`. */
  boundary: v.optional(v.picklist(GRID_BOUNDARIES), 'periodic'),
  /** `none` (default) or `mixing`: a trainable C × C reaction matrix R added to W (`depthwise` or `shared` taps, C > 1). */
  reaction: v.optional(v.picklist(CONVOLUTION_REACTIONS), 'none'),
  /** One tap set per layer (default false). */
  perLayer: v.optional(v.boolean(), false),
  /** Initial taps. */
  init: v.optional(
    v.strictObject({
      /** Initial centre tap (times the identity across channels; default 1). */
      center: v.optional(v.pipe(v.number(), v.finite()), 1),
      /** Standard deviation ≥ 0 of the Gaussian perturbation of every tap (default 0.01). */
      noise: v.optional(v.pipe(v.number(), v.finite(), v.minValue(0)), 0.01),
    }),
    {},
  ),
});

/**
 * Validated options of {@link convolution}, defaults applied.
 *
 * @example
 * ```ts
 * const o: ConvolutionOptions = validate(ConvolutionOptionsSchema, {});
 * ```
 */
export type ConvolutionOptions = v.InferOutput<typeof ConvolutionOptionsSchema>;

/**
 * Options of {@link convolution} as written in a spec (every field optional).
 *
 * @example
 * ```ts
 * const o: ConvolutionOptionsInput = { radius: 2, channels: 'depthwise' };
 * ```
 */
export type ConvolutionOptionsInput = v.InferInput<typeof ConvolutionOptionsSchema>;
