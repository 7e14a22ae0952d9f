import { UnknownModelStoreError } from '../errors/errors.js';
import { tf } from '../tensor/tf.js';
import { MODEL_FORMAT, modelFileError, type ModelArtifacts, type ModelJson } from './artifacts.js';
import type { ModelStore } from './model-store.js';

/** The schemes {@link browserStore} accepts. */
export const BROWSER_STORE_SCHEMES = ['indexeddb://', 'localstorage://', 'downloads://'] as const;

/** A location {@link browserStore} accepts. */
export type BrowserStoreUrl = `${'indexeddb' | 'localstorage' | 'downloads'}://${string}`;

function scheme(url: string): string | undefined {
  const lower = url.toLowerCase();
  return BROWSER_STORE_SCHEMES.find((s) => lower.startsWith(s));
}

function noHandler(url: string, verb: 'save' | 'load'): UnknownModelStoreError {
  const s = scheme(url) ?? url;
  if (s === 'downloads://' && verb === 'load') {
    return new UnknownModelStoreError('downloads:// can only save', {
      path: url,
      expected: 'indexeddb:// or localstorage:// to load from',
      received: url,
      hint: "Load downloaded files with tf.io.browserFiles([modelJson, weights]) or save to 'indexeddb://name' instead.",
    });
  }
  return new UnknownModelStoreError(`tf.io has no ${verb} handler for ${s} in this runtime`, {
    path: url,
    expected: `a browser (tf.io registers its ${BROWSER_STORE_SCHEMES.join(', ')} handlers only there)`,
    received: 'no handler',
    hint: "In Node save to a directory (import '@npde/core/node') or to memory://name.",
  });
}

/**
 * A {@link ModelStore} on tf.io's own browser handlers, chosen by the scheme:
 * `indexeddb://name` (IndexedDB, the best place for larger models),
 * `localstorage://name` (small models; about 5 MB per origin) and
 * `downloads://name` (save only: the browser downloads `name.json` and
 * `name.weights.bin` in tf.io's layout, npde's `model.json` under its
 * `modelTopology`). Browser-safe to import anywhere; using it outside a
 * browser fails with `NPDE_UNKNOWN_MODEL_STORE`. `saveModel(model, 'indexeddb://name')`
 * is the same as passing `browserStore('indexeddb://name')`.
 *
 * @throws {@link UnknownModelStoreError} (`NPDE_UNKNOWN_MODEL_STORE`) for another scheme.
 *
 * @example
 * ```ts
 * await saveModel(model, browserStore('indexeddb://heat-1d'));
 * const again = await loadModel('indexeddb://heat-1d', { registry });
 * ```
 */
export function browserStore(url: BrowserStoreUrl | string): ModelStore {
  if (scheme(url) === undefined) {
    throw new UnknownModelStoreError('browserStore needs an indexeddb://, localstorage:// or downloads:// URL', {
      path: url,
      expected: BROWSER_STORE_SCHEMES.map((s) => `${s}name`).join(', '),
      received: url,
    });
  }
  return {
    describe: url,
    async save(artifacts: ModelArtifacts): Promise<void> {
      const handler = tf.io.getSaveHandlers(url)[0];
      if (!handler?.save) throw noHandler(url, 'save');
      const { modelJson, weightData } = artifacts;
      const result = await handler.save({
        modelTopology: modelJson as unknown as object,
        format: MODEL_FORMAT,
        generatedBy: 'npde',
        weightSpecs: modelJson.weightsManifest.flatMap((g) => g.weights),
        weightData,
      });
      if (result.errors?.length) throw new Error(result.errors.map(String).join('; '));
    },
    async load(): Promise<ModelArtifacts> {
      const handler = scheme(url) === 'downloads://' ? undefined : tf.io.getLoadHandlers(url)[0];
      if (!handler?.load) throw noHandler(url, 'load');
      const loaded = await handler.load();
      const topology = loaded.modelTopology;
      if (topology === undefined || topology instanceof ArrayBuffer || loaded.weightData === undefined) {
        throw modelFileError('the stored entry is not an npde model', url, {
          expected: 'a model saved by saveModel',
          received: topology === undefined ? 'no model description' : loaded.weightData === undefined ? 'no weights' : 'a binary model topology',
        });
      }
      return { modelJson: topology as ModelJson, weightData: tf.io.CompositeArrayBuffer.join(loaded.weightData) };
    },
  };
}
