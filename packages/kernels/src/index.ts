/**
 * `@npde/kernels`: the built-in kernel families of npde, i.e. the ways of
 * parameterizing the weight kernel W of the relaxation dynamics:
 * {@link dense} (a full matrix, an MLP) and {@link adr} (the 1-D
 * advection–diffusion–reaction stencil of theory §6), plus plain helpers to
 * read kernels as physics.
 *
 * This entry is pure; import `@npde/kernels/register` to add {@link plugins}
 * to the global registry.
 *
 * @packageDocumentation
 */
import { adr } from './adr/adr.js';
import { dense } from './dense/dense.js';

export { adr } from './adr/adr.js';
export { ADR_FAMILIES, AdrOptionsSchema, type AdrBoundary, type AdrFamily, type AdrOptions, type AdrOptionsInput } from './adr/options.js';
export { adrToTaps, tapMoments, tapsToAdr, type AdrCoefficients, type StencilTaps } from './adr/taps.js';
export { dense } from './dense/dense.js';
export { DenseOptionsSchema, type DenseOptions, type DenseOptionsInput } from './dense/options.js';
export { kernelMomentsFromDense, momentsFromDense, siteCoordinates, type MomentGeometry } from './moments/dense-moments.js';

/** Every kernel family of this package, for `registry.register(plugins)`. */
export const plugins = [dense, adr] as const;
