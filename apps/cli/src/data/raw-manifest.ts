import { v } from 'npde';

/** The `format` tag that marks a JSON object as an `npde-raw` manifest ({@link RawManifest}). */
export const RAW_MANIFEST_FORMAT = 'npde-raw';

/**
 * Schema of an `npde-raw` manifest: a small JSON file describing a file of raw
 * little-endian 32-bit values (no header), e.g. written by `arr.astype('<f4').tofile('x.f32')`.
 *
 * @example
 * ```json
 * { "format": "npde-raw", "file": "x.f32", "shape": [1000, 64], "dtype": "float32" }
 * ```
 */
export const RawManifestSchema = v.strictObject({
  /** Always `"npde-raw"`. */
  format: v.literal(RAW_MANIFEST_FORMAT),
  /** Path of the raw data file, relative to the folder of the manifest (or absolute). */
  file: v.pipe(v.string(), v.minLength(1)),
  /** Size of each axis, outermost (samples) first; the file must hold exactly 4 × their product bytes. */
  shape: v.array(v.pipe(v.number(), v.integer(), v.minValue(0))),
  /** Element type of the file, little-endian: `float32` (default) or `int32`. */
  dtype: v.optional(v.picklist(['float32', 'int32']), 'float32'),
});

/** A validated `npde-raw` manifest (defaults applied). */
export type RawManifest = v.InferOutput<typeof RawManifestSchema>;

/** Whether a parsed JSON value claims to be an `npde-raw` manifest (an object with `format: "npde-raw"`), valid or not. */
export function isRawManifest(value: unknown): value is { format: typeof RAW_MANIFEST_FORMAT } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && (value as { format?: unknown }).format === RAW_MANIFEST_FORMAT;
}
