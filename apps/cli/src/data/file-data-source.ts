import { v } from 'npde';

/** A data path in the config: non-empty, relative to the folder of the config file (or absolute). */
const DataPathSchema = v.pipe(v.string(), v.minLength(1));

const EITHER_FORM = 'give either "path" (one JSON file with x and y) or "x" and "y" (two files), not both';

/** A key that must be absent in this form; its issue carries {@link EITHER_FORM} as the message. */
const absent = v.optional(v.pipe(v.custom<never>(() => true), v.check(() => false, EITHER_FORM)));

/** Inputs and targets in two files: `{ source: 'file', x, y, labels? }`. */
const FilePairSourceSchema = v.strictObject({
  /** `file`: read the data from files. */
  source: v.literal('file'),
  /**
   * Inputs, one sample per row along the first axis: a `.npy` file, a `.json`
   * nested array, an `npde-raw` manifest `.json`, or a raw `.f32`/`.bin` file
   * with its manifest next to it. Relative to the config file.
   */
  x: DataPathSchema,
  /** Targets, in any format `x` accepts; its first axis must match `x`'s (same number of samples). */
  y: DataPathSchema,
  /** `true` when `y` holds integer class labels, shape `[samples]`, each a non-negative integer (read as int32; default `false`). */
  labels: v.optional(v.boolean(), false),
  /** Not allowed with `x` and `y` (it belongs to the single-file form). */
  path: absent,
});

/** Legacy single-file form: `{ source: 'file', path }`, a JSON file `{ "x": number[][], "y": number[][] }`. */
const FileSingleSourceSchema = v.strictObject({
  /** `file`: read the data from a file. */
  source: v.literal('file'),
  /** Path of a JSON file `{ "x": [...], "y": [...] }` (nested number arrays), relative to the config file. */
  path: DataPathSchema,
  /** `true` when `y` holds integer class labels, shape `[samples]`, each a non-negative integer (default `false`). */
  labels: v.optional(v.boolean(), false),
  /** Not allowed with `path` (it belongs to the two-file form). */
  x: absent,
  /** Not allowed with `path` (it belongs to the two-file form). */
  y: absent,
});

/**
 * Schema of the config's `data` section when the data comes from files, in
 * either form:
 * - `{ source: 'file', x: 'x.npy', y: 'y.npy', labels?: boolean }`: inputs and
 *   targets in separate files (`.npy`, `.json` nested array, `npde-raw`
 *   manifest, or raw `.f32`/`.bin` with a manifest next to it);
 * - `{ source: 'file', path: 'data.json', labels?: boolean }`: the legacy form,
 *   one JSON file `{ "x": number[][], "y": number[][] }`.
 *
 * Paths are relative to the config file. It is a `v.variant` on `source` (and
 * then on `path`), so it can stand as one option of the config's
 * `v.variant('source', [...])`; giving `path` together with `x`/`y` is an
 * error at `x`.
 *
 * @example
 * ```ts
 * const DataSchema = v.variant('source', [AdrSourceSchema, FileDataSourceSchema]);
 * ```
 */
export const FileDataSourceSchema = v.variant('path', [FileSingleSourceSchema, FilePairSourceSchema]);

/** A validated file data section: the two-file form or the legacy single-file form (defaults applied). */
export type FileDataSource = v.InferOutput<typeof FileDataSourceSchema>;

/** The file data section as written in a config, before defaults (`labels` may be absent). */
export type FileDataSourceInput = v.InferInput<typeof FileDataSourceSchema>;
