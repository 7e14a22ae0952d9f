/**
 * `@npde/optimizers`: training methods — steepest descent (with optional
 * momentum) and Adam with a decaying learning rate. This entry is pure; import
 * `@npde/optimizers/register` to add them to the global registry.
 *
 * @packageDocumentation
 */
import type { Optimizer } from '@npde/core';
import { adam } from './adam.js';
import { sgd } from './sgd.js';

export { adam, sgd };
export { AdamOptionsSchema, type AdamOptions } from './adam.js';
export { SgdOptionsSchema, type SgdOptions } from './sgd.js';

/**
 * Every optimizer of this package, for `registry.register(plugins)`.
 *
 * @example
 * ```ts
 * import { Registry } from '@npde/core';
 * import { plugins } from '@npde/optimizers';
 * const registry = new Registry().register(plugins);
 * ```
 */
export const plugins: readonly Optimizer[] = [sgd, adam];
