/**
 * `npde`: the batteries-included entry point. Re-exports everything from
 * `@npde/core` and every built-in plugin package, and provides a registry
 * pre-loaded with all built-in plugins and backends.
 *
 * `@npde/core` may not depend on concrete plugins, so this package is where
 * they meet.
 *
 * @example
 * ```ts
 * import { createDefaultRegistry, NeuralPde, Trainer } from 'npde';
 * const registry = createDefaultRegistry();
 * await registry.ready();                      // the WASM backend by default
 * const model = NeuralPde.create(spec, { registry });
 * ```
 *
 * @packageDocumentation
 */
import { Registry, cpuBackend, globalRegistry, type AnyPlugin } from '@npde/core';
import * as kernels from '@npde/kernels';
import * as activations from '@npde/activations';
import * as integrators from '@npde/integrators';
import * as reservoirs from '@npde/reservoirs';
import * as optimizers from '@npde/optimizers';
import * as backendWasm from '@npde/backend-wasm';
import * as backendCuda from '@npde/backend-cuda';

export * from '@npde/core';
export { kernels, activations, integrators, reservoirs, optimizers, backendWasm, backendCuda };

/** Every plugin and backend that ships with npde. */
export const builtinPlugins: readonly AnyPlugin[] = [
  ...kernels.plugins,
  ...activations.plugins,
  ...integrators.plugins,
  ...reservoirs.plugins,
  ...optimizers.plugins,
  cpuBackend,
  ...backendWasm.plugins,
  ...backendCuda.plugins,
];

/** A new {@link Registry} holding every built-in plugin (WASM, CUDA and CPU backends included). */
export function createDefaultRegistry(): Registry {
  return new Registry().register(builtinPlugins);
}

/** The process-wide registry ({@link globalRegistry}) with every built-in plugin registered (idempotent). */
export function defaultRegistry(): Registry {
  return globalRegistry().register(builtinPlugins);
}
