/**
 * Side-effect entry: registers every plugin of `@acme/npde-dispersion` in
 * npde's `globalRegistry()`. Registering twice is a no-op.
 *
 * @module
 */
import { globalRegistry } from '@npde/core';
import { plugins } from './index.js';

globalRegistry().register(plugins);
