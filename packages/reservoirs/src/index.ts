/**
 * `@npde/reservoirs`: normalization reservoirs (theory §3) — nothing, a soft
 * damping term, or a hard projection onto the unit sphere. This entry is pure;
 * import `@npde/reservoirs/register` to add them to the global registry.
 *
 * @packageDocumentation
 */
import type { Reservoir } from '@npde/core';
import { hard } from './hard.js';
import { none } from './none.js';
import { soft } from './soft.js';

export { hard, none, soft };
export { SoftReservoirOptionsSchema, type SoftReservoirOptions } from './soft.js';

/**
 * Every reservoir of this package, for `registry.register(plugins)`.
 *
 * @example
 * ```ts
 * import { Registry } from '@npde/core';
 * import { plugins } from '@npde/reservoirs';
 * const registry = new Registry().register(plugins);
 * ```
 */
export const plugins: readonly Reservoir[] = [none, soft, hard];
