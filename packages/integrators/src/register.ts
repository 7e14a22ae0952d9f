/**
 * Side-effect entry: registers every integrator of `@npde/integrators` in
 * `globalRegistry()`. Registering twice is a no-op.
 *
 * @example
 * ```ts
 * import '@npde/integrators/register';
 * ```
 *
 * @packageDocumentation
 */
import { globalRegistry } from '@npde/core';
import { plugins } from './index.js';

globalRegistry().register(plugins);
