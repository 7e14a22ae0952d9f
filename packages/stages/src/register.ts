/**
 * Side-effect entry: registers every stage of `@npde/stages` in
 * `globalRegistry()`. Registering twice is a no-op.
 *
 * @example
 * ```ts
 * import '@npde/stages/register';
 * ```
 *
 * @packageDocumentation
 */
import { globalRegistry } from '@npde/core';
import { plugins } from './index.js';

globalRegistry().register(plugins);
