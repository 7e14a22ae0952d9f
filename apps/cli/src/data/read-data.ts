import { extname, isAbsolute, join } from 'node:path';
import { ErrorCodes, describeValue, validate } from 'npde';
import { dataFileError, locate } from './data-file-error.js';
import { FileDataSourceSchema, type FileDataSourceInput } from './file-data-source.js';
import { jsonToArray } from './json-array.js';
import { formatIndex, formatShape, type NumericArray, type NumericDtype } from './numeric-array.js';
import { isRawManifest } from './raw-manifest.js';
import { readJsonFile } from './read-file.js';
import { readNpyFile } from './read-npy.js';
import { readManifestValue, readRawFile } from './read-raw.js';

export { FileDataSourceSchema, type FileDataSource, type FileDataSourceInput } from './file-data-source.js';
export { formatShape, shapeSize, type NumericArray, type NumericDtype } from './numeric-array.js';
export { RawManifestSchema, isRawManifest, type RawManifest } from './raw-manifest.js';
export { readManifestData } from './read-raw.js';

/** Options of {@link readArrayFile}. */
export interface ReadArrayOptions {
  /**
   * For a `.json` file holding an object: the dotted key of the array inside
   * it, e.g. `'x'` for a `{ "x": [...], "y": [...] }` file. Errors then name
   * `file#x`. Only for `.json` files.
   */
  readonly path?: string;
  /**
   * The dtype to return. Without it: `.json` arrays are float32, `.npy` floats
   * float32 and integers int32, raw files their manifest's dtype. `int32`
   * requires every value to be an integer in int32 range.
   */
  readonly dtype?: NumericDtype;
}

/** Data read for training: inputs `x` and targets `y`, paired row by row along the first axis. */
export interface Dataset {
  /** Inputs, float32, shape `[samples, ...]`. */
  readonly x: NumericArray;
  /** Targets, float32 `[samples, ...]`, or int32 class labels `[samples]` when `labels` is set. */
  readonly y: NumericArray;
  /** Number of samples (the first axis of `x` and of `y`). */
  readonly samples: number;
  /** Whether `y` holds integer class labels. */
  readonly labels: boolean;
}

const RAW_EXTENSIONS = new Set(['.f32', '.bin', '.i32']);
const FORMATS_TEXT = '.npy, .json (nested array or npde-raw manifest), or raw .f32/.bin/.i32 with a manifest';

/**
 * Read one array from a data file, by extension:
 * - `.json`: a rectangular nested array of numbers, or an `npde-raw` manifest
 *   object (see {@link readManifestData});
 * - `.npy`: NumPy format (v1–v3 headers, C order, `<f4`, `<f8`, `<i4`, `<i8`,
 *   `|u1`, `|i1`);
 * - `.f32`, `.bin`, `.i32`: raw little-endian 32-bit values, described by a
 *   manifest `x.json` (or `x.f32.json`) next to the file.
 *
 * Every failure is a `DataFileError` (code `INVALID_DATA_FILE`) whose `path`
 * names the file, plus `#field` or `#[i][j]` for the place inside it.
 *
 * @example
 * ```ts
 * const x = await readArrayFile('data/x.npy');                 // float32 [n, 64]
 * const y = await readArrayFile('data/y.json', { dtype: 'int32' }); // int32 [n]
 * ```
 */
export async function readArrayFile(file: string, opts: ReadArrayOptions = {}): Promise<NumericArray> {
  const ext = extname(file).toLowerCase();
  if (opts.path !== undefined && ext !== '.json') {
    throw dataFileError(file, 'a key path inside the file applies only to .json files', {
      expected: 'a .json file',
      received: `a ${ext || 'extensionless'} file with path ${JSON.stringify(opts.path)}`,
      hint: 'Name the array file itself and leave out the key path.',
    });
  }
  if (ext === '.json') return jsonFileArray(await readJsonFile(file), file, opts);
  if (ext === '.npy') return readNpyFile(file, opts.dtype);
  if (RAW_EXTENSIONS.has(ext)) return readRawFile(file, opts.dtype);
  throw dataFileError(file, 'unsupported data file type', {
    expected: FORMATS_TEXT,
    received: ext ? `a ${ext} file` : 'a file without extension',
    hint:
      ext === '.npz'
        ? 'Save each array of the .npz archive as its own .npy file (`np.save`).'
        : ext === '.csv' || ext === '.txt'
          ? 'Convert it, e.g. `np.save("x.npy", np.loadtxt(f, delimiter=",", dtype=np.float32))`.'
          : 'Convert the data to .npy (`np.save`) or a JSON nested array.',
  });
}

/**
 * Read the training data that a config's `data` section of source `file`
 * names (see `FileDataSourceSchema`); relative paths are resolved against
 * `baseDir`, the folder of the config file. `x` becomes float32; `y` float32,
 * or int32 class labels (shape `[samples]`, each ≥ 0) with `labels: true`.
 * Mismatched sample counts are an error naming both files.
 *
 * @example
 * ```ts
 * const { x, y, samples } = await readDataset({ source: 'file', x: 'x.npy', y: 'y.npy' }, dirname(configFile));
 * ```
 */
