/**
 * The fused stencil-relaxation op `z' = (1 − ω) z + ω f(W z − b)` with a banded W
 * (see `docs/design/stencil-relax.md`): its public part. What backend packages
 * need to implement it (kernel names and attrs, neighbour tables, the gradient
 * config, the activation table's codes, path reporting) is in `@npde/core/internal`.
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
export { isStencilActivation } from './activations.js';
export { stencilRelaxReference } from './reference.js';
export { stencilRelaxPath, type StencilRelaxMode, type StencilRelaxPathInfo } from './path.js';
export { stencilRelax } from './stencil-relax.js';
export { hasFusedStencilTrajectory, stencilRelaxTrajectory } from './trajectory.js';
export { fusionBlocker, fusedRelaxStep, type RelaxationParts } from './fusion.js';
