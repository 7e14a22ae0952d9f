/**
 * Saving and loading models: serialization ({@link modelArtifacts},
 * {@link modelFromArtifacts}) and storage handlers ({@link ModelStore},
 * {@link memoryStore}, {@link browserStore}; Node's `fileStore` lives in
 * `@npde/core/node`), joined by {@link saveModel} and {@link loadModel}.
 *
 * @module
 */
export {
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  MODEL_JSON,
  WEIGHTS_BIN,
  checkModelJson,
  modelArtifacts,
  modelFromArtifacts,
  parseModelJson,
  type ModelArtifacts,
  type ModelArtifactsOptions,
  type ModelFromArtifactsOptions,
  type ModelJson,
} from './artifacts.js';
export {
  MODEL_STORE_SCHEMES,
  isModelStore,
  modelStore,
  modelStoreRouters,
  registerModelStoreRouter,
  type ModelLocation,
  type ModelStore,
  type ModelStoreRouter,
} from './model-store.js';
export { memoryStore, type MemoryStore } from './memory-store.js';
export { BROWSER_STORE_SCHEMES, browserStore, type BrowserStoreUrl } from './browser-store.js';
export { loadModel, saveModel, type LoadModelOptions, type SaveModelOptions } from './save-load.js';
