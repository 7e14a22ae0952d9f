import * as v from 'valibot';
import { FieldSpecSchema, type FieldSpec } from '../plugins/field.js';
import type { PluginRef, Registry } from '../registry/registry.js';
import { validate } from '../schema/validate.js';
import { ErrorCodes, ValidationError } from '../errors/errors.js';

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
 * The options of a relaxation block (the `pde` stage): everything of a
 * one-block model but its field and seed.
 */
export interface BlockSpec {
  /** Number of relaxation steps (layer updates) from input to output. */
  readonly layers: number;
  /** Kernel family of W. */
  readonly kernel: PluginRef;
  /** Activation f. */
  readonly activation: PluginRef;
  /** Time integrator (default: the registry's default integrator). */
  readonly integrator?: PluginRef;
  /** Normalization reservoir (default: the registry's default reservoir). */
  readonly reservoir?: PluginRef;
  /** Relaxation parameter ω = γ·dt (default 1: the ordinary layer update). */
  readonly omega?: OmegaSpec;
  /** Bias parameterization (default `none`). */
  readonly bias?: BiasMode;
}

/**
 * A one-block neural PDE, as data: a field and one relaxation block. The
 * format of npde's first release; it is read as a composite model of one
 * stage, the registry's default stage (the `pde` stage).
 *
 * @example
 * ```ts
 * const spec: BlockModelSpec = {
 *   field: { shape: [64] }, layers: 8,
 *   kernel: { id: '@npde/kernels/adr', options: { family: 'heterogeneous', boundary: 'periodic' } },
 *   activation: '@npde/activations/tanh',
 *   omega: 0.5,
 * };
 * ```
 */
export interface BlockModelSpec extends BlockSpec {
  /** The field's geometry. */
  readonly field: FieldSpec;
  /** Seed for parameter initialization (default 0). */
  readonly seed?: number;
}

/** One stage of a composite model: a stage plugin id with its options and an optional name. */
export interface StageSpec {
  /** The stage plugin's namespaced id, e.g. `@npde/stages/pde`. */
  readonly id: string;
  /**
   * Name of the stage: the prefix of its parameters (`<name>/kernel/U`). Default: its index.
   * The empty name adds no prefix (what a one-block spec's stage gets).
   */
  readonly name?: string;
  /** Options for the stage's own schema. */
  readonly options?: unknown;
}

/**
 * A composite model, as data: the geometry of one input sample and the stages
 * that map it, in order, each receiving the previous one's output.
 *
 * @example
 * ```ts
 * const spec: CompositeModelSpec = {
 *   input: { shape: [16, 16] },
 *   stages: [
 *     { id: '@npde/stages/mix', options: { channels: 4 } },
 *     { id: '@npde/stages/pde', options: { layers: 2, kernel: '…', activation: '@npde/activations/tanh' } },
 *     { id: '@npde/stages/pool', options: { factor: 2 } },
 *     { id: '@npde/stages/readout', options: { outputs: 3, average: true } },
 *   ],
 * };
 * ```
 */
export interface CompositeModelSpec {
  /** Geometry of one input sample. */
  readonly input: FieldSpec;
  /** The stages, in order (a bare id stands for `{ id }`). */
  readonly stages: readonly (string | StageSpec)[];
  /** Seed for parameter initialization (default 0); stage i gets a seed derived from it. */
  readonly seed?: number;
}

/** A model spec: composite, or the one-block form (read as a one-stage composite). */
export type ModelSpec = CompositeModelSpec | BlockModelSpec;

/** A stage of a {@link NormalizedModelSpec}: name filled in. */
export interface NormalizedStageSpec {
  /** The stage plugin's id. */
  readonly id: string;
  /** The stage's name (unique within the model). */
  readonly name: string;
  /** The stage's options as given (the stage's schema fills defaults). */
  readonly options: unknown;
}

