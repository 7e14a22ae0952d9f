import { ErrorCodes, TooLargeError, ValidationError, tf, type FieldInfo, type KernelMoments, type ModelView, type PdeBlockView } from '@npde/core';
import { matrixMoments, type MomentConvention } from './matrix-moments.js';

/** Options of {@link moments} and {@link blockMoments}. */
export interface MomentsOptions {
  /** Largest |α| (default 4: up to hyper-diffusion). */
  readonly order?: number;
  /**
   * Offsets for moments computed from the dense W (see {@link MomentConvention}).
   * When given, W is materialized and read under it even where the kernel
   * has its own `moments()` (unless W is unavailable or larger than
   * `maxDenseSize`: then the closed form); when absent, the kernel's closed
   * form is used where it exists, else the dense W with `open` offsets.
   */
  readonly convention?: MomentConvention;
  /** `auto` (default): the kernel's `moments()` unless a convention forces W; `kernel` or `dense`: only that source. */
  readonly source?: 'auto' | 'kernel' | 'dense';
  /**
   * For moments read from the dense W: count only couplings within this many
   * grid steps along every axis (default all). A learned dense W carries noise
   * in its far entries, which the k-th moment weights by `r^k`; a window
   * a little wider than the physical stencil keeps it out.
   */
  readonly maxOffset?: number;
  /** Largest state size whose dense W is materialized (default 4096, a 64 MiB float32 matrix). */
  readonly maxDenseSize?: number;
}

/** The moments of one layer of a block. */
export interface LayerMoments {
  /** Step index within the block. */
  readonly layer: number;
  /** Where the numbers came from: the kernel's own closed-form `moments()`, or the materialized dense W. */
  readonly source: 'kernel' | 'dense';
  /** The offset convention for `dense`; absent for `kernel` (the kernel's own convention, e.g. the ADR kernel's ring offsets when periodic). */
  readonly convention?: MomentConvention;
  /** The window of `dense` moments, when one was set. */
  readonly maxOffset?: number;
  /** The moments. */
  readonly moments: KernelMoments;
}

/** The moments of every layer of one relaxation block of a model. */
export interface BlockMoments {
  /** Index of the stage holding the block. */
  readonly stageIndex: number;
  /** The stage's name (`''` for the unnamed stage of a one-block model). */
  readonly stage: string;
  /** The kernel plugin's id. */
  readonly kernel: string;
  /** The field the block evolves. */
  readonly field: FieldInfo;
  /** One entry per layer. */
  readonly layers: readonly LayerMoments[];
}

const DEFAULT_MAX_DENSE = 4096;

/**
 * Layer `layer`'s dense W as a float64 row-major array, or `undefined` when the
 * kernel has no `dense()` or the state is larger than `maxSize`.
 */
export function denseMatrix(block: PdeBlockView, layer: number, maxSize = DEFAULT_MAX_DENSE): Float64Array | undefined {
  if (!block.kernel.dense || block.field.size > maxSize) return undefined;
  const t = block.kernel.dense(layer);
  try {
    return Float64Array.from(t.dataSync());
  } finally {
    t.dispose();
  }
}

/**
 * Moments `W_α(site)` of every layer of one relaxation block (theory §2): the
 * kernel's closed-form `moments()` when it has one (and no convention was
 * asked for), else from the materialized dense W under the convention.
 *
 * @throws TooLargeError when the moments need a dense W larger than `maxDenseSize`.
 * @throws ValidationError when the kernel offers neither `moments()` nor `dense()`, or a bad order.
 */
export function blockMoments(block: PdeBlockView, options: MomentsOptions = {}): LayerMoments[] {
  const order = options.order ?? 4;
  if (!Number.isInteger(order) || order < 0 || order > 8) {
    throw new ValidationError(ErrorCodes.INVALID_OPTIONS, 'moment order out of range', { path: 'order', expected: 'an integer 0..8', received: String(order) });
  }
  const source = options.source ?? 'auto';
  const maxSize = options.maxDenseSize ?? DEFAULT_MAX_DENSE;
  // auto: a convention (or a window) asks for the dense W, where there is one small enough; otherwise the closed form
  const denseUsable = block.kernel.dense !== undefined && block.field.size <= maxSize;
  const useKernel = source === 'kernel' || (source === 'auto' && block.kernel.moments !== undefined && ((options.convention === undefined && options.maxOffset === undefined) || !denseUsable));
  const out: LayerMoments[] = [];
  for (let l = 0; l < block.layers; l++) {
    if (useKernel && block.kernel.moments) {
      out.push({ layer: l, source: 'kernel', moments: block.kernel.moments(l, order) });
      continue;
    }
    if (!block.kernel.dense || (source === 'kernel' && !block.kernel.moments)) {
      throw new ValidationError(ErrorCodes.INVALID_OPTIONS, "the kernel offers no moments for this source", {
        path: 'source',
        plugin: block.pluginIds.kernel,
        expected: source === 'kernel' ? 'a kernel with moments()' : 'a kernel with moments() or dense()',
        received: `'${source}'`,
        hint: source === 'dense' ? "Use source 'kernel' (the kernel's closed form)." : "Use source 'dense' or a kernel family that reports moments.",
      });
    }
    const w = denseMatrix(block, l, maxSize);
    if (!w) {
      throw new TooLargeError(ErrorCodes.TOO_LARGE, 'the dense W is too large to read moments from', {
        plugin: block.pluginIds.kernel,
        expected: `a state size ≤ ${maxSize}`,
        received: String(block.field.size),
        hint: 'Raise maxDenseSize, or use a kernel whose moments() are closed-form.',
      });
    }
    const convention = options.convention ?? 'open';
    const window = options.maxOffset ?? Infinity;
    out.push({ layer: l, source: 'dense', convention, ...(Number.isFinite(window) ? { maxOffset: window } : {}), moments: matrixMoments(w, block.field, order, convention, window) });
  }
  return out;
}

/**
 * Moments of every relaxation block of a model, layer by layer (theory §2):
 * `W_α(site)` for every multi-index `|α| ≤ order`, from each kernel's own
 * closed form or from its dense W (see {@link MomentsOptions}).
 *
 * @example
 * ```ts
 * const [block] = moments(model, { order: 2, convention: 'periodic' });
 * findMoment(block.layers[0].moments, 'W2')!.values; // 2·D(q) of layer 0
 * ```
 */
export function moments(model: ModelView, options: MomentsOptions = {}): BlockMoments[] {
  const out: BlockMoments[] = [];
  model.stages.forEach((s, i) => {
    const pde = s.instance.pde;
    if (!pde) return;
    out.push({ stageIndex: i, stage: s.name, kernel: pde.pluginIds.kernel, field: pde.field, layers: blockMoments(pde, options) });
  });
  return out;
}

/** The activation's slope at 0, `f'(0)`, by a central difference on a zero state (h = 1e-3, float32). */
export function activationSlope(block: PdeBlockView, layer = 0): number {
  const h = 1e-3;
  return tf.tidy(() => {
    const n = block.field.size;
    const up = block.activation.apply(tf.fill([1, n], h), layer);
    const down = block.activation.apply(tf.fill([1, n], -h), layer);
    const d = tf.sub(up, down).dataSync();
    let sum = 0;
    for (const v of d) sum += v;
    return sum / d.length / (2 * h);
  });
}
