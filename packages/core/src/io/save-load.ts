import { NpdeError } from '../errors/errors.js';
import type { NeuralPde } from '../model/neural-pde.js';
import { modelArtifacts, modelFileError, modelFromArtifacts, type ModelArtifactsOptions, type ModelFromArtifactsOptions } from './artifacts.js';
import { modelStore, type ModelLocation } from './model-store.js';

/** Options of {@link saveModel}. */
export type SaveModelOptions = ModelArtifactsOptions;

/** Options of {@link loadModel}. */
export type LoadModelOptions = Omit<ModelFromArtifactsOptions, 'source'>;

/**
 * Save a model to a store: serialize it ({@link modelArtifacts}) and hand the
 * artifacts to the store the location names (see {@link modelStore}). In Node,
 * with `@npde/core/node` imported (importing `npde` does it), a directory path
 * writes `weights.bin` and then `model.json`, each atomically.
 *
 * @throws {@link UnknownModelStoreError} for a location nothing handles;
 *   {@link ModelFileError} (`NPDE_INVALID_MODEL_FILE`) when the store fails.
 *
 * @example
 * ```ts
 * await saveModel(model, 'indexeddb://heat');                                  // browser
 * await saveModel(model, 'out/model', { metadata: { finalLoss: 1e-6 } });      // Node
 * await saveModel(model, memoryStore());                                        // anywhere
 * ```
 */
export async function saveModel(model: NeuralPde, location: ModelLocation, options: SaveModelOptions = {}): Promise<void> {
  const store = modelStore(location);
  const artifacts = await modelArtifacts(model, options);
  try {
    await store.save(artifacts);
  } catch (err) {
    if (err instanceof NpdeError) throw err;
    throw modelFileError('cannot save the model', store.describe ?? 'store', { received: err instanceof Error ? err.message : String(err), cause: err });
  }
}

/**
 * Load a model saved by {@link saveModel} from the store a location names (see
 * {@link modelStore}). Plugin ids are resolved through the registry: an
 * unregistered one fails with code `NPDE_UNKNOWN_PLUGIN` (path `kernel`,
 * `activation`, ...), damaged artifacts with `NPDE_INVALID_MODEL_FILE`.
 *
 * @example
 * ```ts
 * const model = await loadModel('indexeddb://heat', { registry });
 * ```
 */
export async function loadModel(location: ModelLocation, options: LoadModelOptions = {}): Promise<NeuralPde> {
  const store = modelStore(location);
  const where = store.describe ?? 'store';
  let artifacts;
  try {
    artifacts = await store.load();
  } catch (err) {
    if (err instanceof NpdeError) throw err;
    throw modelFileError('cannot load the model', where, { received: err instanceof Error ? err.message : String(err), cause: err });
  }
  return modelFromArtifacts(artifacts, { ...options, source: where });
}
