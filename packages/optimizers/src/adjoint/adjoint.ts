import { defineOptimizer, v, type OptimizationProblem, type OptimizerInstance, type Tensor, type Variable } from '@npde/core';
import { adam } from '../adam.js';
import { sgd } from '../sgd.js';
import { checkpointedLossAndGrads } from './checkpointed.js';

/** Options schema of {@link adjoint}. */
export const AdjointOptionsSchema = v.strictObject({
  /** Relaxation steps per checkpoint segment, ≥ 1. Default: ⌈√K⌉ for K steps (memory ∝ √K). */
  segment: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  /** The update applied to the checkpointed gradients: `adam` (default) or `sgd`. */
  method: v.optional(v.picklist(['adam', 'sgd']), 'adam'),
  /** Learning rate of the update. Default 0.01. */
  learningRate: v.optional(v.pipe(v.number(), v.finite(), v.gtValue(0)), 0.01),
});

/** Validated options of {@link adjoint}. */
export type AdjointOptions = v.InferOutput<typeof AdjointOptionsSchema>;

/**
 * Memory-bounded gradients for deep models: the discrete adjoint method with
 * checkpointing ({@link checkpointedLossAndGrads}). The forward pass keeps
 * only every `segment`-th state; the backward pass re-runs one segment at a
 * time and carries the adjoint λ = ∂loss/∂z back through it. With K steps and
 * the default segment ⌈√K⌉, activation memory grows like √K instead of K (a
 * model of depth 1000 keeps ~32 checkpoints and one 32-step tape), for one
 * extra forward pass. The gradients equal ordinary backpropagation up to
 * float32 rounding; they then go to an Adam or SGD update (`method`).
 *
 * Needs the problem's `objective` (the trainer sets it) and stages that are
 * relaxation blocks exposing `step` (other stages run as one unit each). A
 * problem without `objective` (the conformance kit's least-squares problem)
 * falls back to its ordinary `lossAndGrads`.
 *
 * @example
 * ```ts
 * await trainer.fit(deepModel, { x, y }, { optimizer: { id: '@npde/optimizers/adjoint',
 *   options: { method: 'adam', learningRate: 0.01 } }, epochs: 100 });
 * ```
 */
export const adjoint = defineOptimizer<AdjointOptions>({
  id: '@npde/optimizers/adjoint',
  description: 'checkpointed adjoint gradients (memory ∝ √depth) with an Adam or SGD update',
  options: AdjointOptionsSchema,
  create: ({ options }) => createAdjoint(options),
});

/**
 * Create an adjoint (checkpointed-gradient) optimizer directly, as the
 * plugin's `create` does.
 *
 * @example
 * ```ts
 * const opt = createAdjoint(validate(AdjointOptionsSchema, { segment: 32 }));
 * await opt.step(problem);
 * ```
 */
export function createAdjoint(options: AdjointOptions): OptimizerInstance {
  const inner =
    options.method === 'sgd'
      ? sgd.create({ options: v.parse(sgd.options, { learningRate: options.learningRate }) })
      : adam.create({ options: v.parse(adam.options, { learningRate: options.learningRate }) });
  const pose = (problem: OptimizationProblem): OptimizationProblem => {
    const { objective } = problem;
    if (!objective || problem.model.stages.length === 0) return problem;
    return {
      ...problem,
      lossAndGrads: () => {
        const r = checkpointedLossAndGrads(problem.model, problem.variables, problem.batch.x, (p) => objective(p), options.segment);
        return { loss: r.loss, grads: r.grads };
      },
    };
  };
  return {
    step: (problem) => inner.step(pose(problem)),
    learningRate: () => inner.learningRate?.() ?? options.learningRate,
    getState: (variables: readonly Variable[]) => inner.getState?.(variables) ?? {},
    setState: (variables: readonly Variable[], state: Readonly<Record<string, Tensor>>) => inner.setState?.(variables, state),
    dispose: () => inner.dispose(),
  };
}
