/**
 * Side-effect entry: registers every built-in plugin into the global registry.
 *
 * @example
 * ```ts
 * import 'npde/register';
 * ```
 *
 * @packageDocumentation
 */
import { defaultRegistry } from './index.js';

defaultRegistry();
