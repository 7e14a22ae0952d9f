/**
 * Shared machinery of the stencil kernel families on regular grids of 1–3
 * axes with C channels: footprints, shifts with `zero` / `periodic` /
 * `reflecting` boundaries (slice + concat/pad, no conv), applying homogeneous
 * or per-site taps, exact multi-index moments of a tap set, the dense W, and
 * the bridge to core's fused stencil op.
 *
 * @module
 */
export { applyTaps, isPerSite, siteTaps, tapShape, TAP_CHANNELS, type TapChannels, type TapStencil } from './apply.js';
export { MAX_DENSE_ENTRIES, tapsToDense } from './dense.js';
export { footprint, FOOTPRINT_SHAPES, fusedBoundary, fusedGeometry, type FootprintShape, type GridOffset } from './footprint.js';
export {
  axisSource,
  GRID_BOUNDARIES,
  gridLayout,
  gridSites,
  neighbourSite,
  siteToIndex,
  type GridBoundary,
  type GridLayout,
  type GridRequirements,
} from './grid.js';
export { offsetMoments, tapKernelMoments, type OffsetMoment } from './moments.js';
export { fromGrid, shiftAxis, shiftField, shiftGrid, toGrid } from './shift.js';
export { createTapKernel, type TapKernelSpec } from './tap-kernel.js';
export { boundedFootprint } from './tap-count.js';
