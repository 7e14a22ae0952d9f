import { v } from '@npde/core';

const finite = v.pipe(v.number(), v.finite());

/** The three ADR families of theory §6, by growing freedom. */
export const ADR_FAMILIES = ['homogeneous', 'heterogeneous', 'time-dependent'] as const;

/** One of {@link ADR_FAMILIES}: constant, per-site, or per-site-and-layer coefficients. */
export type AdrFamily = (typeof ADR_FAMILIES)[number];

/**
 * How the stencil treats the neighbors of the edge sites: `periodic` wraps,
 * `zero` reads 0, `reflecting` mirrors at the grid's faces (index −1 reads 0:
 * a zero-flux wall).
 */
export type AdrBoundary = 'periodic' | 'zero' | 'reflecting';

/**
 * How many components the diffusion tensor D of a d-dimensional grid has:
 * `isotropic` (one D, D_ab = D δ_ab), `diagonal` (D_xx, D_yy, …: d) or
 * `tensor` (the symmetric tensor, d(d+1)/2 components, cross terms
 * included). In 1-D all three are the one coefficient D.
 */
export type AdrDiffusion = 'isotropic' | 'diagonal' | 'tensor';

/** Every {@link AdrDiffusion}, for option schemas. */
export const ADR_DIFFUSIONS = ['isotropic', 'diagonal', 'tensor'] as const;

/**
 * Options schema of {@link adr} (strict: unknown keys are errors).
 *
 * - `family`: `homogeneous` (3 parameters), `heterogeneous` (3N, default) or `time-dependent` (3NL).
 * - `dx`: grid spacing Δ, > 0 (default 1: grid units, which trains best, theory §8).
 * - `boundary`: `periodic` (default; neighbors wrap), `zero` (out-of-range neighbors are 0)
 *   or `reflecting` (mirrored at the faces).
 * - `diffusion`: {@link AdrDiffusion} on 2-D and 3-D grids (left out: `tensor`); ignored in 1-D.
 * - `init`: initial `U` (default 0), `D` (default 0.1), `R` (default 0), and `noise`
 *   (default 0), the standard deviation of a Gaussian perturbation added to each
 *   coefficient, seeded by the model seed.
 */
export const AdrOptionsSchema = v.strictObject({
  /** {@link AdrFamily}: which coefficients are free (default `heterogeneous`). */
  family: v.optional(v.picklist(ADR_FAMILIES), 'heterogeneous'),
  /** Grid spacing Δ > 0 (default 1: grid units). */
  dx: v.optional(v.pipe(v.number(), v.finite(), v.gtValue(0)), 1),
  /** {@link AdrBoundary}: `periodic` (default), `zero` or `reflecting`. */
  boundary: v.optional(v.picklist(['periodic', 'zero', 'reflecting']), 'periodic'),
  /** {@link AdrDiffusion} on 2-D / 3-D grids (left out: `tensor`). */
  diffusion: v.optional(v.picklist(ADR_DIFFUSIONS)),
  /** Initial coefficients. */
  init: v.optional(
    v.strictObject({
      /** Initial advection speed, every component (default 0). */
      U: v.optional(finite, 0),
      /** Initial diffusion coefficient: every diagonal component; off-diagonal ones start at 0 (default 0.1). */
      D: v.optional(finite, 0.1),
      /** Initial reaction rate: with channels the diagonal of the reaction matrix, off-diagonal 0 (default 0). */
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
