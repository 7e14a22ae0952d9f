import { v } from '@npde/core';
import { RadiusSchema } from '../convolution/options.js';
import { FOOTPRINT_SHAPES } from '../stencil/footprint.js';
import { GRID_BOUNDARIES } from '../stencil/grid.js';

/**
 * Options schema of {@link gaussian} (strict: unknown keys are errors).
 *
 * - `radius`: truncation radius r of the taps, integer 0..32 (default 3); take
 *   r ≳ 4σ for the moments to be those of the untruncated Gaussian;
 * - `footprint`: `box` (default; isotropic) or `cross`;
 * - `boundary`: `periodic` (default), `zero` or `reflecting`;
 * - `perLayer`: one σ and amplitude per layer (default false);
 * - `init`: `sigma` > 0 (default 1) and `amplitude` (default 1).
 *
 * @example
 * ```ts
 * validate(GaussianOptionsSchema, { radius: 6, init: { sigma: 1.5 } }, { path: 'kernel.options' });
 * ```
 */
export const GaussianOptionsSchema = v.strictObject({
  /** Truncation radius, 0..32 (default 3). */
  radius: v.optional(RadiusSchema, 3),
  /** `box` (default) or `cross`. */
  footprint: v.optional(v.picklist(FOOTPRINT_SHAPES), 'box'),
  /** `periodic` (default), `zero` or `reflecting`. */
  boundary: v.optional(v.picklist(GRID_BOUNDARIES), 'periodic'),
  /** One σ and amplitude per layer (default false). */
  perLayer: v.optional(v.boolean(), false),
  /** Initial parameters. */
  init: v.optional(
    v.strictObject({
      /** Initial width σ > 0 in grid units (default 1). */
      sigma: v.optional(v.pipe(v.number(), v.finite(), v.gtValue(0)), 1),
      /** Initial amplitude (default 1). */
      amplitude: v.optional(v.pipe(v.number(), v.finite()), 1),
    }),
    {},
  ),
});

/**
 * Validated options of {@link gaussian}, defaults applied.
 *
 * @example
 * ```ts
 * const o: GaussianOptions = validate(GaussianOptionsSchema, {});
 * ```
 */
export type GaussianOptions = v.InferOutput<typeof GaussianOptionsSchema>;

/**
 * Options of {@link gaussian} as written in a spec (every field optional).
 *
 * @example
 * ```ts
 * const o: GaussianOptionsInput = { radius: 6, init: { sigma: 1.5 } };
 * ```
 */
export type GaussianOptionsInput = v.InferInput<typeof GaussianOptionsSchema>;
