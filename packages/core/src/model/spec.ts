import * as v from 'valibot';
import { FieldSpecSchema, type FieldSpec } from '../plugins/field.js';
import type { PluginRef } from '../registry/registry.js';

/** Default integrator id when a spec names none. */
export const DEFAULT_INTEGRATOR = '@npde/integrators/euler';
/** Default reservoir id when a spec names none. */
export const DEFAULT_RESERVOIR = '@npde/reservoirs/none';

/** How the bias b of f(W z − b) is parameterized. */
export type BiasMode = 'none' | 'shared' | 'per-layer';

/** ω = γ·dt: a number (fixed) or `{ value, trainable }`. */
export type OmegaSpec =
  | number
  | {
      /** The initial ω, > 0. */
      readonly value: number;
      /** Whether training may change ω (default false). */
      readonly trainable?: boolean;
    };

/**
 * A neural PDE model, as data: everything needed to rebuild it (weights aside).
 *
 * @example
 * ```ts
 * const spec: ModelSpec = {
 *   field: { shape: [64] }, layers: 8,
 *   kernel: { id: '@npde/kernels/adr', options: { family: 'heterogeneous', boundary: 'periodic' } },
 *   activation: '@npde/activations/tanh',
 *   omega: 0.5,
 * };
 * ```
 */
export interface ModelSpec {
  /** The field's geometry. */
  readonly field: FieldSpec;
  /** Number of relaxation steps (layer updates) from input to output. */
  readonly layers: number;
  /** Kernel family of W. */
  readonly kernel: PluginRef;
  /** Activation f. */
  readonly activation: PluginRef;
  /** Time integrator (default {@link DEFAULT_INTEGRATOR}). */
  readonly integrator?: PluginRef;
  /** Normalization reservoir (default {@link DEFAULT_RESERVOIR}). */
  readonly reservoir?: PluginRef;
  /** Relaxation parameter ω = γ·dt (default 1: the ordinary layer update). */
  readonly omega?: OmegaSpec;
  /** Bias parameterization (default `none`). */
  readonly bias?: BiasMode;
  /** Seed for parameter initialization (default 0). */
  readonly seed?: number;
}

const IdSchema = v.pipe(v.string(), v.minLength(1));
/** valibot schema of a {@link PluginRef}. */
export const PluginRefSchema = v.union([
  IdSchema,
  v.strictObject({
    /** The plugin's namespaced id. */
    id: IdSchema,
    /** Options for the plugin's own schema. */
    options: v.optional(v.unknown()),
  }),
], 'a plugin id string or { id, options }');

const finite = v.pipe(v.number(), v.finite());

/** valibot schema of a {@link ModelSpec}. */
export const ModelSpecSchema = v.strictObject({
  /** The field's geometry. */
  field: FieldSpecSchema,
  /** Number of relaxation steps, an integer in 1..100000. */
  layers: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100_000)),
  /** Kernel family of W. */
  kernel: PluginRefSchema,
  /** Activation f. */
  activation: PluginRefSchema,
  /** Time integrator (default {@link DEFAULT_INTEGRATOR}). */
  integrator: v.optional(PluginRefSchema, DEFAULT_INTEGRATOR),
  /** Normalization reservoir (default {@link DEFAULT_RESERVOIR}). */
  reservoir: v.optional(PluginRefSchema, DEFAULT_RESERVOIR),
  /** ω = γ·dt > 0, fixed or `{ value, trainable }` (default 1). */
  omega: v.optional(
    v.union([
      v.pipe(finite, v.gtValue(0)),
      v.strictObject({
        /** The initial ω, > 0. */
        value: v.pipe(finite, v.gtValue(0)),
        /** Whether training may change ω (default false). */
        trainable: v.optional(v.boolean(), false),
      }),
    ], 'a number > 0 or { value: number > 0, trainable?: boolean }'),
    1,
  ),
  /** Bias parameterization (default `none`). */
  bias: v.optional(v.picklist(['none', 'shared', 'per-layer']), 'none'),
  /** Integer seed for parameter initialization (default 0). */
  seed: v.optional(v.pipe(v.number(), v.integer()), 0),
});

/** A {@link ModelSpec} with every default filled in. */
export type NormalizedModelSpec = v.InferOutput<typeof ModelSpecSchema> & {
  /** The field's geometry, as given. */
  field: FieldSpec;
};
