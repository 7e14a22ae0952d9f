/**
 * Side-effect entry: registers {@link index!wasmBackend | wasmBackend} into `globalRegistry()`.
 *
 * @example
 * ```ts
 * import '@npde/backend-wasm/register';
 * await globalRegistry().ready(); // wasm first (priority 20)
 * ```
 *
 * @packageDocumentation
 */
import { globalRegistry } from '@npde/core';
import { plugins } from './index.js';

globalRegistry().register(plugins);