export async function readDataset(spec: FileDataSourceInput, baseDir: string): Promise<Dataset> {
  const data = validate(FileDataSourceSchema, spec, { path: 'data', what: 'data section', code: ErrorCodes.INVALID_SPEC });
  const resolvePath = (p: string): string => (isAbsolute(p) ? p : join(baseDir, p));
  const yDtype: NumericDtype = data.labels ? 'int32' : 'float32';
  let x: NumericArray;
  let y: NumericArray;
  let xWhere: string;
  let yWhere: string;
  if (typeof data.path !== 'string') {
    xWhere = resolvePath(data.x);
    yWhere = resolvePath(data.y);
    [x, y] = await Promise.all([readArrayFile(xWhere, { dtype: 'float32' }), readArrayFile(yWhere, { dtype: yDtype })]);
  } else {
    const file = resolvePath(data.path);
    if (extname(file).toLowerCase() !== '.json') {
      throw dataFileError(file, 'the single-file data form takes a JSON file', {
        expected: 'a .json file holding { "x": [...], "y": [...] }',
        received: `a ${extname(file) || 'extensionless'} file`,
        hint: 'For .npy or raw files, name inputs and targets separately: { "source": "file", "x": "x.npy", "y": "y.npy" }.',
      });
    }
    const json = await readJsonFile(file);
    if (typeof json !== 'object' || json === null || Array.isArray(json) || !('x' in json) || !('y' in json)) {
      throw dataFileError(file, 'data file lacks x and y', {
        expected: 'an object { "x": number[][], "y": number[][] }',
        received: describeValue(json),
        hint: 'Put inputs under "x" and targets under "y", or name two files with "x" and "y" in the config instead of "path".',
      });
    }
    xWhere = `${file}#x`;
    yWhere = `${file}#y`;
    x = await jsonFileArray(json, file, { path: 'x', dtype: 'float32' });
    y = await jsonFileArray(json, file, { path: 'y', dtype: yDtype });
  }
  checkDataset(x, y, xWhere, yWhere, data.labels);
  return { x, y, samples: x.shape[0]!, labels: data.labels };
}

function checkDataset(x: NumericArray, y: NumericArray, xWhere: string, yWhere: string, labels: boolean): void {
  for (const [name, a, where] of [['x', x, xWhere], ['y', y, yWhere]] as const) {
    if (a.shape.length === 0) {
      throw dataFileError(where, `${name} is a scalar`, {
        expected: 'an array with samples along its first axis',
        received: 'a 0-dimensional array',
        hint: `Store ${name} with one row per sample.`,
      });
    }
  }
  if (x.shape[0] !== y.shape[0]) {
    throw dataFileError(yWhere, 'x and y hold different numbers of samples', {
      expected: `${x.shape[0]} samples, as in x (${xWhere}, shape ${formatShape(x.shape)})`,
      received: `${y.shape[0]} samples in y (${yWhere}, shape ${formatShape(y.shape)})`,
      hint: 'x and y pair up row by row along the first axis; give both files the same number of rows.',
    });
  }
  if (x.shape[0] === 0) {
    throw dataFileError(xWhere, 'data holds no samples', {
      expected: 'at least one sample',
      received: `shape ${formatShape(x.shape)}`,
      hint: 'Check that the files hold the data you meant.',
    });
  }
  if (!labels) return;
  if (y.shape.length !== 1) {
    throw dataFileError(yWhere, 'class labels must be one integer per sample', {
      expected: `shape [${y.shape[0]}]`,
      received: `shape ${formatShape(y.shape)}`,
      hint: 'Store labels as a flat integer array (`y.reshape(-1)`, or argmax of one-hot rows), or leave out "labels" for regression targets.',
    });
  }
  const idx = y.data.findIndex((c) => c < 0);
  if (idx >= 0) {
    throw dataFileError(locate(yWhere, formatIndex(idx, y.shape)), 'class label is negative', {
      expected: 'a non-negative integer (class index 0, 1, ...)',
      received: String(y.data[idx]),
      hint: 'Number the classes 0, 1, 2, ...',
    });
  }
}

async function jsonFileArray(json: unknown, file: string, opts: ReadArrayOptions): Promise<NumericArray> {
  let value = json;
  let where = file;
  if (opts.path !== undefined) {
    for (const key of opts.path.split('.')) {
      const holder = value;
      if (typeof holder !== 'object' || holder === null || Array.isArray(holder) || !(key in holder)) {
        throw dataFileError(locate(where, where === file ? key : `.${key}`), `no "${key}" in the data file`, {
          expected: `an object with key "${key}"`,
          received: describeValue(holder),
          hint: `Check the key path ${JSON.stringify(opts.path)} against the file's contents.`,
        });
      }
      value = (holder as Record<string, unknown>)[key];
      where = locate(where, where === file ? key : `.${key}`);
    }
  }
  if (isRawManifest(value)) return readManifestValue(value, file, opts.dtype);
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    throw dataFileError(where, 'JSON data file holds an object, not an array', {
      expected: 'a nested array of numbers, or an npde-raw manifest { "format": "npde-raw", ... }',
      received: `an object with keys ${Object.keys(obj).slice(0, 5).map((k) => JSON.stringify(k)).join(', ') || '(none)'}`,
      hint:
        'x' in obj && 'y' in obj
          ? 'This is the single-file form: name it with "path" in the config ({ "source": "file", "path": ... }).'
          : 'format' in obj
            ? `Unknown "format" ${describeValue(obj.format)}; the only manifest format is "npde-raw".`
            : 'Store the array itself at the top level of the file.',
    });
  }
  return jsonToArray(value, where, opts.dtype ?? 'float32');
}
