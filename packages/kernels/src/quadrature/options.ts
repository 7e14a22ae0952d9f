import { PluginRefSchema, v } from '@npde/core';

/**
 * Options schema of {@link quadrature} (strict: unknown keys are errors).
 *
 * - `inner`: the kernel that supplies W at the data points, as a plugin id or
 *   `{ id, options }` (default `@npde/kernels/dense`); resolved in the model's
 *   registry (the global one outside a model).
 * - `order`: Q = 1, 2 or 3 Gauss–Legendre nodes per axis on each grid cell (default 2).
 * - `basis`: the local basis φ: `hat` (default), `gaussian` or `delta` (Q = 1 only).
 * - `width`: hat half-width or Gaussian standard deviation, in grid units
 *   (default 1 for `hat`, 0.5 for `gaussian`; ignored by `delta`).
 * - `boundary`: `zero` (default; no basis functions outside the grid) or `periodic`.
 * - `normalize`: scale the quadrature operator to reproduce constants (default true).
 */
export const QuadratureOptionsSchema = v.pipe(
  v.strictObject({
    /** The inner kernel: an id or `{ id, options }` (default `@npde/kernels/dense`). */
    inner: v.optional(PluginRefSchema, '@npde/kernels/dense'),
    /** Nodes per axis Q: 1, 2 or 3 (default 2). */
    order: v.optional(v.picklist([1, 2, 3]), 2),
    /** The basis φ (default `hat`). */
    basis: v.optional(v.picklist(['delta', 'hat', 'gaussian']), 'hat'),
    /** Hat half-width or Gaussian standard deviation > 0, grid units (default 1 / 0.5). */
    width: v.optional(v.pipe(v.number(), v.finite(), v.gtValue(0))),
    /** Edge treatment (default `zero`). */
    boundary: v.optional(v.picklist(['zero', 'periodic']), 'zero'),
    /** Scale the quadrature operator to reproduce constants (default true). */
    normalize: v.optional(v.boolean(), true),
  }),
  v.forward(
    v.check((o) => o.basis !== 'delta' || o.order === 1, 'the delta basis has no values between data points: use order 1, or the hat or gaussian basis'),
    ['order'],
  ),
);

/** Validated options of {@link quadrature}, defaults applied. */
export type QuadratureOptions = v.InferOutput<typeof QuadratureOptionsSchema>;

/** Options of {@link quadrature} as written in a spec (every field optional). */
export type QuadratureOptionsInput = v.InferInput<typeof QuadratureOptionsSchema>;
