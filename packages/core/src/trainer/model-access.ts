import type { FieldInput, NeuralPde } from '../model/neural-pde.js';
import type { FieldInfo } from '../plugins/field.js';
import type { ModelView } from '../plugins/types.js';
import type { Tensor2D } from '../tensor/tf.js';

// The few model members the trainer reads that the composite model adds
// (`toTarget`, `output`, the model as a `ModelView`), in one place.
// TRANSITIONAL: falls back to the one-block model's `toState` and `field`
// where those members are missing; call them directly once NeuralPde has them.
type CompositeMembers = {
  toTarget?(y: FieldInput, path?: string): Tensor2D;
  readonly output?: FieldInfo;
  readonly field?: FieldInfo;
};

/** Regression targets `[n, outputSize]` float32 for `y`, checked against the model's output. @internal */
export function toTarget(model: NeuralPde, y: FieldInput, path: string): Tensor2D {
  const m = model as NeuralPde & CompositeMembers;
  return typeof m.toTarget === 'function' ? m.toTarget(y, path) : model.toState(y, path);
}

/** Number of output values per sample (classes, for a classifier). @internal */
export function outputSize(model: NeuralPde): number {
  const m = model as NeuralPde & CompositeMembers;
  return (m.output ?? m.field)!.size;
}

/** The model as the typed view optimizers receive. @internal */
export function modelView(model: NeuralPde): ModelView {
  return model as unknown as ModelView;
}
