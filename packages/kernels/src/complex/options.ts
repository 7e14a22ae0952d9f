import { v } from '@npde/core';

const finite = v.pipe(v.number(), v.finite());
const positive = v.pipe(v.number(), v.finite(), v.gtValue(0));

/**
 * Options schema of {@link complex} (strict: unknown keys are errors).
 *
 * - `equation`: `schrodinger` (default; H = −½∇² + V) or `paraxial`
 *   (H = −(1/2k)∇⊥² + V, propagation along z plays the part of time).
 * - `time`: `real` (default; ∂t ψ = −i H ψ) or `imaginary` (∂t ψ = −H ψ,
 *   Schrödinger only: a reaction–diffusion equation that relaxes to the ground state).
 * - `dt`: the step (time, or z for the paraxial equation), grid units (default 0.05).
 * - `k`: wavenumber of the paraxial equation, per grid spacing (default 1).
 * - `potential`: V per site: a constant, one value per site (row-major), or
 *   `{ harmonic: ω, center? }` for V = ½ ω² |x − center|² in grid units
 *   (center defaults to the grid's middle). Default 0.
 * - `trainable`: whether V is a trainable parameter (default true).
 * - `boundary`: `zero` (default; ψ = 0 outside the grid) or `periodic`.
 */
export const ComplexOptionsSchema = v.pipe(
  v.strictObject({
    /** `schrodinger` (default) or `paraxial`. */
    equation: v.optional(v.picklist(['schrodinger', 'paraxial']), 'schrodinger'),
    /** `real` (default) or `imaginary` time (Schrödinger only). */
    time: v.optional(v.picklist(['real', 'imaginary']), 'real'),
    /** Step dt > 0 in grid units (default 0.05). */
    dt: v.optional(positive, 0.05),
    /** Paraxial wavenumber k > 0 per grid spacing (default 1). */
    k: v.optional(positive, 1),
    /** The potential V: a constant, per-site values, or a harmonic well (default 0). */
    potential: v.optional(
      v.union([
        finite,
        v.array(finite),
        v.strictObject({
          /** ω of V = ½ ω² |x − center|². */
          harmonic: v.pipe(v.number(), v.finite(), v.minValue(0)),
          /** Centre of the well in grid coordinates, one per axis (default: the grid's middle). */
          center: v.optional(v.array(finite)),
        }),
      ]),
      0,
    ),
    /** Train V (default true). */
    trainable: v.optional(v.boolean(), true),
    /** Edge treatment (default `zero`). */
    boundary: v.optional(v.picklist(['zero', 'periodic']), 'zero'),
  }),
  v.forward(
    v.check((o) => o.equation !== 'paraxial' || o.time === 'real', 'the paraxial equation runs in real z only: leave `time` out or set it to `real`'),
    ['time'],
  ),
);

/** Validated options of {@link complex}, defaults applied. */
export type ComplexOptions = v.InferOutput<typeof ComplexOptionsSchema>;

/** Options of {@link complex} as written in a spec (every field optional). */
export type ComplexOptionsInput = v.InferInput<typeof ComplexOptionsSchema>;
