import { ErrorCodes, ShapeError, tf, type OptimizationProblem, type Tensor, type Variable } from '@npde/core';

/**
 * One first-order step: evaluates `problem.lossAndGrads()`, reads the loss (at the
 * variables before the step), lets `update` assign new values to each variable
 * inside one `tf.tidy`, disposes the loss and gradients, and returns the loss.
 * Throws {@link ShapeError} when the gradients do not match the variables.
 *
 * @example
 * ```ts
 * const loss = gradientStep(problem, (variable, grad) => variable.assign(variable.sub(grad.mul(0.01))));
 * ```
 */
export function gradientStep(problem: OptimizationProblem, update: (variable: Variable, grad: Tensor, index: number) => void): number {
  const { loss, grads } = problem.lossAndGrads();
  try {
    const { variables } = problem;
    if (grads.length !== variables.length) {
      throw new ShapeError(ErrorCodes.SHAPE_MISMATCH, 'one gradient per variable is needed', {
        path: 'problem.lossAndGrads().grads',
        expected: `${variables.length} gradients`,
        received: `${grads.length}`,
        hint: 'lossAndGrads() must return the gradients in the order of `problem.variables`.',
      });
    }
    grads.forEach((g, i) => {
      const shape = variables[i]!.shape;
      if (g.shape.length !== shape.length || g.shape.some((d, k) => d !== shape[k])) {
        throw new ShapeError(ErrorCodes.SHAPE_MISMATCH, 'a gradient does not have the shape of its variable', {
          path: `problem.lossAndGrads().grads[${i}]`,
          expected: `[${shape.join(', ')}] (variable '${variables[i]!.name}')`,
          received: `[${g.shape.join(', ')}]`,
        });
      }
    });
    const value = loss.dataSync()[0]!;
    tf.tidy(() => grads.forEach((g, i) => update(variables[i]!, g, i)));
    return value;
  } finally {
    loss.dispose();
    tf.dispose(grads);
  }
}
