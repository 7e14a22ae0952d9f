/**
 * Side-effect entry: registers every optimizer of `@npde/optimizers` in
 * `globalRegistry()`. Registering twice is a no-op.
 *
 * @example
 * ```ts
 * import '@npde/optimizers/register';
 * ```
 *
 * @packageDocumentation
 */
import { globalRegistry } from '@npde/core';
import { plugins } from './index.js';

globalRegistry().register(plugins);
