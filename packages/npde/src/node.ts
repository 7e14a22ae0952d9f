/**
 * `npde` as Node sees it (the `node` condition of the package's `exports`):
 * everything of the browser-safe entry, plus `@npde/core/node` loaded for its
 * side effect, so `saveModel(model, 'out/dir')` and `loadModel('out/dir')` read
 * and write model directories. Browsers and bundles get `./index.ts`, which
 * never imports a `node:` module.
 *
 * @example
 * ```ts
 * import { saveModel } from 'npde'; // in Node: this entry
 * await saveModel(model, 'out/model');
 * ```
 *
 * @packageDocumentation
 */
import '@npde/core/node';

export * from './index.js';
