/**
 * Side-effect entry: registers {@link index!cpuBackend | cpuBackend} into `globalRegistry()`.
 *
 * @example
 * ```ts
 * import '@npde/backend-cpu/register';
 * await globalRegistry().ready({ backend: 'cpu' });
 * ```
 *
 * @packageDocumentation
 */
import { globalRegistry } from '@npde/core';
import { plugins } from './index.js';

globalRegistry().register(plugins);
