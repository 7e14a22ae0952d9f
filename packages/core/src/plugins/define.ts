import type { Activation, Backend, Integrator, KernelFamily, Optimizer, Reservoir, Stage } from './types.js';

/** A plugin definition as its author writes it: the plugin interface without `kind`, which the helper sets. */
type Def<P> = Omit<P, 'kind'>;

/**
 * What a plugin id must look like: `<npm package>/<name>`, optionally with a
 * subpath between them (`@npde/kernels/adr`, `my-pkg/my-kernel`,
 * `@npde/core/testing/tanh`).
 */
export const PLUGIN_ID_PATTERN = /^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*(\/[a-z0-9][\w.-]*)+$/i;

function freeze<P extends object>(p: P): Readonly<P> {
  return Object.freeze(p);
}

/**
 * Define a kernel family. Identity helper for type inference; returns a frozen plain object.
 *
 * @param def - Every member of {@link KernelFamily} but `kind`.
 *
 * @example
 * ```ts
 * export const myKernel = defineKernelFamily({
 *   id: 'my-package/my-kernel', description: 'W = a·I',
 *   options: v.object({ a: v.optional(v.number(), 1) }),
 *   create: ({ field, options }) => ({ ... }),
 * });
 * ```
 */
export function defineKernelFamily<O>(def: Def<KernelFamily<O>>): KernelFamily<O> {
  return freeze({ kind: 'kernel', ...def } as KernelFamily<O>);
}

/**
 * Define an activation f.
 *
 * @param def - Every member of {@link Activation} but `kind`.
 */
export function defineActivation<O>(def: Def<Activation<O>>): Activation<O> {
  return freeze({ kind: 'activation', ...def } as Activation<O>);
}

/**
 * Define an integrator (time-stepping scheme).
 *
 * @param def - Every member of {@link Integrator} but `kind`.
 */
export function defineIntegrator<O>(def: Def<Integrator<O>>): Integrator<O> {
  return freeze({ kind: 'integrator', ...def } as Integrator<O>);
}

/**
 * Define a normalization reservoir.
 *
 * @param def - Every member of {@link Reservoir} but `kind`.
 */
export function defineReservoir<O>(def: Def<Reservoir<O>>): Reservoir<O> {
  return freeze({ kind: 'reservoir', ...def } as Reservoir<O>);
}

/**
 * Define an optimizer.
 *
 * @param def - Every member of {@link Optimizer} but `kind`.
 */
export function defineOptimizer<O>(def: Def<Optimizer<O>>): Optimizer<O> {
  return freeze({ kind: 'optimizer', ...def } as Optimizer<O>);
}

/**
 * Define a tensor backend adapter.
 *
 * @param def - Every member of {@link Backend} but `kind`.
 */
export function defineBackend<O>(def: Def<Backend<O>>): Backend<O> {
  return freeze({ kind: 'backend', ...def } as Backend<O>);
}

/**
 * Define a model stage (a step of a composite model that may change the
 * field's shape: a pde block, channel mixing, pooling, a readout, ...).
 *
 * @param def - Every member of {@link Stage} but `kind`.
 *
 * @example
 * ```ts
 * export const scale = defineStage({
 *   id: 'my-package/scale', description: 'multiplies the field by a fixed factor',
 *   options: v.strictObject({ factor: v.number() }),
 *   create: ({ input, options }) => ({
 *     output: input, params: {},
 *     forward: (x) => tf.mul(x, options.factor),
 *     dispose: () => {},
 *   }),
 * });
 * ```
 */
export function defineStage<O>(def: Def<Stage<O>>): Stage<O> {
  return freeze({ kind: 'stage', ...def } as Stage<O>);
}
