/**
 * Side-effect entry: registers every reservoir of `@npde/reservoirs` in
 * `globalRegistry()`. Registering twice is a no-op.
 *
 * @example
 * ```ts
 * import '@npde/reservoirs/register';
 * ```
 *
 * @packageDocumentation
 */
import { globalRegistry } from '@npde/core';
import { plugins } from './index.js';

globalRegistry().register(plugins);
