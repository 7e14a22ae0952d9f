/**
 * `@npde/integrators`: time-stepping schemes for the relaxation dynamics
 * dz/dt = −γ (z − f(W z − b)) + reservoir term. This entry is pure; import
 * `@npde/integrators/register` to add them to the global registry.
 *
 * @packageDocumentation
 */
import type { Integrator } from '@npde/core';
import { euler } from './euler.js';

export { euler };

/**
 * Every integrator of this package, for `registry.register(plugins)`.
 *
 * @example
 * ```ts
 * import { Registry } from '@npde/core';
 * import { plugins } from '@npde/integrators';
 * const registry = new Registry().register(plugins);
 * ```
 */
export const plugins: readonly Integrator[] = [euler];
