/**
 * Side-effect entry: registers {@link index!cudaBackend | cudaBackend} into `globalRegistry()`.
 * Registering is cheap and safe on machines without a GPU: nothing is loaded
 * until the backend is asked for.
 *
 * @example
 * ```ts
 * import '@npde/backend-cuda/register';
 * await globalRegistry().ready({ backend: ['tensorflow', 'wasm'] });
 * ```
 *
 * @packageDocumentation
 */
import { globalRegistry } from '@npde/core';
import { plugins } from './index.js';

globalRegistry().register(plugins);
