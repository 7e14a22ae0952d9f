/**
 * `@npde/analysis`: reading trained layers as physics (theory §2, §6) — the
 * moments of every PDE stage's kernel, physical reports (reaction, advection,
 * diffusion, dispersion, hyper-diffusion, with their sign reading and
 * stability) as data, text and SVG, foreign TensorFlow.js Layers models
 * (Dense and convolution kernels), and attractors (fixed points, depth advice).
 * Browser-safe: no file access (the `npde inspect` command reads files).
 *
 * @packageDocumentation
 */
export { matrixMoments, assembleMoments, axisOffset, siteCoordinates, type MatrixGeometry, type MomentConvention } from './moments/matrix-moments.js';
export { moments, blockMoments, denseMatrix, activationSlope, type MomentsOptions, type LayerMoments, type BlockMoments } from './moments/model-moments.js';
export {
  layerPhysics,
  stencilAmplification,
  type LayerPhysics,
  type LayerPhysicsOptions,
  type GeneratorTerm,
  type SmoothingReading,
  type StencilTap,
} from './physics/layer-physics.js';
export { physicsReport, blockReport, type PhysicsReport, type PhysicsReportOptions, type BlockReport, type LayerReport, type KernelQuantity } from './physics/model-report.js';
export { formatPhysicsReport, formatBlockReport, physicsRows, textTable, formatNumber } from './physics/format.js';
export { linePlotSvg, heatmapSvg, type LineSeries } from './plots/svg.js';
export { reportPlots, foreignPlots, physicsProfiles, type ReportPlot, type PhysicsProfile } from './plots/report-plots.js';
export {
  readTfjsLayersModel,
  type TfjsWeightData,
  type ForeignModel,
  type ForeignLayer,
  type ForeignDenseLayer,
  type ForeignConvLayer,
  type ForeignOtherLayer,
} from './foreign/tfjs-layers.js';
export { formatForeignReport } from './foreign/format-foreign.js';
export { foreignReport, foreignFixedPoint, denseToMatrix, convTaps, type ForeignReport, type ForeignLayerReport, type ForeignReportOptions } from './foreign/foreign-report.js';
export { fixedPoint, layerFixedPoint, type FixedPointOptions, type FixedPointResult, type LayerMap } from './attractor/fixed-point.js';
export { blockFixedPoint, depthProfile, stageBias, type DepthProfile, type DepthProfileOptions } from './attractor/model-attractors.js';
