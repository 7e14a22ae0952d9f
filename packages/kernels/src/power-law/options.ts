import { v } from '@npde/core';
import { RadiusSchema } from '../convolution/options.js';
import { FOOTPRINT_SHAPES } from '../stencil/footprint.js';
import { GRID_BOUNDARIES } from '../stencil/grid.js';

/**
 * Options schema of {@link powerLaw} (strict: unknown keys are errors).
 *
 * - `radius`: truncation radius R, integer 1..32 (default 4);
 * - `footprint`: `box` (default) or `cross`;
 * - `boundary`: `periodic` (default), `zero` or `reflecting`;
 * - `perLayer`: one exponent, amplitude and centre per layer (default false);
 * - `init`: `exponent` p (default 3), `amplitude` A (default 0.1), `center`
 *   tap (default 1).
 *
 * @example
 * ```ts
 * validate(PowerLawOptionsSchema, { radius: 16, init: { exponent: 2.5 } }, { path: 'kernel.options' });
 * ```
 */
export const PowerLawOptionsSchema = v.strictObject({
  /** Truncation radius R, 1..32 (default 4). */
  radius: v.optional(v.pipe(RadiusSchema, v.minValue(1)), 4),
  /** `box` (default) or `cross`. */
  footprint: v.optional(v.picklist(FOOTPRINT_SHAPES), 'box'),
  /** `periodic` (default), `zero` or `reflecting`. */
  boundary: v.optional(v.picklist(GRID_BOUNDARIES), 'periodic'),
  /** One set of parameters per layer (default false). */
  perLayer: v.optional(v.boolean(), false),
  /** Initial parameters. */
  init: v.optional(
    v.strictObject({
      /** Initial exponent p (default 3). */
      exponent: v.optional(v.pipe(v.number(), v.finite()), 3),
      /** Initial amplitude A (default 0.1). */
      amplitude: v.optional(v.pipe(v.number(), v.finite()), 0.1),
      /** Initial centre tap (default 1). */
      center: v.optional(v.pipe(v.number(), v.finite()), 1),
    }),
    {},
  ),
});

/**
 * Validated options of {@link powerLaw}, defaults applied.
 *
 * @example
 * ```ts
 * const o: PowerLawOptions = validate(PowerLawOptionsSchema, {});
 * ```
 */
export type PowerLawOptions = v.InferOutput<typeof PowerLawOptionsSchema>;

/**
 * Options of {@link powerLaw} as written in a spec (every field optional).
 *
 * @example
 * ```ts
 * const o: PowerLawOptionsInput = { radius: 16, init: { exponent: 2.5 } };
 * ```
 */
export type PowerLawOptionsInput = v.InferInput<typeof PowerLawOptionsSchema>;
