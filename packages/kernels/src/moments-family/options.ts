import { v } from '@npde/core';
import { ADR_FAMILIES } from '../adr/options.js';

const finite = v.pipe(v.number(), v.finite());

/**
 * Options schema of {@link moments} (strict: unknown keys are errors).
 *
 * - `family`: `homogeneous` (one set of moments), `heterogeneous` (default; per
 *   site) or `time-dependent` (per site and layer).
 * - `radius`: footprint radius r = 1, 2 or 3 (default 1).
 * - `footprint`: `cross` (default; taps along the axes, 2dr + 1) or `box`
 *   (every offset of `[−r, r]^d`); the same in 1-D.
 * - `boundary`: `periodic` (default), `zero` or `reflecting`.
 * - `free`: labels of the trainable moments (e.g. `['W1', 'W2']`: advection
 *   and diffusion only; `['Mx', 'My', 'Mxx', 'Myy']` in 2-D); left out, every
 *   moment of the footprint is free. The others stay at their `init` value.
 * - `init`: initial value per moment label (default: the identity kernel,
 *   `W0` / `M` = 1, every other moment 0).
 * - `noise`: standard deviation of a Gaussian perturbation added to the free
 *   moments (default 0), seeded by the model seed.
 */
export const MomentsKernelOptionsSchema = v.strictObject({
  /** Which moments vary: `homogeneous`, `heterogeneous` (default) or `time-dependent`. */
  family: v.optional(v.picklist(ADR_FAMILIES), 'heterogeneous'),
  /** Footprint radius 1..3 (default 1). */
  radius: v.optional(v.picklist([1, 2, 3]), 1),
  /** `cross` (default) or `box`. */
  footprint: v.optional(v.picklist(['cross', 'box']), 'cross'),
  /** Edge treatment (default `periodic`). */
  boundary: v.optional(v.picklist(['periodic', 'zero', 'reflecting']), 'periodic'),
  /** Labels of the trainable moments (default: all). */
  free: v.optional(v.pipe(v.array(v.string()), v.minLength(1))),
  /** Initial moment values by label (default: 1 for the zeroth moment, 0 otherwise). */
  init: v.optional(v.record(v.string(), finite), {}),
  /** Standard deviation ≥ 0 of the perturbation of the free moments (default 0). */
  noise: v.optional(v.pipe(v.number(), v.finite(), v.minValue(0)), 0),
});

/** Validated options of {@link moments}, defaults applied. */
export type MomentsKernelOptions = v.InferOutput<typeof MomentsKernelOptionsSchema>;

/** Options of {@link moments} as written in a spec (every field optional). */
export type MomentsKernelOptionsInput = v.InferInput<typeof MomentsKernelOptionsSchema>;
