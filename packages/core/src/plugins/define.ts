import type { Activation, Backend, Integrator, KernelFamily, Optimizer, Reservoir } from './types.js';

type Def<P> = Omit<P, 'kind'>;

function freeze<P extends object>(p: P): Readonly<P> {
  return Object.freeze(p);
}

/**
 * Define a kernel family. Identity helper for type inference; returns a frozen plain object.
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

/** Define an activation f. */
export function defineActivation<O>(def: Def<Activation<O>>): Activation<O> {
  return freeze({ kind: 'activation', ...def } as Activation<O>);
}

/** Define an integrator (time-stepping scheme). */
export function defineIntegrator<O>(def: Def<Integrator<O>>): Integrator<O> {
  return freeze({ kind: 'integrator', ...def } as Integrator<O>);
}

/** Define a normalization reservoir. */
export function defineReservoir<O>(def: Def<Reservoir<O>>): Reservoir<O> {
  return freeze({ kind: 'reservoir', ...def } as Reservoir<O>);
}

/** Define an optimizer. */
export function defineOptimizer<O>(def: Def<Optimizer<O>>): Optimizer<O> {
  return freeze({ kind: 'optimizer', ...def } as Optimizer<O>);
}

/** Define a tensor backend adapter. */
export function defineBackend<O>(def: Def<Backend<O>>): Backend<O> {
  return freeze({ kind: 'backend', ...def } as Backend<O>);
}
