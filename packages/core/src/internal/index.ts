/**
 * `@npde/core/internal`: plumbing for backend packages (`@npde/backend-cpu`,
 * `@npde/backend-wasm`) and npde's own plugin packages — the fused
 * stencil-relaxation op's kernel names and attrs, neighbour tables, gradient
 * config, activation table and path reporting, and tensor workarounds.
 *
 * **No stability promise**: anything here may change or go in any release.
 * Applications and third-party plugins use `@npde/core`.
 *
 * @packageDocumentation
 */
export {
  FUSED_ACTIVATIONS,
  fusedActivation,
  type FusedActivationEntry,
} from '../ops/stencil-relax/activations.js';
export {
  STENCIL_RELAX_GRAD_KERNEL,
  STENCIL_RELAX_KERNEL,
  geometryFromAttrs,
  stencilRelaxAttrs,
  type StencilRelaxAttrs,
} from '../ops/stencil-relax/kernel-attrs.js';
export { stencilNeighbourTable } from '../ops/stencil-relax/neighbours.js';
export { registerStencilRelaxGradient, stencilRelaxGradConfig } from '../ops/stencil-relax/gradient.js';
export {
  clearFusedPathInfo,
  getFusedPathInfo,
  hasFusedStencilRelax,
  setFusedPathInfo,
  type FusedPathInfo,
  type FusedPathMode,
} from '../ops/stencil-relax/path.js';
export {
  STENCIL_TRAJECTORY_GRAD_KERNEL,
  STENCIL_TRAJECTORY_KERNEL,
  registerStencilTrajectoryGradient,
  stencilTrajectoryGradConfig,
  type StencilTrajectoryAttrs,
} from '../ops/stencil-relax/trajectory.js';
export { compareStencilTrajectory, type TrajectoryCheckOptions, type TrajectoryCheckResult, type TrajectoryQuantities } from '../ops/stencil-relax/trajectory-check.js';
export { matMulTransposedB } from '../tensor/mat-mul.js';
export { HOST_BACKENDS, onHostBackend } from '../tensor/host-backend.js';
export {
  CHANNEL_STENCIL_GRAD_KERNEL,
  CHANNEL_STENCIL_KERNEL,
  channelConfigFromAttrs,
  channelStencilAttrs,
  type ChannelStencilAttrs,
} from '../ops/channel-stencil/kernel-attrs.js';
export { channelStencilGradConfig, registerChannelStencilGradient } from '../ops/channel-stencil/gradient.js';
