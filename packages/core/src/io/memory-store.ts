import { modelFileError, type ModelArtifacts } from './artifacts.js';
import type { ModelStore } from './model-store.js';

const NAMED_KEY = Symbol.for('@npde/core/memory-models');

/** Named in-memory models (`memory://name`), shared through a global symbol. */
function named(): Map<string, ModelArtifacts> {
  const g = globalThis as unknown as Record<symbol, Map<string, ModelArtifacts> | undefined>;
  return (g[NAMED_KEY] ??= new Map());
}

/** A deep copy, as a file would give: JSON for the description, a fresh buffer for the weights. */
function copy(a: ModelArtifacts): ModelArtifacts {
  return { modelJson: JSON.parse(JSON.stringify(a.modelJson)) as ModelArtifacts['modelJson'], weightData: a.weightData.slice(0) };
}

/** A {@link ModelStore} in memory; see {@link memoryStore}. */
export interface MemoryStore extends ModelStore {
  /** What was saved last (a copy), or `undefined` before the first save. */
  readonly artifacts: ModelArtifacts | undefined;
  /** Forget the saved model. */
  clear(): void;
}

/**
 * A {@link ModelStore} that keeps the artifacts in memory, copied on save and
 * on load (so later changes to either side do not leak), as a file would.
 * Browser-safe; for tests, the conformance kit and passing models around in
 * one page or process. With a `name`, every `memoryStore(name)` (and the
 * location `memory://name`) shares one slot in this JavaScript realm; without
 * one, the store is private.
 *
 * @example
 * ```ts
 * const store = memoryStore();
 * await saveModel(model, store);
 * const copy = await loadModel(store, { registry });
 * await saveModel(model, 'memory://best');            // the same as memoryStore('best')
 * ```
 */
export function memoryStore(name?: string): MemoryStore {
  let own: ModelArtifacts | undefined;
  const get = () => (name === undefined ? own : named().get(name));
  return {
    describe: name === undefined ? 'memory' : `memory://${name}`,
    get artifacts() {
      const a = get();
      return a && copy(a);
    },
    async save(artifacts: ModelArtifacts): Promise<void> {
      const c = copy(artifacts);
      if (name === undefined) own = c;
      else named().set(name, c);
    },
    async load(): Promise<ModelArtifacts> {
      const a = get();
      if (!a) {
        throw modelFileError('no model was saved to this memory store', name === undefined ? 'memory' : `memory://${name}`, {
          expected: 'a model saved with saveModel(model, store) first',
          received: 'an empty store',
          hint: 'Memory stores live only as long as the page or process that saved to them.',
        });
      }
      return copy(a);
    },
    clear(): void {
      if (name === undefined) own = undefined;
      else named().delete(name);
    },
  };
}
