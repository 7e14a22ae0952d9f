/**
 * `@npde/stages`: the built-in stages a composite model is made of, and the
 * presets {@link mlp}, {@link cnn} and {@link rnn} that assemble them into
 * Guo et al.'s architectures (ordinary composite model specs). This entry is
 * pure; import `@npde/stages/register` to add the stages to the global
 * registry.
 *
 * @packageDocumentation
 */
import type { Stage } from '@npde/core';
import { mix } from './mix/mix.js';
import { pde } from './pde/pde.js';
import { pool } from './pool/pool.js';
import { readout } from './readout/readout.js';
import { recurrent } from './recurrent/recurrent.js';

export { mix, pde, pool, readout, recurrent };
export * from './presets/index.js';

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
export const plugins: readonly Stage[] = [pde, mix, pool, readout, recurrent];
