import type { FieldInput, NeuralPde } from '../model/neural-pde.js';
import type { ModelView } from '../plugins/types.js';
import type { Tensor2D } from '../tensor/tf.js';

/** Regression targets `[n, outputSize]` float32 for `y`, checked against the model's output. @internal */
export function toTarget(model: NeuralPde, y: FieldInput, path: string): Tensor2D {
  return model.toTarget(y, path);
}

/** Number of output values per sample (classes, for a classifier). @internal */
export function outputSize(model: NeuralPde): number {
  return model.output.size;
}

/** The model as the typed view optimizers receive. @internal */
export function modelView(model: NeuralPde): ModelView {
  return model;
}
