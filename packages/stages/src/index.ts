/**
 * `@npde/stages`: the built-in stages a composite model is made of. This
 * entry is pure; import `@npde/stages/register` to add them to the global
 * registry.
 *
 * @packageDocumentation
 */
import type { Stage } from '@npde/core';
import { pde } from './pde/pde.js';

export { pde };

/**
 * Every stage of this package, for `registry.register(plugins)`.
 *
 * @example
 * ```ts
 * import { Registry } from '@npde/core';
 * import { plugins } from '@npde/stages';
 * const registry = new Registry().register(plugins).setDefault('stage', '@npde/stages/pde');
 * ```
 */
export const plugins: readonly Stage[] = [pde];
