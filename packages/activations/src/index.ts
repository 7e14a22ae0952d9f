/**
 * `@npde/activations`: the nonlinearities f of the relaxation dynamics
 * dz/dt = −γ (z − f(W z − b)). This entry is pure; import
 * `@npde/activations/register` to add them to the global registry.
 *
 * @packageDocumentation
 */
import type { Activation } from '@npde/core';
import { identity } from './identity.js';
import { relu } from './relu.js';
import { sigmoid } from './sigmoid.js';
import { softplus } from './softplus.js';
import { square } from './square.js';
import { tanh } from './tanh.js';

export { identity, relu, sigmoid, softplus, square, tanh };

/**
 * Every activation of this package, for `registry.register(plugins)`.
 *
 * @example
 * ```ts
 * import { Registry } from '@npde/core';
 * import { plugins } from '@npde/activations';
 * const registry = new Registry().register(plugins);
 * ```
 */
export const plugins: readonly Activation[] = [identity, tanh, relu, sigmoid, square, softplus];
