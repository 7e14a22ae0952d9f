import { closest, distance } from 'fastest-levenshtein';
import { UnknownModelStoreError } from '../errors/errors.js';
import type { ModelArtifacts } from './artifacts.js';
import { browserStore } from './browser-store.js';
import { memoryStore } from './memory-store.js';

/**
 * Where a model is saved to and loaded from: a storage handler in the manner
 * of tf.io's `IOHandler`. npde ships {@link memoryStore}, {@link browserStore}
 * (IndexedDB, localStorage, downloads) and, in Node, `fileStore(dir)` from
 * `@npde/core/node`; anything with these two methods works with `saveModel` and
 * `loadModel`.
 *
 * @example
 * ```ts
 * const kv = new Map<string, ModelArtifacts>();
 * const myStore: ModelStore = {
 *   describe: 'kv://a',
 *   async save(artifacts) { kv.set('a', artifacts); },
 *   async load() { return kv.get('a')!; },
 * };
 * await saveModel(model, myStore);
 * ```
 */
export interface ModelStore {
  /** Store the artifacts (replacing what was stored before). */
  save(artifacts: ModelArtifacts): Promise<void>;
  /** Read back what {@link ModelStore.save} stored. */
  load(): Promise<ModelArtifacts>;
  /** Where this store keeps the model, for messages (`out/model`, `indexeddb://m`). */
  readonly describe?: string;
}

/**
 * Turns a location string into a {@link ModelStore}, or returns `undefined`
 * when the location is not its kind (like tf.io's save and load routers).
 */
export type ModelStoreRouter = (location: string) => ModelStore | undefined;

/** Schemes the built-in routers handle (the file router of `@npde/core/node` handles plain paths and `file://`). */
export const MODEL_STORE_SCHEMES = ['memory://', 'indexeddb://', 'localstorage://', 'downloads://'] as const;

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
const ROUTERS_KEY = Symbol.for('@npde/core/model-store-routers');

/** The router list, shared through a global symbol so two copies of `@npde/core` see the same routers. */
function routers(): ModelStoreRouter[] {
  const g = globalThis as unknown as Record<symbol, ModelStoreRouter[] | undefined>;
  return (g[ROUTERS_KEY] ??= []);
}

/**
 * Register a router that `saveModel` / `loadModel` consult for location
 * strings (after the built-in schemes). Registering the same function twice is
 * a no-op. `@npde/core/node` registers the file router this way.
 *
 * @example
 * ```ts
 * registerModelStoreRouter((location) => (location.startsWith('kv://') ? kvStore(location.slice(5)) : undefined));
 * ```
 */
export function registerModelStoreRouter(router: ModelStoreRouter): void {
  const list = routers();
  if (!list.includes(router)) list.push(router);
}

/** The routers registered with {@link registerModelStoreRouter}, in order. */
export function modelStoreRouters(): readonly ModelStoreRouter[] {
  return [...routers()];
}

/** Whether `x` looks like a {@link ModelStore} (has `save` and `load` functions). */
export function isModelStore(x: unknown): x is ModelStore {
  const s = x as Partial<ModelStore> | null;
  return typeof s === 'object' && s !== null && typeof s.save === 'function' && typeof s.load === 'function';
}

/**
 * A location for `saveModel` / `loadModel`: a {@link ModelStore}, or a string:
 * `memory://name`, `indexeddb://name`, `localstorage://name`, `downloads://name`
 * (save only), or, with a router registered (Node: `import '@npde/core/node'`),
 * a directory path.
 */
export type ModelLocation = ModelStore | string;

/** The built-in router: `memory://` and tf.io's browser schemes. */
function builtInStore(location: string): ModelStore | undefined {
  const lower = location.toLowerCase();
  if (lower.startsWith('memory://')) return memoryStore(location.slice('memory://'.length));
  if (lower.startsWith('indexeddb://') || lower.startsWith('localstorage://') || lower.startsWith('downloads://')) return browserStore(location);
  return undefined;
}

/**
 * The {@link ModelStore} that a location names: a store as it is; `memory://`,
 * `indexeddb://`, `localstorage://` and `downloads://` strings go to the
 * built-in stores; anything else to the routers registered with
 * {@link registerModelStoreRouter} (in Node, `@npde/core/node` adds the file
 * router for directory paths and `file://` URLs).
 *
 * @throws {@link UnknownModelStoreError} (`NPDE_UNKNOWN_MODEL_STORE`) when nothing
 *   handles the location, with a hint (an unknown scheme gets "did you mean").
 *
 * @example
 * ```ts
 * modelStore('memory://a').describe; // 'memory://a'
 * modelStore('out/model');           // Node with '@npde/core/node' imported: fileStore('out/model')
 * ```
 */
export function modelStore(location: ModelLocation): ModelStore {
  if (isModelStore(location)) return location;
  if (typeof location !== 'string' || location.length === 0) {
    throw new UnknownModelStoreError('a model location must be a ModelStore or a non-empty string', {
      path: 'location',
      expected: `a ModelStore ({ save, load }), a directory path (Node) or one of ${MODEL_STORE_SCHEMES.join(', ')}`,
      received: typeof location === 'string' ? '""' : typeof location,
    });
  }
  const store = builtInStore(location) ?? routers().reduce<ModelStore | undefined>((found, r) => found ?? r(location), undefined);
  if (store) return store;
  const scheme = SCHEME.exec(location)?.[0];
  if (scheme !== undefined) {
    const known = [...MODEL_STORE_SCHEMES, 'file://'];
    const near = closest(scheme.toLowerCase(), known);
    const suggestions = distance(near, scheme.toLowerCase()) <= 3 ? [near] : [];
    throw new UnknownModelStoreError(`no model store handles the scheme '${scheme}'`, {
      path: location,
      expected: `one of ${MODEL_STORE_SCHEMES.join(', ')} (file:// and plain paths with '@npde/core/node'), or a scheme given to registerModelStoreRouter`,
      received: scheme,
      hint: suggestions.length ? `Did you mean '${suggestions[0]}'?` : 'Pass a ModelStore object, or register a router for this scheme with registerModelStoreRouter().',
      suggestions,
    });
  }
  throw new UnknownModelStoreError('a plain path needs the file store, which is not registered', {
    path: location,
    expected: `a registered file router (Node), or a location with a scheme: ${MODEL_STORE_SCHEMES.join(', ')}`,
    received: 'a path with no scheme',
    hint: "In Node, import '@npde/core/node' once (importing 'npde' does it for you) or pass fileStore(dir); in a browser use indexeddb://name or localstorage://name.",
  });
}
