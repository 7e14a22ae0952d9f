import { monomial, multiIndices, type KernelMoments } from '@npde/core';
import { layerFixedPoint, type FixedPointOptions, type FixedPointResult } from '../attractor/fixed-point.js';
import { assembleMoments, matrixMoments, type MomentConvention } from '../moments/matrix-moments.js';
import { layerPhysics, stencilAmplification, type LayerPhysics, type StencilTap } from '../physics/layer-physics.js';
import type { ForeignConvLayer, ForeignDenseLayer, ForeignLayer, ForeignModel } from './tfjs-layers.js';

/** Options of {@link foreignReport}. */
export interface ForeignReportOptions {
  /** Largest moment order (default 4). */
  readonly order?: number;
  /** Offsets for Dense layers read as 1-D kernels (default `open`); convolutions have no boundary. */
  readonly convention?: MomentConvention;
  /** For Dense layers: count only couplings within this many units (default all); see `MomentsOptions.maxOffset`. */
  readonly maxOffset?: number;
}

/** One layer of a foreign model read as physics, or why it was not. */
export interface ForeignLayerReport {
  /** The layer's name. */
  readonly name: string;
  /** Its Keras class name. */
  readonly className: string;
  /** The kind npde recognized. */
  readonly kind: ForeignLayer['kind'];
  /** How it was read: a Dense of equal widths as a 1-D kernel `W = Kᵀ`, a convolution as a homogeneous stencil; absent when skipped. */
  readonly readAs?: '1-d kernel' | '1-d stencil' | '2-d stencil';
  /** Why the layer was not read (e.g. a Dense whose input and output widths differ). */
  readonly skipped?: string;
  /** The activation's name. */
  readonly activation?: string;
  /** Offsets used for a Dense layer's moments. */
  readonly convention?: MomentConvention;
  /** The moments: per site for a Dense layer; one site (the stencil is homogeneous) per `[out, in]` channel pair for a convolution. */
  readonly moments?: KernelMoments;
  /** The physics: one entry for a Dense layer (or a one-channel convolution), one per channel pair for a convolution with several. */
  readonly physics: readonly LayerPhysics[];
}

/** A foreign model read as physics. */
export interface ForeignReport {
  /** Largest moment order used. */
  readonly order: number;
  /** One entry per layer, in topology order. */
  readonly layers: readonly ForeignLayerReport[];
}

/** `f'(0)` of Keras activations by name (1 where not listed: linear, relu's right slope, elu, …). */
const SLOPES: Readonly<Record<string, number>> = { sigmoid: 0.25, hard_sigmoid: 0.2, softplus: 0.5, selu: 1.0507009873554805, swish: 0.5, gelu: 0.5 };

/** Keras's Dense kernel K (`y = x K + b`) as npde's W (`(W z)_i = Σ_j W_ij z_j`): `W = Kᵀ`, row-major. */
export function denseToMatrix(layer: ForeignDenseLayer): Float64Array {
  const { inputs: n, units: m, kernel } = layer;
  const w = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) w[i * n + j] = kernel[j * m + i]!;
  return w;
}

/** Offset of tap `d` of a kernel of extent `k` from the output site: relative to the center `⌊(k−1)/2⌋` (`same`, `valid`) or the last tap (`causal`). */
function tapOffset(d: number, k: number, dilation: number, padding: string): number {
  const center = padding === 'causal' ? k - 1 : Math.floor((k - 1) / 2);
  return (d - center) * dilation;
}

/** The taps of one `[out, in]` pair of a convolution, with their offsets. */
export function convTaps(layer: ForeignConvLayer, out: number, input: number): StencilTap[] {
  const { kernelSize, dilation, padding, kernel, inChannels, outChannels } = layer;
  const depthwise = layer.kind === 'depthwise-conv2d';
  const mult = depthwise ? outChannels / inChannels : outChannels;
  if (depthwise && Math.floor(out / mult) !== input) return [];
  const last = depthwise ? out % mult : out;
  const taps: StencilTap[] = [];
  const positions = kernelSize.reduce((a, b) => a * b, 1);
  for (let p = 0; p < positions; p++) {
    const idx: number[] = [];
    let rest = p;
    for (let a = kernelSize.length - 1; a >= 0; a--) {
      idx[a] = rest % kernelSize[a]!;
      rest = Math.floor(rest / kernelSize[a]!);
    }
    const w = kernel[(p * inChannels + input) * mult + last]!;
    taps.push({ w, r: idx.map((d, a) => tapOffset(d, kernelSize[a]!, dilation[a]!, padding)) });
  }
  return taps;
}

