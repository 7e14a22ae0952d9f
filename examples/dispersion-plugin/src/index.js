/**
 * `@acme/npde-dispersion`: a third-party npde plugin package. This entry is
 * pure: it exports the plugins; `@acme/npde-dispersion/register` adds them to
 * npde's global registry as a side effect.
 *
 * @module
 */
import { hyper } from './hyper.js';

export { hyper, hyperTaps, HyperOptionsSchema, HYPER_ID, OFFSETS } from './hyper.js';

/**
 * Every plugin of this package, for `registry.register(plugins)` (and what
 * `npde … --plugin @acme/npde-dispersion` registers).
 *
 * @type {readonly import('@npde/core').AnyPlugin[]}
 */
export const plugins = Object.freeze([hyper]);