/** A model spec in its composite form, every name and the seed filled in: what is saved. */
export interface NormalizedModelSpec {
  /** Geometry of one input sample. */
  readonly input: FieldSpec;
  /** The stages, in order. */
  readonly stages: readonly NormalizedStageSpec[];
  /** Seed for parameter initialization. */
  readonly seed: number;
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
const seedSchema = v.optional(v.pipe(v.number(), v.integer()), 0);

/** valibot entries of a {@link BlockSpec} (shared by the one-block model schema and the `pde` stage). */
export const BlockSpecEntries = {
  /** Number of relaxation steps, an integer in 1..100000. */
  layers: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100_000)),
  /** Kernel family of W. */
  kernel: PluginRefSchema,
  /** Activation f. */
  activation: PluginRefSchema,
  /** Time integrator (default: the registry's default integrator). */
  integrator: v.optional(PluginRefSchema),
  /** Normalization reservoir (default: the registry's default reservoir). */
  reservoir: v.optional(PluginRefSchema),
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
};

/** valibot schema of a {@link BlockSpec} (the `pde` stage's options). */
export const BlockSpecSchema = v.strictObject(BlockSpecEntries);

/** valibot schema of a {@link BlockModelSpec}. */
export const BlockModelSpecSchema = v.strictObject({
  /** The field's geometry. */
  field: FieldSpecSchema,
  ...BlockSpecEntries,
  /** Integer seed for parameter initialization (default 0). */
  seed: seedSchema,
});

const StageNameSchema = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.-]*$/, 'letters, digits, _ . - only'));

/** valibot schema of a {@link CompositeModelSpec}. */
export const CompositeModelSpecSchema = v.strictObject({
  /** Geometry of one input sample. */
  input: FieldSpecSchema,
  /** The stages, at least one. */
  stages: v.pipe(
    v.array(
      v.union([
        IdSchema,
        v.strictObject({
          /** The stage plugin's id. */
          id: IdSchema,
          /** The stage's name (parameter prefix). */
          name: v.optional(StageNameSchema),
          /** Options for the stage's schema. */
          options: v.optional(v.unknown()),
        }),
      ], 'a stage id string or { id, name?, options? }'),
    ),
    v.minLength(1),
  ),
  /** Integer seed for parameter initialization (default 0). */
  seed: seedSchema,
});

/** Whether `spec` is in the one-block form (it has `field` rather than `input`/`stages`). */
export function isBlockModelSpec(spec: unknown): spec is BlockModelSpec {
  return typeof spec === 'object' && spec !== null && 'field' in spec && !('stages' in spec);
}

/** Where a normalized stage's options came from in the user's spec, for error paths. */
export interface NormalizedSpecWithPaths {
  /** The normalized spec. */
  readonly spec: NormalizedModelSpec;
  /** Per stage: the path of its options in the spec as written (e.g. `stages[1].options`, or `` for a one-block spec). */
  readonly optionPaths: readonly string[];
}

/**
 * Validate a model spec (either form) and bring it to its composite form.
 * A one-block spec becomes one stage of the registry's default `stage`
 * (`registry.setDefault('stage', …)`), whose options keep the block's paths:
 * an error in it is reported at `kernel.options.dx`, as before.
 */
export function normalizeModelSpec(spec: ModelSpec, registry: Registry, path = ''): NormalizedSpecWithPaths {
  const at = (p: string) => (path ? `${path}.${p}` : p);
  if (isBlockModelSpec(spec)) {
    const block = validate(BlockModelSpecSchema, spec, { what: 'model spec', code: ErrorCodes.INVALID_SPEC, path });
    const { field, seed, ...options } = block;
    const stageId = registry.defaultId('stage', at('stages'));
    // The block keeps its parameters' historical names (`kernel/U`, `omega`): its stage has the empty name.
    return { spec: { input: field as FieldSpec, stages: [{ id: stageId, name: '', options }], seed }, optionPaths: [path] };
  }
  const c = validate(CompositeModelSpecSchema, spec, { what: 'model spec', code: ErrorCodes.INVALID_SPEC, path });
  const names = new Set<string>();
  const stages = c.stages.map((s, i) => {
    const st = typeof s === 'string' ? { id: s } : s;
    const name = st.name ?? String(i);
    if (names.has(name)) {
      throw new ValidationError(ErrorCodes.INVALID_SPEC, 'stage names must be unique', {
        path: at(`stages[${i}].name`),
        expected: 'a name no other stage has',
        received: JSON.stringify(name),
        hint: 'Stage names prefix parameter names; leave `name` out to use the stage index.',
      });
    }
    names.add(name);
    return { id: st.id, name, options: st.options ?? {} };
  });
  return { spec: { input: c.input as FieldSpec, stages, seed: c.seed }, optionPaths: stages.map((_, i) => at(`stages[${i}].options`)) };
}
