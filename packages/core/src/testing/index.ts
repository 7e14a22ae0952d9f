/**
 * `@npde/core/testing`: the conformance kit every plugin package runs against
 * its plugins (shape, gradients against finite differences, serialization
 * round trip, no leaked tensors, fusion claims: `stencil()` against `apply()`,
 * `stencilActivation` against `apply`, a fused block against its composition),
 * and the fused stencil-relaxation op's kernel contract for backend packages.
 * For tests only: no package's runtime code imports it. Framework-agnostic: each check throws a
 * {@link ConformanceError} on failure, so call it inside your test runner's `it`.
 *
 * @example
 * ```ts
 * import { checkKernelFamily } from '@npde/core/testing';
 * it('conforms', () => checkKernelFamily(myKernel, { field: { shape: [16] }, layers: 3 }));
 * ```
 *
 * @packageDocumentation
 */
export * from './conformance-error.js';
export * from './gradient-check.js';
export * from './leaks.js';
export * from './conformance.js';
export * from './fusion-check.js';
export * from './reference-plugins.js';
export * from './stencil-conformance.js';
export * from './channel-stencil-check.js';
