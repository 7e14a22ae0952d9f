import { access } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { toIssues, v } from 'npde';
import { convertToDtype } from './convert-dtype.js';
import { dataFileError } from './data-file-error.js';
import { formatShape, shapeSize, type NumericArray, type NumericDtype } from './numeric-array.js';
import { RAW_MANIFEST_FORMAT, RawManifestSchema, isRawManifest } from './raw-manifest.js';
import { readFileBytes, readJsonFile } from './read-file.js';

const MANIFEST_HINT =
  'A manifest is JSON like { "format": "npde-raw", "file": "x.f32", "shape": [1000, 64], "dtype": "float32" }, with `file` relative to the manifest.';

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Read the raw data an `npde-raw` manifest file describes (see
 * `RawManifestSchema`). The data file must hold exactly 4 × product(shape)
 * bytes of little-endian float32 or int32. `dtype` converts the result
 * (int32 to float32, or float32 to int32 when every value is an integer).
 * Errors name the manifest plus `#field` (`x.json#shape`), or the data file.
 *
 * @example
 * ```ts
 * const x = await readManifestData('data/x.json'); // { shape: [1000, 64], dtype: 'float32', data: Float32Array }
 * ```
 */
export async function readManifestData(manifestFile: string, dtype?: NumericDtype): Promise<NumericArray> {
  return readManifestValue(await readJsonFile(manifestFile), manifestFile, dtype);
}

/** {@link readManifestData} for a manifest already parsed from `manifestFile`. */
export async function readManifestValue(json: unknown, manifestFile: string, dtype?: NumericDtype): Promise<NumericArray> {
  const result = v.safeParse(RawManifestSchema, json);
  if (!result.success) {
    const issue = toIssues(result.issues)[0]!;
    throw dataFileError(issue.path === '(root)' ? manifestFile : `${manifestFile}#${issue.path}`, 'invalid npde-raw manifest', {
      expected: issue.expected,
      received: issue.received,
      hint: MANIFEST_HINT,
    });
  }
  const manifest = result.output;
  const dataFile = isAbsolute(manifest.file) ? manifest.file : join(dirname(manifestFile), manifest.file);
  const bytes = await readFileBytes(dataFile);
  const count = shapeSize(manifest.shape);
  if (bytes.length !== 4 * count) {
    throw dataFileError(dataFile, 'raw data size does not match the manifest', {
      expected: `${4 * count} bytes (4 × ${count} values of shape ${formatShape(manifest.shape)}, from ${manifestFile})`,
      received: `${bytes.length} bytes`,
      hint: `Fix \`shape\` in ${manifestFile}, or write the data as 32-bit values: \`arr.astype('<f4').tofile(...)\`.`,
    });
  }
  const values = manifest.dtype === 'int32' ? new Int32Array(count) : new Float32Array(count);
  if (littleEndianHost) {
    new Uint8Array(values.buffer).set(bytes);
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < count; i++) values[i] = manifest.dtype === 'int32' ? view.getInt32(4 * i, true) : view.getFloat32(4 * i, true);
  }
  if (dtype === undefined || dtype === manifest.dtype) return { shape: manifest.shape, dtype: manifest.dtype, data: values };
  return convertToDtype(values, manifest.shape, dtype, dataFile);
}

/**
 * Read a raw data file (`x.f32`, `x.bin`, `x.i32`) through the manifest next
 * to it: `x.json`, else `x.f32.json`, whose `file` must name this file.
 */
export async function readRawFile(file: string, dtype?: NumericDtype): Promise<NumericArray> {
  const stem = join(dirname(file), basename(file, extname(file)));
  const candidates = [`${stem}.json`, `${file}.json`];
  for (const candidate of candidates) {
    if (!(await exists(candidate))) continue;
    const json = await readJsonFile(candidate);
    if (!isRawManifest(json)) continue;
    const named = (json as { file?: unknown }).file;
    if (typeof named === 'string' && resolve(dirname(candidate), named) !== resolve(file)) {
      throw dataFileError(`${candidate}#file`, 'manifest next to the raw file describes another file', {
        expected: JSON.stringify(basename(file)),
        received: JSON.stringify(named),
        hint: `Point \`file\` in ${candidate} at ${basename(file)}, or name the manifest itself as the data file.`,
      });
    }
    return readManifestValue(json, candidate, dtype);
  }
  throw dataFileError(file, 'raw data file has no manifest', {
    expected: `an npde-raw manifest ${candidates.map((c) => basename(c)).join(' or ')} next to it`,
    received: 'none found',
    hint: `Raw files carry no shape; add a manifest with "format": "${RAW_MANIFEST_FORMAT}". ${MANIFEST_HINT}`,
  });
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
