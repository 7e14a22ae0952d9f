import { v } from '@npde/core';

/**
 * Options schema of {@link dense} (strict: unknown keys are errors).
 *
 * - `shared`: one W for every layer (`[size, size]`) instead of one per layer
 *   (`[layers, size, size]`, default).
 * - `init`: `identity` (default; the relaxation starts near z ← f(z)) or
 *   `glorot` (uniform in ±√(6 / (2·size))).
 * - `noise`: standard deviation of a Gaussian perturbation added to the init
 *   (default 0.01), seeded by the model seed.
 */
export const DenseOptionsSchema = v.strictObject({
  /** One W for every layer instead of one per layer (default false). */
  shared: v.optional(v.boolean(), false),
  /** Initialization: `identity` (default) or `glorot`. */
  init: v.optional(v.picklist(['identity', 'glorot']), 'identity'),
  /** Standard deviation ≥ 0 of the Gaussian perturbation added to the init (default 0.01). */
  noise: v.optional(v.pipe(v.number(), v.finite(), v.minValue(0)), 0.01),
});

/** Validated options of {@link dense}, defaults applied. */
export type DenseOptions = v.InferOutput<typeof DenseOptionsSchema>;

/** Options of {@link dense} as written in a spec (every field optional). */
export type DenseOptionsInput = v.InferInput<typeof DenseOptionsSchema>;
