/**
 * Side-effect entry: registers every kernel family of `@npde/kernels` into
 * the global registry of `@npde/core`, then re-exports the pure entry.
 *
 * @example
 * ```ts
 * import '@npde/kernels/register';
 * globalRegistry().get('kernel', '@npde/kernels/adr');
 * ```
 *
 * @packageDocumentation
 */
import { globalRegistry } from '@npde/core';
import { plugins } from './index.js';

globalRegistry().register(plugins);

export * from './index.js';
