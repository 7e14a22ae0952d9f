/**
 * Serialization of a model: what {@link saveModel} writes and {@link loadModel}
 * reads, independent of where it is stored. Everything that knows the layout
 * of `model.json` lives in this file (the format tag, {@link MODEL_FORMAT_VERSION},
 * the checks on read), so a format change stays local to it.
 *
 * @module
 */
import { ErrorCodes, ModelFileError, NpdeError, describeValue } from '../errors/errors.js';
import { NeuralPde } from '../model/neural-pde.js';
import type { ModelSpec } from '../model/spec.js';
import { globalRegistry, type Registry } from '../registry/registry.js';
import { tf, type Tensor } from '../tensor/tf.js';

/** Name of the JSON file in a model directory (and of the description in any store). */
export const MODEL_JSON = 'model.json';
/** Name of the weights file in a model directory; `model.json`'s weights manifest names it. */
export const WEIGHTS_BIN = 'weights.bin';
/** Format tag written to `model.json`. */
export const MODEL_FORMAT = 'npde-model';
/**
 * Format version written to `model.json`; newer versions are refused on load.
 * 1: `spec` is a one-block model spec; 2: `spec` is the composite form
 * (`{ input, stages, seed }`). Both load: a version-1 spec is read as a
 * model of one unnamed `pde` stage, whose parameters keep their names.
 */
export const MODEL_FORMAT_VERSION = 2;

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
  /** Plugin ids by role: each stage's id under its name (`stage` for an unnamed one) and each block part's (`kernel`, `<stage>.kernel`, …). */
  readonly plugins: Readonly<Record<string, string>>;
  /** tfjs weights manifest: the parameter names, shapes and dtypes stored in the weights. */
  readonly weightsManifest: tf.io.WeightsManifestConfig;
  /** Free-form user metadata (training report, data description, ...). */
  readonly metadata?: Record<string, unknown>;
}

/**
 * A saved model, wherever it is kept: the description (`model.json`) and the
 * weights, one `ArrayBuffer` in the order of the manifest (tfjs's
 * `encodeWeights` layout, the bytes of `weights.bin`). What a {@link ModelStore}
 * saves and loads.
 */
export interface ModelArtifacts {
  /** The model description. */
  readonly modelJson: ModelJson;
  /** Every parameter's float32 values, concatenated in manifest order. */
  readonly weightData: ArrayBuffer;
}

/** Options of {@link modelArtifacts} (and of `saveModel`). */
export interface ModelArtifactsOptions {
  /** Free-form metadata stored in `model.json` (training report, data description, ...). */
  readonly metadata?: Record<string, unknown>;
}

/** Options of {@link modelFromArtifacts} (and of `loadModel`). */
export interface ModelFromArtifactsOptions {
  /** Where the plugin ids of the model are resolved (default: `globalRegistry()`). */
  readonly registry?: Registry;
  /** Where the artifacts came from, for error messages (a directory, `indexeddb://name`, ...). */
  readonly source?: string;
}

/** A {@link ModelFileError} (`NPDE_INVALID_MODEL_FILE`) naming `where`. @internal */
export function modelFileError(
  summary: string,
  where: string,
  details: { expected?: string; received?: string; hint?: string; cause?: unknown },
): ModelFileError {
  return new ModelFileError(ErrorCodes.INVALID_MODEL_FILE, summary, { path: where, ...details });
}

/**
 * Check the parts of a parsed `model.json` every reader relies on: the format
 * tag and a format version this npde can read. `where` names the description
 * in errors (a file path, a store URL). Returns it typed.
 *
 * @throws {@link ModelFileError} (`NPDE_INVALID_MODEL_FILE`): not an npde model, or one from a newer npde.
 */
export function checkModelJson(json: unknown, where = MODEL_JSON): ModelJson {
  const j = json as Partial<ModelJson> | null | undefined;
  if (j?.format !== MODEL_FORMAT || typeof j.formatVersion !== 'number') {
    throw modelFileError('not an npde model file', `${where}#format`, { expected: `"${MODEL_FORMAT}"`, received: describeValue(j?.format) });
  }
  if (j.formatVersion > MODEL_FORMAT_VERSION) {
    throw modelFileError('model file is from a newer npde', `${where}#formatVersion`, {
      expected: `≤ ${MODEL_FORMAT_VERSION}`,
      received: String(j.formatVersion),
      hint: 'Upgrade npde to read it.',
    });
  }
  return j as ModelJson;
}

