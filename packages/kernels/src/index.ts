/**
 * `@npde/kernels`: the built-in kernel families of npde, i.e. the ways of
 * parameterizing the weight kernel W of the relaxation dynamics (theory §2, §5, §6):
 * {@link dense} (a full matrix, an MLP); {@link adr} (the advection–diffusion–reaction
 * stencil in 1–3 dimensions with channels); {@link convolution} (free homogeneous taps),
 * {@link gaussian} and {@link powerLaw} (taps from a few physical parameters);
 * {@link moments} (a stencil trained through its moments); {@link complex}
 * (Schrödinger and paraxial Helmholtz on two coupled real channels); {@link cluster}
 * (sparse, high-dimensional data) and {@link quadrature} (the quadrature-augmented
 * update). Plus the shared n-D stencil machinery (shifts with boundaries, taps,
 * exact moments) and helpers to read kernels as physics.
 *
 * This entry is pure; import `@npde/kernels/register` to add {@link plugins}
 * to the global registry.
 *
 * @packageDocumentation
 */
import { adr } from './adr/adr.js';
import { dense } from './dense/dense.js';
import { cluster } from './cluster/cluster.js';
import { complex } from './complex/complex.js';
import { quadrature } from './quadrature/quadrature.js';
import { moments } from './moments-family/moments-kernel.js';
import { convolution } from './convolution/convolution.js';
import { gaussian } from './gaussian/gaussian.js';
import { powerLaw } from './power-law/power-law.js';

export { adr } from './adr/adr.js';
export { ADR_DIFFUSIONS, ADR_FAMILIES, AdrOptionsSchema, type AdrBoundary, type AdrDiffusion, type AdrFamily, type AdrOptions, type AdrOptionsInput } from './adr/options.js';
export { adrToTaps, tapMoments, tapsToAdr, type AdrCoefficients, type StencilTaps } from './adr/taps.js';
export { dense } from './dense/dense.js';
export { DenseOptionsSchema, type DenseOptions, type DenseOptionsInput } from './dense/options.js';
export { kernelMomentsFromDense, momentsFromDense, siteCoordinates, type MomentGeometry } from './moments/dense-moments.js';
export { cluster, clusterMoments } from './cluster/cluster.js';
export { ClusterOptionsSchema, type ClusterOptions, type ClusterOptionsInput } from './cluster/options.js';
export { clusterVolumes, partitionPoints, type ClusterPartition } from './cluster/partition.js';
export { complex } from './complex/complex.js';
export { ComplexOptionsSchema, type ComplexOptions, type ComplexOptionsInput } from './complex/options.js';
export { quadrature } from './quadrature/quadrature.js';
export { moments } from './moments-family/moments-kernel.js';
export { MomentsKernelOptionsSchema, type MomentsKernelOptions, type MomentsKernelOptionsInput } from './moments-family/options.js';
export { momentMap, momentsToTaps, tapsToMoments, type MomentMap } from './moments-family/vandermonde.js';
export { adrGridStencil, type AdrGridStencil } from './adr/grid-stencil.js';
export { QuadratureOptionsSchema, type QuadratureOptions, type QuadratureOptionsInput } from './quadrature/options.js';
export {
  basisFunction,
  gaussLegendreCell,
  GAUSSIAN_TRUNCATION,
  quadratureTaps,
  type AxisTaps,
  type QuadratureBasis,
  type QuadratureOrder,
  type QuadratureRule,
} from './quadrature/rule.js';

export * from './stencil/index.js';
export { convolution } from './convolution/convolution.js';
export {
  CONVOLUTION_REACTIONS,
  ConvolutionOptionsSchema,
  MAX_TAP_RADIUS,
  MAX_TAPS,
  RadiusSchema,
  type ConvolutionOptions,
  type ConvolutionOptionsInput,
} from './convolution/options.js';
export { gaussian, gaussianMoments } from './gaussian/gaussian.js';
export { GaussianOptionsSchema, type GaussianOptions, type GaussianOptionsInput } from './gaussian/options.js';
export { powerLaw, powerLawDivergent, type PowerLawMoment, type PowerLawMoments } from './power-law/power-law.js';
export { PowerLawOptionsSchema, type PowerLawOptions, type PowerLawOptionsInput } from './power-law/options.js';

/** Every kernel family of this package, for `registry.register(plugins)`. */
export const plugins = [dense, adr, convolution, gaussian, powerLaw, moments, complex, cluster, quadrature] as const;
