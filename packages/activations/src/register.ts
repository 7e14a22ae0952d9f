/**
 * Side-effect entry: registers every activation of `@npde/activations` in
 * `globalRegistry()`. Registering twice is a no-op.
 *
 * @example
 * ```ts
 * import '@npde/activations/register';
 * ```
 *
 * @packageDocumentation
 */
import { globalRegistry } from '@npde/core';
import { plugins } from './index.js';

globalRegistry().register(plugins);
