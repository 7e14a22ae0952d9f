import { v } from '@npde/core';

/**
 * Options schema of {@link cluster} (strict: unknown keys are errors).
 *
 * - `clusters`: number of k-means clusters C (default 8; at most the number of points).
 * - `maxIterations`: iteration cap of k-means (default 100).
 * - `shared`: one C × C matrix K for every layer instead of one per layer (default false).
 * - `init`: `mean` (default; K = diag(V̄/V_c), V̄ the mean cluster volume, so W z
 *   is the weighted mean of z over each point's own cluster) or `random` (uniform in ±√(3/C)).
 * - `noise`: standard deviation of a Gaussian perturbation added to K (default
 *   0.01), seeded by the model seed. K is in units of 1/V̄ (see {@link cluster}).
 */
export const ClusterOptionsSchema = v.strictObject({
  /** Number of k-means clusters C ≥ 1 (default 8). */
  clusters: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), 8),
  /** Iteration cap of k-means (default 100). */
  maxIterations: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), 100),
  /** One K for every layer (default false: one per layer). */
  shared: v.optional(v.boolean(), false),
  /** Initialization of K: `mean` (default) or `random`. */
  init: v.optional(v.picklist(['mean', 'random']), 'mean'),
  /** Standard deviation ≥ 0 of the Gaussian perturbation added to K (default 0.01). */
  noise: v.optional(v.pipe(v.number(), v.finite(), v.minValue(0)), 0.01),
});

/** Validated options of {@link cluster}, defaults applied. */
export type ClusterOptions = v.InferOutput<typeof ClusterOptionsSchema>;

/** Options of {@link cluster} as written in a spec (every field optional). */
export type ClusterOptionsInput = v.InferInput<typeof ClusterOptionsSchema>;
