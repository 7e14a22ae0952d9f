import { v } from '@npde/core';

const finite = v.pipe(v.number(), v.finite());

/** The three ADR families of theory §6, by growing freedom. */
export const ADR_FAMILIES = ['homogeneous', 'heterogeneous', 'time-dependent'] as const;

/** One of {@link ADR_FAMILIES}: constant, per-site, or per-site-and-layer coefficients. */
export type AdrFamily = (typeof ADR_FAMILIES)[number];

/** How the stencil treats the neighbors of the edge sites. */
export type AdrBoundary = 'periodic' | 'zero';

/**
 * Options schema of {@link adr} (strict: unknown keys are errors).
 *
 * - `family`: `homogeneous` (3 parameters), `heterogeneous` (3N, default) or `time-dependent` (3NL).
 * - `dx`: grid spacing Δ, > 0 (default 1: grid units, which trains best, theory §8).
 * - `boundary`: `periodic` (default; neighbors wrap) or `zero` (out-of-range neighbors are 0).
 * - `init`: initial `U` (default 0), `D` (default 0.1), `R` (default 0), and `noise`
 *   (default 0), the standard deviation of a Gaussian perturbation added to each
 *   coefficient, seeded by the model seed.
 */
export const AdrOptionsSchema = v.strictObject({
  /** {@link AdrFamily}: which coefficients are free (default `heterogeneous`). */
  family: v.optional(v.picklist(ADR_FAMILIES), 'heterogeneous'),
  /** Grid spacing Δ > 0 (default 1: grid units). */
  dx: v.optional(v.pipe(v.number(), v.finite(), v.gtValue(0)), 1),
  /** {@link AdrBoundary}: `periodic` (default) or `zero`. */
  boundary: v.optional(v.picklist(['periodic', 'zero']), 'periodic'),
  /** Initial coefficients. */
  init: v.optional(
    v.strictObject({
      /** Initial advection speed (default 0). */
      U: v.optional(finite, 0),
      /** Initial diffusion coefficient (default 0.1). */
      D: v.optional(finite, 0.1),
      /** Initial reaction rate (default 0). */
      R: v.optional(finite, 0),
      /** Standard deviation ≥ 0 of the Gaussian perturbation added to each coefficient (default 0). */
      noise: v.optional(v.pipe(v.number(), v.finite(), v.minValue(0)), 0),
    }),
    {},
  ),
});

/** Validated options of {@link adr}, defaults applied. */
export type AdrOptions = v.InferOutput<typeof AdrOptionsSchema>;

/** Options of {@link adr} as written in a spec (every field optional). */
export type AdrOptionsInput = v.InferInput<typeof AdrOptionsSchema>;
