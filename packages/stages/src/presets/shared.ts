import { BlockSpecEntries, PluginRefSchema, validate, v, type Schema } from '@npde/core';

/** valibot schema of ω in a preset: a number > 0 or `{ value, trainable }` (a block's `omega`). */
export const PresetOmegaSchema = BlockSpecEntries.omega;

/** valibot schema of a plugin reference in a preset (an id or `{ id, options }`). */
export const PresetPluginSchema = PluginRefSchema;

/** A positive integer. */
export const positiveInteger = v.pipe(v.number(), v.integer(), v.minValue(1));

/** Validate a preset's options, reporting bad values under `<preset>.…` with code `NPDE_INVALID_OPTIONS`. */
export function presetOptions<T>(schema: Schema<T>, options: unknown, preset: string): T {
  return validate(schema, options, { path: preset, what: `${preset} preset options` });
}
