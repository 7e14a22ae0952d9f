import { ErrorCodes, ShapeError, ValidationError, tf, type ModelView, type StageView, type Tensor, type Tensor2D } from '@npde/core';
import { fixedPoint, type FixedPointOptions, type FixedPointResult } from './fixed-point.js';

/** b of layer `layer` of a pde stage (its `bias` parameter, shared `[size]` or per layer `[layers, size]`), or zeros. */
export function stageBias(stage: StageView, layer: number): Float64Array {
  const pde = stage.instance.pde;
  const size = pde ? pde.field.size : stage.input.size;
  const b = stage.instance.params['bias'];
  if (!b) return new Float64Array(size);
  const all = b.dataSync();
  return Float64Array.from(b.rank === 1 ? all : all.subarray(layer * size, (layer + 1) * size));
}

/**
 * The attractor `z* = f(W_l z* − b_l)` of layer `layer` of a model's pde stage
 * (theory §1, eq. 12), by {@link fixedPoint} on the kernel's `apply` and the
 * activation (float32 arithmetic: residuals floor near 1e-7 · ‖z‖, so the
 * default tolerance here is 1e-6). It is the steady state of the relaxation
 * dynamics for every ω; a reservoir's term is not included.
 *
 * @param stage - A stage with a relaxation block (`model.stages[i]`).
 * @param layer - The layer whose W, b and f are held fixed.
 * @param z0 - Start (default zeros).
 * @throws ValidationError when the stage has no pde block or the layer is out of range.
 *
 * @example
 * ```ts
 * const r = blockFixedPoint(model.stages[0], model.layers - 1);
 * r.converged; r.residuals; // the attractor and how fast it was reached
 * ```
 */
export function blockFixedPoint(stage: StageView, layer: number, z0?: ArrayLike<number>, options: FixedPointOptions = {}): FixedPointResult {
  const pde = stage.instance.pde;
  if (!pde) {
    throw new ValidationError(ErrorCodes.INVALID_OPTIONS, 'the stage has no relaxation block', { path: 'stage', expected: 'a pde stage', received: stage.id });
  }
  if (!Number.isInteger(layer) || layer < 0 || layer >= pde.layers) {
    throw new ValidationError(ErrorCodes.INVALID_OPTIONS, 'layer out of range', { path: 'layer', expected: `an integer 0..${pde.layers - 1}`, received: String(layer) });
  }
  const n = pde.field.size;
  const b = tf.tensor2d(Float32Array.from(stageBias(stage, layer)), [1, n], 'float32');
  try {
    const g = (z: Float64Array): Float32Array =>
      tf.tidy(() => {
        const pre = tf.sub(pde.kernel.apply(tf.tensor2d(Float32Array.from(z), [1, n], 'float32'), layer), b) as Tensor2D;
        return pde.activation.apply(pre, layer).dataSync() as Float32Array;
      });
    return fixedPoint(g, z0 ?? new Float64Array(n), { tolerance: 1e-6, ...options });
  } finally {
    b.dispose();
  }
}

/** The loss of a model cut at every depth of one relaxation block. */
export interface DepthProfile {
  /** Index of the stage holding the block. */
  readonly stageIndex: number;
  /** The stage's name. */
  readonly stage: string;
  /** `losses[l]`: the loss when the block stops after `l` steps (l = 0: skipped) and the later stages run as usual. */
  readonly losses: readonly number[];
  /** The depth with the lowest loss ("depth advice", theory §1). */
  readonly bestDepth: number;
  /** The loss there. */
  readonly bestLoss: number;
  /** The block's trained depth (`layers`). */
  readonly layers: number;
}

/** Options of {@link depthProfile}. */
export interface DepthProfileOptions {
  /** `mse` (default): mean squared error against targets `[batch, outputSize]`; `softmax-cross-entropy`: against int32 labels `[batch]`. */
  readonly loss?: 'mse' | 'softmax-cross-entropy';
}

function lossOf(out: Tensor2D, y: Tensor, kind: 'mse' | 'softmax-cross-entropy'): number {
  return tf.tidy(() => {
    if (kind === 'mse') return tf.mean(tf.square(tf.sub(out, y))).dataSync()[0]!;
    const onehot = tf.oneHot(tf.cast(y, 'int32') as tf.Tensor1D, out.shape[1]);
    return tf.losses.softmaxCrossEntropy(onehot, out).dataSync()[0]!;
  });
}

/**
 * The layer-by-layer loss of a trained model on data, and the depth at which
 * it is lowest (theory §1: the attractor need not be the loss minimum, so a
 * target may be caught "on the fly" at a finite depth). For every relaxation
 * block that evolves its stage's own input, the block is cut after
 * `l = 0 … layers` steps, the later stages run as usual, and the loss is
 * recorded; other blocks run at full depth.
 *
 * @param model - The model (a `NeuralPde` fits).
 * @param x - Inputs `[batch, inputSize]`.
 * @param y - Targets `[batch, outputSize]` (`mse`) or int32 labels `[batch]` (`softmax-cross-entropy`).
 * @throws ShapeError when x or y do not match the model.
 *
 * @example
 * ```ts
 * const [p] = depthProfile(model, x, y);
 * console.log(`lowest loss ${p.bestLoss} at depth ${p.bestDepth} of ${p.layers}`);
 * ```
 */
export function depthProfile(model: ModelView, x: Tensor2D, y: Tensor, options: DepthProfileOptions = {}): DepthProfile[] {
  const kind = options.loss ?? 'mse';
  if (x.rank !== 2 || x.shape[1] !== model.input.size) {
    throw new ShapeError(ErrorCodes.SHAPE_MISMATCH, 'inputs do not match the model', { path: 'x', expected: `[batch, ${model.input.size}]`, received: `[${x.shape.join(', ')}]` });
  }
  const yShape = kind === 'mse' ? `[${x.shape[0]}, ${model.output.size}]` : `[${x.shape[0]}]`;
  if (y.shape.join() !== (kind === 'mse' ? [x.shape[0], model.output.size] : [x.shape[0]]).join()) {
    throw new ShapeError(ErrorCodes.SHAPE_MISMATCH, 'targets do not match the model', { path: 'y', expected: yShape, received: `[${y.shape.join(', ')}]` });
  }
  const out: DepthProfile[] = [];
  model.stages.forEach((s, k) => {
    const pde = s.instance.pde;
    if (!pde || pde.field !== s.input) return;
    const losses = tf.tidy(() => {
      let z: Tensor2D = x;
      for (let i = 0; i < k; i++) z = model.stages[i]!.instance.forward(z, { training: false });
      const states = pde.run(z);
      return states.map((state) => {
        let o = state;
        for (let i = k + 1; i < model.stages.length; i++) o = model.stages[i]!.instance.forward(o, { training: false });
        return lossOf(o, y, kind);
      });
    });
    let bestDepth = 0;
    losses.forEach((v, l) => {
      if (v < losses[bestDepth]!) bestDepth = l;
    });
    out.push({ stageIndex: k, stage: s.name, losses, bestDepth, bestLoss: losses[bestDepth]!, layers: pde.layers });
  });
  return out;
}
