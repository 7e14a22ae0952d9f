/**
 * `npde`: the batteries-included entry point. Re-exports everything from
 * `@npde/core` and every built-in plugin package, and provides a registry
 * pre-loaded with all built-in plugins and backends.
 *
 * `@npde/core` may not depend on concrete plugins, so this package is where
 * they meet.
 *
 * This entry is browser-safe (what bundlers and browsers get). Node gets
 * `./node.ts` instead (the `node` condition of the package's `exports`): the
 * same exports, with `@npde/core/node` loaded so `saveModel(model, 'out/dir')`
 * writes model directories.
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
import { Registry, globalRegistry, type AnyPlugin } from '@npde/core';
import * as kernels from '@npde/kernels';
import * as activations from '@npde/activations';
import * as integrators from '@npde/integrators';
import * as reservoirs from '@npde/reservoirs';
import * as optimizers from '@npde/optimizers';
import * as stages from '@npde/stages';
import * as backendCpu from '@npde/backend-cpu';
import * as backendWasm from '@npde/backend-wasm';
import * as backendCuda from '@npde/backend-cuda';

export * from '@npde/core';
export { kernels, activations, integrators, reservoirs, optimizers, stages, backendCpu, backendWasm, backendCuda };
/** tfjs's `cpu` backend as an npde backend plugin (from `@npde/backend-cpu`). */
export { cpuBackend } from '@npde/backend-cpu';

/** Every plugin and backend that ships with npde. */
export const builtinPlugins: readonly AnyPlugin[] = [
  ...kernels.plugins,
  ...activations.plugins,
  ...integrators.plugins,
  ...reservoirs.plugins,
  ...optimizers.plugins,
  ...stages.plugins,
  ...backendCpu.plugins,
  ...backendWasm.plugins,
  ...backendCuda.plugins,
];

/**
 * The defaults npde's registries use where a spec leaves a part out: the Euler
 * integrator, no reservoir, and the `pde` stage for a one-block model spec.
 */
export const builtinDefaults: Readonly<Partial<Record<'integrator' | 'reservoir' | 'stage', string>>> = Object.freeze({
  integrator: integrators.euler.id,
  reservoir: reservoirs.none.id,
  stage: stages.pde.id,
});

function withDefaults(registry: Registry): Registry {
  for (const [kind, id] of Object.entries(builtinDefaults)) registry.setDefault(kind as 'stage', id);
  return registry;
}

/** A new {@link Registry} holding every built-in plugin (WASM, CUDA and CPU backends included) and {@link builtinDefaults}. */
export function createDefaultRegistry(): Registry {
  return withDefaults(new Registry().register(builtinPlugins));
}

/** The process-wide registry ({@link globalRegistry}) with every built-in plugin and {@link builtinDefaults} (idempotent). */
export function defaultRegistry(): Registry {
  return withDefaults(globalRegistry().register(builtinPlugins));
}
