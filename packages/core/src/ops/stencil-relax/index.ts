/**
 * The fused stencil-relaxation op `z' = (1 − ω) z + ω f(W z − b)` with a banded W
 * (see `docs/design/stencil-relax.md`).
 *
 * @module
 */
export {
  STENCIL_ACTIVATIONS,
  STENCIL_BOUNDARIES,
  STENCIL_OFFSETS_1D,
  STENCIL_OFFSETS_2D,
  gridShape,
  siteCount,
  stencilOffsets,
  tapCount,
  validateStencilRelaxConfig,
  validateStencilRelaxInputs,
  type StencilActivation,
  type StencilBoundary,
  type StencilGeometry,
  type StencilOffset,
  type StencilRelaxConfig,
} from './config.js';
export { STENCIL_RELAX_GRAD_KERNEL, STENCIL_RELAX_KERNEL, geometryFromAttrs, stencilRelaxAttrs, type StencilRelaxAttrs } from './kernel-attrs.js';
export { stencilNeighbourTable } from './neighbours.js';
export { stencilRelaxReference } from './reference.js';
export { registerStencilRelaxGradient, stencilRelaxGradConfig } from './gradient.js';
export {
  registerStencilRelaxCpuKernels,
  stencilRelaxBackwardCpu,
  stencilRelaxCpuKernelConfig,
  stencilRelaxForwardCpu,
  stencilRelaxGradCpuKernelConfig,
  type StencilRelaxCpuArgs,
  type StencilRelaxCpuGrads,
} from './cpu-kernels.js';
export {
  clearFusedPathInfo,
  getFusedPathInfo,
  hasFusedStencilRelax,
  setFusedPathInfo,
  stencilRelaxPath,
  type FusedPathInfo,
  type FusedPathMode,
  type StencilRelaxMode,
  type StencilRelaxPathInfo,
} from './path.js';
export { stencilRelax } from './stencil-relax.js';
