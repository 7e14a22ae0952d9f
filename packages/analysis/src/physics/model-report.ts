import type { FieldInfo, ModelView, PdeBlockView } from '@npde/core';
import { activationSlope, blockMoments, denseMatrix, type MomentsOptions } from '../moments/model-moments.js';
import type { MomentConvention } from '../moments/matrix-moments.js';
import { layerPhysics, type LayerPhysics } from './layer-physics.js';

/** One layer of a block read as physics. */
export interface LayerReport {
  /** Step index within the block. */
  readonly layer: number;
  /** Where the moments came from. */
  readonly source: 'kernel' | 'dense';
  /** Offset convention of `dense` moments. */
  readonly convention?: MomentConvention;
  /** The window of `dense` moments, when one was set ({@link MomentsOptions.maxOffset}). */
  readonly maxOffset?: number;
  /** The channel-blind reading (the only one with one real channel). */
  readonly physics: LayerPhysics;
  /** One reading per `[out, in]` channel pair, when the field has several real channels. */
  readonly pairs: readonly LayerPhysics[];
}

/** A named profile a kernel reports itself (its `physics()`), per layer and site. */
export interface KernelQuantity {
  /** Symbol, e.g. `U`. */
  readonly name: string;
  /** What it is. */
  readonly description: string;
  /** `values[layer][site]`. */
  readonly values: readonly (readonly number[])[];
}

/** One relaxation block of a model read as physics. */
export interface BlockReport {
  /** Index of the stage holding the block. */
  readonly stageIndex: number;
  /** The stage's name. */
  readonly stage: string;
  /** The kernel plugin's id. */
  readonly kernel: string;
  /** The activation plugin's id. */
  readonly activation: string;
  /** The field the block evolves. */
  readonly field: FieldInfo;
  /** ω of the block. */
  readonly omega: number;
  /** The activation's slope at 0 (the linearization the stability reading uses). */
  readonly slope: number;
  /** The kernel's own physical profiles (e.g. the ADR kernel's U, D, R), if it reports any. */
  readonly quantities: readonly KernelQuantity[];
  /** One reading per layer. */
  readonly layers: readonly LayerReport[];
}

/** A model read as physics: one report per relaxation block. */
export interface PhysicsReport {
  /** Largest moment order used. */
  readonly order: number;
  /** The blocks, in stage order. */
  readonly blocks: readonly BlockReport[];
}

/** Options of {@link physicsReport}: those of {@link moments}, and the spectral-radius limit. */
export interface PhysicsReportOptions extends MomentsOptions {
  /** Largest W whose spectral radius is computed (default 512). */
  readonly maxSpectralSize?: number;
}

/** Read one block's layers as physics; see {@link physicsReport}. */
export function blockReport(block: PdeBlockView, stage: { index: number; name: string }, options: PhysicsReportOptions = {}): BlockReport {
  const omega = block.omega();
  const slope = activationSlope(block);
  const layers = blockMoments(block, options).map((lm): LayerReport => {
    const C = block.field.realChannels;
    const matrix = C === 1 ? denseMatrix(block, lm.layer, Math.min(options.maxDenseSize ?? 4096, 4096)) : undefined;
    // the stability symbol's offsets: those of dense moments; for a kernel's closed form, ring offsets
    // (right for a periodic stencil, the same as open ones for a stencil without couplings across the seam)
    const convention = lm.convention ?? options.convention ?? (lm.source === 'kernel' ? 'periodic' : 'open');
    const common = { omega, slope, convention, maxSpectralSize: options.maxSpectralSize, ...(matrix ? { matrix, geometry: block.field } : {}) };
    const pairs: LayerPhysics[] = [];
    if (C > 1) for (let o = 0; o < C; o++) for (let c = 0; c < C; c++) pairs.push(layerPhysics(lm.moments, { ...common, channels: [o, c] }));
    return { layer: lm.layer, source: lm.source, ...(lm.convention ? { convention: lm.convention } : {}), ...(lm.maxOffset !== undefined ? { maxOffset: lm.maxOffset } : {}), physics: layerPhysics(lm.moments, common), pairs };
  });
  const quantities = (block.kernel.physics?.() ?? []).map((q) => ({ name: q.name, description: q.description, values: q.values.map((r) => [...r]) }));
  return {
    stageIndex: stage.index,
    stage: stage.name,
    kernel: block.pluginIds.kernel,
    activation: block.pluginIds.activation,
    field: block.field,
    omega,
    slope,
    quantities,
    layers,
  };
}

/**
 * Read every relaxation block of a model as physics (theory §2, §6): per
 * layer, the amplitude / reaction (W0), the advection vector (first moments),
 * the diffusion tensor (second), dispersion (third) and hyper-diffusion
 * (fourth) profiles, with the sign reading (smoothing or anti-smoothing) and,
 * where W is small enough to materialize, the stability of the explicit step.
 * Plain data: serialize it with `JSON.stringify`, print it with
 * {@link formatPhysicsReport}, plot it with {@link reportPlots}.
 *
 * @example
 * ```ts
 * const report = physicsReport(model, { order: 4, convention: 'periodic' });
 * report.blocks[0].layers[0].physics.diffusion[0][0]; // D(q) of layer 0
 * ```
 */
export function physicsReport(model: ModelView, options: PhysicsReportOptions = {}): PhysicsReport {
  const blocks: BlockReport[] = [];
  model.stages.forEach((s, i) => {
    if (s.instance.pde) blocks.push(blockReport(s.instance.pde, { index: i, name: s.name }, options));
  });
  return { order: options.order ?? 4, blocks };
}
