/**
 * The fused multi-channel 2-D stencil-relaxation op (per-channel 5/9-point stencils,
 * channel mixing, activation, ω-mix; see `docs/design/stencil-relax.md`, section
 * "Multi-channel 2-D step"): its public part. Kernel names and attrs for backend
 * packages are in `@npde/core/internal`.
 *
 * @module
 */
export { validateChannelStencilConfig, validateChannelStencilInputs, type ChannelStencilConfig } from './config.js';
export { channelStencilRelaxReference } from './reference.js';
export { channelStencilPath, channelStencilRelax, hasFusedChannelStencil, type ChannelStencilPathInfo } from './channel-stencil.js';