function readConv(layer: ForeignConvLayer, order: number): ForeignLayerReport {
  const dims = layer.kernelSize.length;
  const alphas = multiIndices(dims, order);
  const depthwise = layer.kind === 'depthwise-conv2d';
  const mult = layer.outChannels / layer.inChannels;
  const pairs: [number, number][] = [];
  for (let o = 0; o < layer.outChannels; o++) {
    if (depthwise) pairs.push([o, Math.floor(o / mult)]);
    else for (let c = 0; c < layer.inChannels; c++) pairs.push([o, c]);
  }
  const acc = pairs.map(([o, c]) => {
    const taps = convTaps(layer, o, c);
    return alphas.map((alpha) => Float64Array.of(taps.reduce((s, t) => s + t.w * monomial(t.r, alpha), 0)));
  });
  const single = pairs.length === 1;
  const moments = assembleMoments(acc, alphas, 1, dims, 1, order, single ? undefined : pairs);
  const slope = SLOPES[layer.activation] ?? 1;
  const physics = pairs.map(([o, c]) => {
    const p = layerPhysics(moments, single ? {} : { channels: [o, c] });
    const amplification = stencilAmplification(convTaps(layer, o, c), dims, slope);
    return { ...p, amplification: [amplification], stable: amplification <= 1 + 1e-6 };
  });
  return { name: layer.name, className: layer.className, kind: layer.kind, readAs: dims === 1 ? '1-d stencil' : '2-d stencil', activation: layer.activation, moments, physics };
}

function readDense(layer: ForeignDenseLayer, order: number, convention: MomentConvention, maxOffset: number): ForeignLayerReport {
  const base = { name: layer.name, className: layer.className, kind: layer.kind, activation: layer.activation };
  if (layer.inputs !== layer.units) {
    return { ...base, skipped: `input width ${layer.inputs} ≠ output width ${layer.units}: not a map of a field onto itself`, physics: [] };
  }
  const n = layer.units;
  const geometry = { shape: [n], dims: 1, sites: n, realChannels: 1 };
  const matrix = denseToMatrix(layer);
  const moments = matrixMoments(matrix, geometry, order, convention, maxOffset);
  const physics = layerPhysics(moments, { matrix, geometry, convention, omega: 1, slope: SLOPES[layer.activation] ?? 1 });
  return { ...base, readAs: '1-d kernel', convention, moments, physics: [physics] };
}

/**
 * Read a foreign (TensorFlow.js Layers) model as physics: every Dense layer
 * whose input and output widths are equal as a 1-D kernel on its units,
 * `W = Kᵀ` (Keras computes `y = x K + b`), with `open` or `periodic` offsets;
 * every Conv1D / Conv2D / DepthwiseConv2D kernel as a homogeneous stencil
 * with offsets from the kernel's center (times the dilation), its moments
 * and physics per `[out, in]` channel pair. Other layers are listed as skipped.
 *
 * @example
 * ```ts
 * const report = foreignReport(readTfjsLayersModel(json, bin), { order: 2, convention: 'periodic' });
 * report.layers[0].physics[0].diffusion[0][0]; // D(q) of the first Dense layer
 * ```
 */
export function foreignReport(model: ForeignModel, options: ForeignReportOptions = {}): ForeignReport {
  const order = options.order ?? 4;
  const layers = model.layers.map((l): ForeignLayerReport => {
    if (l.kind === 'dense') return readDense(l, order, options.convention ?? 'open', options.maxOffset ?? Infinity);
    if (l.kind === 'other') return { name: l.name, className: l.className, kind: l.kind, skipped: `${l.className} has no kernel to read`, physics: [] };
    return readConv(l, order);
  });
  return { order, layers };
}

/** Keras activations by name as scalar functions (those a fixed point can be iterated with). */
const ACTIVATIONS: Readonly<Record<string, (x: number) => number>> = {
  linear: (x) => x,
  tanh: Math.tanh,
  relu: (x) => Math.max(0, x),
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  softplus: (x) => (x > 30 ? x : Math.log1p(Math.exp(x))),
  elu: (x) => (x >= 0 ? x : Math.expm1(x)),
};

/**
 * The attractor of a foreign Dense layer of equal widths iterated on itself:
 * `z* = f(Kᵀ z* + b)` (Keras's `y = f(x K + b)`; in npde's terms W = Kᵀ and
 * the bias enters with the opposite sign), by Anderson acceleration.
 *
 * @throws RangeError for a layer whose widths differ or whose activation is not one of linear, tanh, relu, sigmoid, softplus, elu.
 *
 * @example
 * ```ts
 * const dense = foreign.layers.find((l) => l.kind === 'dense');
 * foreignFixedPoint(dense).residuals; // convergence history
 * ```
 */
export function foreignFixedPoint(layer: ForeignDenseLayer, z0?: ArrayLike<number>, options: FixedPointOptions = {}): FixedPointResult {
  if (layer.inputs !== layer.units) throw new RangeError(`foreignFixedPoint: layer '${layer.name}' maps ${layer.inputs} onto ${layer.units} values, not onto itself`);
  const activation = ACTIVATIONS[layer.activation];
  if (!activation) throw new RangeError(`foreignFixedPoint: activation '${layer.activation}' of layer '${layer.name}' is not one of ${Object.keys(ACTIVATIONS).join(', ')}`);
  const bias = layer.bias ? layer.bias.map((v) => -v) : undefined;
  return layerFixedPoint({ matrix: denseToMatrix(layer), ...(bias ? { bias } : {}), activation }, z0 ?? new Float64Array(layer.units), options);
}
