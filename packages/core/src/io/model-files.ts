import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ErrorCodes, ModelFileError, NpdeError, describeValue } from '../errors/errors.js';
import { NeuralPde } from '../model/neural-pde.js';
import type { ModelSpec } from '../model/spec.js';
import { globalRegistry, type Registry } from '../registry/registry.js';
import { tf, type Tensor } from '../tensor/tf.js';

/** Name of the JSON file in a model directory. */
export const MODEL_JSON = 'model.json';
/** Name of the weights file in a model directory. */
export const WEIGHTS_BIN = 'weights.bin';
/** Format tag written to `model.json`. */
export const MODEL_FORMAT = 'npde-model';
/** Format version written to `model.json`. */
export const MODEL_FORMAT_VERSION = 1;

/**
 * Contents of `model.json`: the spec, the plugin ids that made it, and the
 * weights manifest in TensorFlow.js's own format (`tf.io.WeightsManifestConfig`),
 * so `weights.bin` can be read by any tfjs tool.
 */
export interface ModelJson {
  /** Always {@link MODEL_FORMAT}. */
  readonly format: typeof MODEL_FORMAT;
  /** {@link MODEL_FORMAT_VERSION} of the writer; newer versions are refused on load. */
  readonly formatVersion: number;
  /** The model spec with every default filled in. */
  readonly spec: ModelSpec;
  /** Plugin ids by role (`kernel`, `activation`, `integrator`, `reservoir`). */
  readonly plugins: Readonly<Record<string, string>>;
  /** tfjs weights manifest: the parameter names, shapes and dtypes stored in `weights.bin`. */
  readonly weightsManifest: tf.io.WeightsManifestConfig;
  /** Free-form user metadata (training report, data description, ...). */
  readonly metadata?: Record<string, unknown>;
}

/** Write `data` to `file` atomically: a temporary file in the same folder, then rename. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Save a model to directory `dir` (created if needed): `weights.bin` first,
 * then `model.json`, each written atomically, so a reader never sees a
 * half-written model.
 *
 * @example
 * ```ts
 * await saveModel(model, 'out/model', { metadata: { finalLoss: 1e-6 } });
 * ```
 */
export async function saveModel(model: NeuralPde, dir: string, options: { metadata?: Record<string, unknown> } = {}): Promise<void> {
  const named = model.getWeights();
  try {
    const { data, specs } = await tf.io.encodeWeights(named);
    await fs.mkdir(dir, { recursive: true });
    await writeFileAtomic(path.join(dir, WEIGHTS_BIN), new Uint8Array(data));
    const json: ModelJson = {
      format: MODEL_FORMAT,
      formatVersion: MODEL_FORMAT_VERSION,
      spec: model.spec as ModelSpec,
      plugins: model.pluginIds,
      weightsManifest: [{ paths: [WEIGHTS_BIN], weights: specs }],
      ...(options.metadata ? { metadata: options.metadata } : {}),
    };
    await writeFileAtomic(path.join(dir, MODEL_JSON), JSON.stringify(json, null, 2) + '\n');
  } finally {
    Object.values(named).forEach((t) => t.dispose());
  }
}

function fileError(summary: string, file: string, details: { expected?: string; received?: string; hint?: string; cause?: unknown }): ModelFileError {
  return new ModelFileError(ErrorCodes.INVALID_MODEL_FILE, summary, { path: file, ...details });
}

/** Read and check `model.json` of a model directory (without building the model). */
export async function readModelJson(dir: string): Promise<ModelJson> {
  const file = path.join(dir, MODEL_JSON);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw fileError('cannot read the model description', file, {
      expected: 'a model directory written by saveModel / `npde train`',
      received: (err as NodeJS.ErrnoException).code ?? String(err),
      hint: `Check the path; a model directory holds ${MODEL_JSON} and ${WEIGHTS_BIN}.`,
      cause: err,
    });
  }
  let json: ModelJson;
  try {
    json = JSON.parse(text) as ModelJson;
  } catch (err) {
    throw fileError('model.json is not valid JSON', file, { expected: 'JSON', received: (err as Error).message, cause: err });
  }
  if (json?.format !== MODEL_FORMAT || typeof json.formatVersion !== 'number') {
    throw fileError('not an npde model file', `${file}#format`, { expected: `"${MODEL_FORMAT}"`, received: describeValue(json?.format) });
  }
  if (json.formatVersion > MODEL_FORMAT_VERSION) {
    throw fileError('model file is from a newer npde', `${file}#formatVersion`, {
      expected: `≤ ${MODEL_FORMAT_VERSION}`,
      received: String(json.formatVersion),
      hint: 'Upgrade npde to read it.',
    });
  }
  return json;
}

/**
 * Load a model saved by {@link saveModel}. Plugin ids are resolved through the
 * registry: an unregistered one fails with code `NPDE_UNKNOWN_PLUGIN` (path
 * `kernel`, `activation`, ...), a damaged file with `NPDE_INVALID_MODEL_FILE`.
 */
export async function loadModel(dir: string, options: { registry?: Registry } = {}): Promise<NeuralPde> {
  const json = await readModelJson(dir);
  const model = NeuralPde.create(json.spec, { registry: options.registry ?? globalRegistry() });
  try {
    const entries = json.weightsManifest?.[0];
    if (!entries || !Array.isArray(entries.weights)) {
      throw fileError('model.json has no weights manifest', path.join(dir, MODEL_JSON) + '#weightsManifest', {
        expected: 'a tf.io weights manifest',
        received: describeValue(json.weightsManifest),
      });
    }
    const weightsFile = path.join(dir, entries.paths[0] ?? WEIGHTS_BIN);
    let buf: Buffer;
    try {
      buf = await fs.readFile(weightsFile);
    } catch (err) {
      throw fileError('cannot read the weights', weightsFile, { expected: 'the weights file named in model.json', received: String(err), cause: err });
    }
    const expectedBytes = entries.weights.reduce((n, w) => n + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
    if (buf.byteLength !== expectedBytes) {
      throw fileError('weights file has the wrong size', weightsFile, {
        expected: `${expectedBytes} bytes`,
        received: `${buf.byteLength} bytes`,
        hint: 'The file is truncated or belongs to another model.',
      });
    }
    const ab = Uint8Array.from(buf).buffer;
    const named = tf.io.decodeWeights(ab, entries.weights) as Record<string, Tensor>;
    try {
      model.setWeights(named);
    } finally {
      Object.values(named).forEach((t) => t.dispose());
    }
    return model;
  } catch (err) {
    model.dispose();
    if (err instanceof NpdeError) throw err;
    throw fileError('cannot load the model', dir, { received: String(err), cause: err });
  }
}
