import { ErrorCodes, NonFiniteError, ShapeError, ValidationError, describeValue } from '../errors/errors.js';
import type { FieldInput, NeuralPde } from '../model/neural-pde.js';
import { tf, type Tensor, type Tensor1D, type Tensor2D } from '../tensor/tf.js';
import type { Loss } from './loss.js';
import { outputSize, toTarget } from './model-access.js';

/**
 * Inputs and targets, first axis = samples: tensors or nested arrays.
 *
 * @example
 * ```ts
 * const regression: Dataset = { x: [[0, 1, 2]], y: [[1, 2, 3]] };   // y: the output's shape
 * const classification: Dataset = { x, y: [2, 0, 1] };              // y: class labels
 * ```
 */
export interface Dataset {
  /** Inputs, `[n, ...input field]` or `[n, inputSize]`. */
  readonly x: FieldInput;
  /**
   * Targets: values of the output's shape (`[n, outputSize]` or `[n, ...output
   * field]`), or, for a loss on labels (`softmax-cross-entropy`), integer class
   * labels `[n]` (or `[n, 1]`) in `0 … classes − 1`.
   */
  readonly y: FieldInput | readonly number[];
}

/** One set of samples as tensors: states `[n, inputSize]` and targets as the loss takes them. */
export interface TensorData {
  /** Inputs `[n, inputSize]` float32. */
  readonly x: Tensor2D;
  /** Targets `[n, outputSize]` float32, or labels `[n]` int32. */
  readonly y: Tensor;
  /** Number of samples n. */
  readonly size: number;
}

/** Training data and the held-out data, as tensors the caller disposes together. @internal */
export interface PreparedData {
  /** The samples trained on. */
  readonly train: TensorData;
  /** The held-out samples, if any. */
  readonly validation: TensorData | undefined;
  /** Release every tensor made here (never the caller's own tensors). */
  dispose(): void;
}

/**
 * Turn `data` (and `validation`: held-out data, or the fraction of `data` to
 * hold out, its last samples) into tensors: x through `model.toState`, y
 * through `model.toTarget` or, for a loss on labels, into int32 labels.
 * Checks sample counts, finiteness and labels, naming the bad value's path.
 * @internal
 */
export function prepareData(model: NeuralPde, data: Dataset, validation: Dataset | number | undefined, loss: Loss): PreparedData {
  const owned: Tensor[] = [];
  const take = <T extends TensorData>(d: T): T => (owned.push(d.x, d.y), d);
  try {
    let train = take(toTensors(model, data, loss, 'data'));
    let held: TensorData | undefined;
    if (typeof validation === 'number') {
      const nVal = Math.floor(train.size * validation);
      if (!(validation > 0 && validation < 1) || nVal < 1 || nVal >= train.size) {
        throw new ValidationError(ErrorCodes.INVALID_SPEC, 'invalid validation fraction', {
          path: 'validation',
          expected: 'a fraction in (0, 1) leaving at least one sample on each side',
          received: describeValue(validation),
        });
      }
      held = take(rows(train, train.size - nVal, nVal));
      train = take(rows(train, 0, train.size - nVal));
    } else if (validation !== undefined) {
      held = take(toTensors(model, validation, loss, 'validation'));
    }
    return { train, validation: held, dispose: () => tf.dispose(owned) };
  } catch (err) {
    tf.dispose(owned);
    throw err;
  }
}

function rows(d: TensorData, start: number, size: number): TensorData {
  return {
    x: d.x.slice([start, 0], [size, -1]),
    y: d.y.rank === 1 ? d.y.slice([start], [size]) : d.y.slice([start, 0], [size, -1]),
    size,
  };
}

function toTensors(model: NeuralPde, data: Dataset, loss: Loss, path: string): TensorData {
  const x = model.toState(data.x, `${path}.x`);
  try {
    checkFinite(x, `${path}.x`);
    const n = x.shape[0];
    const y = loss.targets === 'labels' ? toLabels(data.y, n, outputSize(model), `${path}.y`) : toValues(model, data.y, n, `${path}.y`);
    return { x, y, size: n };
  } catch (err) {
    x.dispose();
    throw err;
  }
}

function toValues(model: NeuralPde, y: Dataset['y'], n: number, path: string): Tensor2D {
  const t = toTarget(model, y as FieldInput, path);
  try {
    if (t.shape[0] !== n) throw sampleCountError(path, n, t.shape[0]);
    checkFinite(t, path);
    return t;
  } catch (err) {
    t.dispose();
    throw err;
  }
}

/** Class labels `[n]` int32, each an integer in 0 … classes − 1. */
function toLabels(y: Dataset['y'], n: number, classes: number, path: string): Tensor1D {
  const shape = y instanceof tf.Tensor ? y.shape : arrayShape(y);
  if (!(shape.length === 1 || (shape.length === 2 && shape[1] === 1))) {
    throw new ShapeError(ErrorCodes.SHAPE_MISMATCH, 'class labels must be one integer per sample', {
      path,
      expected: `[${n}] (or [${n}, 1]) integer labels`,
      received: `[${shape.join(', ')}]`,
      hint: 'A loss on labels (softmax-cross-entropy) takes class indices, not one-hot rows.',
    });
  }
  if (shape[0] !== n) throw sampleCountError(path, n, shape[0]!);
  const values = y instanceof tf.Tensor ? y.dataSync() : (y as readonly (number | readonly number[])[]).flat();
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) {
      throw new NonFiniteError(ErrorCodes.NON_FINITE, 'a class label is NaN or infinite', { path: `${path}[${i}]`, expected: `an integer in 0…${classes - 1}`, received: String(v) });
    }
    if (!Number.isInteger(v) || v < 0 || v >= classes) {
      throw new ValidationError(ErrorCodes.INVALID_SPEC, 'invalid class label', {
        path: `${path}[${i}]`,
        expected: `an integer in 0…${classes - 1} (the model has ${classes} outputs)`,
        received: describeValue(v),
        hint: 'Labels are class indices; the model needs one output per class.',
      });
    }
  }
  return tf.tensor1d(Array.from(values as ArrayLike<number>), 'int32');
}

function arrayShape(y: unknown): number[] {
  const shape: number[] = [];
  for (let a = y; Array.isArray(a); a = a[0]) shape.push(a.length);
  return shape;
}

function sampleCountError(path: string, expected: number, received: number): ShapeError {
  const x = path.replace(/\.y$/, '.x');
  return new ShapeError(ErrorCodes.SHAPE_MISMATCH, 'inputs and targets have different sample counts', {
    path,
    expected: `${expected} samples (as ${x})`,
    received: `${received}`,
  });
}

function checkFinite(t: Tensor, path: string): void {
  const bad = tf.tidy(() => tf.logicalNot(tf.all(tf.isFinite(t))).dataSync()[0]);
  if (bad) {
    throw new NonFiniteError(ErrorCodes.NON_FINITE, 'data holds NaN or infinite values', {
      path,
      expected: 'finite numbers',
      received: 'NaN or ±Infinity',
      hint: 'Clean or normalize the data before training.',
    });
  }
}