/**
 * Parse the text of a `model.json` and {@link checkModelJson | check} it.
 *
 * @throws {@link ModelFileError} (`NPDE_INVALID_MODEL_FILE`): not JSON, not an npde model, or from a newer npde.
 */
export function parseModelJson(text: string, where = MODEL_JSON): ModelJson {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw modelFileError('model.json is not valid JSON', where, { expected: 'JSON', received: (err as Error).message, cause: err });
  }
  return checkModelJson(json, where);
}

/**
 * Serialize a model: its description (spec, plugin ids, a tf.io weights
 * manifest, your metadata) and its weights as one buffer. Stores save exactly
 * this; {@link modelFromArtifacts} is the inverse.
 *
 * @example
 * ```ts
 * const { modelJson, weightData } = await modelArtifacts(model, { metadata: { finalLoss: 1e-6 } });
 * modelJson.weightsManifest[0].weights.map((w) => w.name); // ['kernel/U', ..., 'omega']
 * ```
 */
export async function modelArtifacts(model: NeuralPde, options: ModelArtifactsOptions = {}): Promise<ModelArtifacts> {
  const named = model.getWeights();
  try {
    const { data, specs } = await tf.io.encodeWeights(named);
    const modelJson: ModelJson = {
      format: MODEL_FORMAT,
      formatVersion: MODEL_FORMAT_VERSION,
      spec: model.spec as ModelSpec,
      plugins: model.pluginIds,
      weightsManifest: [{ paths: [WEIGHTS_BIN], weights: specs }],
      ...(options.metadata ? { metadata: options.metadata } : {}),
    };
    return { modelJson, weightData: data };
  } finally {
    Object.values(named).forEach((t) => t.dispose());
  }
}

/** Bytes the weights of `entries` take (npde stores float32 only). */
function weightBytes(entries: readonly tf.io.WeightsManifestEntry[]): number {
  return entries.reduce((n, w) => n + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
}

/**
 * Rebuild a model from its artifacts: check the description (format tag,
 * version, weights manifest, weights size), create the model through the
 * registry (so the plugins it names must be registered) and set its weights.
 *
 * @throws {@link ModelFileError} (`NPDE_INVALID_MODEL_FILE`) for damaged artifacts;
 *   `NPDE_UNKNOWN_PLUGIN` (path `kernel`, `activation`, ...) for a plugin that is not registered.
 *
 * @example
 * ```ts
 * const copy = await modelFromArtifacts(await modelArtifacts(model), { registry });
 * ```
 */
export async function modelFromArtifacts(artifacts: ModelArtifacts, options: ModelFromArtifactsOptions = {}): Promise<NeuralPde> {
  const where = options.source ?? 'model artifacts';
  const json = checkModelJson(artifacts?.modelJson, where);
  const model = NeuralPde.create(json.spec, { registry: options.registry ?? globalRegistry() });
  try {
    const entries = json.weightsManifest?.[0];
    if (!entries || !Array.isArray(entries.weights)) {
      throw modelFileError('model.json has no weights manifest', `${where}#weightsManifest`, {
        expected: 'a tf.io weights manifest',
        received: describeValue(json.weightsManifest),
      });
    }
    const data = artifacts.weightData;
    const bytes = data instanceof ArrayBuffer ? data.byteLength : undefined;
    const expectedBytes = weightBytes(entries.weights);
    if (bytes !== expectedBytes) {
      throw modelFileError('weights file has the wrong size', `${where}#weights`, {
        expected: `${expectedBytes} bytes`,
        received: bytes === undefined ? describeValue(data) : `${bytes} bytes`,
        hint: 'The file is truncated or belongs to another model.',
      });
    }
    const named = tf.io.decodeWeights(data, entries.weights) as Record<string, Tensor>;
    try {
      model.setWeights(named);
    } finally {
      Object.values(named).forEach((t) => t.dispose());
    }
    return model;
  } catch (err) {
    model.dispose();
    if (err instanceof NpdeError) throw err;
    throw modelFileError('cannot load the model', where, { received: String(err), cause: err });
  }
}
