/**
 * `@npde/core/node`: the Node adapter of `@npde/core`. Importing it registers
 * the file router, so `saveModel(model, 'out/dir')` and `loadModel('out/dir')`
 * read and write model directories; it also exports {@link fileStore},
 * {@link readModelJson} and {@link writeFileAtomic}. Everything in `@npde/core`
 * itself is browser-safe; Node-only code lives here. The `npde` package's Node
 * entry imports it for you.
 *
 * @example
 * ```ts
 * import '@npde/core/node';
 * import { saveModel } from '@npde/core';
 * await saveModel(model, 'out/model');
 * ```
 *
 * @packageDocumentation
 */
import { registerModelStoreRouter } from '../io/model-store.js';
import { fileStoreRouter } from './file-store.js';

export { fileStore, fileStoreRouter, readModelJson, writeFileAtomic } from './file-store.js';
export { CHECKPOINT_JSON, fileCheckpointStore } from './checkpoint-store.js';

registerModelStoreRouter(fileStoreRouter);
