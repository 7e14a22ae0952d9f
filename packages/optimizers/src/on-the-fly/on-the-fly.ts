import { ErrorCodes, ValidationError, defineOptimizer, tf, v, type ModelView, type OptimizationProblem, type OptimizerInstance, type Scalar, type Tensor, type Tensor2D, type Variable } from '@npde/core';
import { adam } from '../adam.js';
import { unitsOf } from '../adjoint/checkpointed.js';
import { sgd } from '../sgd.js';

/** Options schema of {@link onTheFly}. */
export const OnTheFlyOptionsSchema = v.strictObject({
  /** Layers the chain rule spans back from each distance, ≥ 1. Default 2 (the note's "two layers at a time"). */
  span: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), 2),
  /**
   * Which distances steer the coefficients: `every-layer` (default) sums dis(t) over every
   * step t = 1 … L; `final` uses only dis(L) (with `span` ≥ L that is ordinary backpropagation).
   */
  distances: v.optional(v.picklist(['every-layer', 'final']), 'every-layer'),
  /** The update applied to the steering gradient: `adam` (default) or `sgd`. */
  method: v.optional(v.picklist(['adam', 'sgd']), 'adam'),
  /** Learning rate of the update. Default 0.01. */
  learningRate: v.optional(v.pipe(v.number(), v.finite(), v.gtValue(0)), 0.01),
});

/** Validated options of {@link onTheFly}. */
export type OnTheFlyOptions = v.InferOutput<typeof OnTheFlyOptionsSchema>;

/** What {@link onTheFlyLossAndGrads} returns. */
export interface SteeringGradients {
  /** The loss at the model's output (objective of z_L). Caller disposes. */
  readonly loss: Scalar;
  /** The steering gradient, one per variable (zeros where nothing steers it). Caller disposes. */
  readonly grads: Tensor[];
}

/**
 * The steering gradient of on-the-fly training (theory §6): marching forward
 * through the model's steps z₀ → z₁ → … → z_L, at each step t the distance
 * dis(t) = objective(z_t) (the loss of the state at time t against the
 * targets) is differentiated through the last `span` steps only, from the
 * state z_{t−span} held fixed; the gradients are summed over t. Memory is
 * `span` steps of tape however deep the model, and the work about
 * (span + 1)·L steps. `distances: 'final'` keeps only t = L.
 *
 * @example
 * ```ts
 * const { loss, grads } = onTheFlyLossAndGrads(model, vars, x, (z) => tf.losses.meanSquaredError(y, z), 2, 'every-layer');
 * ```
 */
export function onTheFlyLossAndGrads(
  model: ModelView,
  variables: readonly Variable[],
  x: Tensor2D,
  objective: (state: Tensor2D) => Scalar,
  span: number,
  distances: 'every-layer' | 'final',
): SteeringGradients {
  const units = unitsOf(model);
  const K = units.length;
  // The loss at the output first (a trainer records its metrics on the first objective call).
  const loss = tf.tidy(() => {
    let z = x;
    let p: Tensor2D | undefined;
    for (const u of units) {
      const n = u.run(z, u.usesPrevious ? p : undefined);
      p = z;
      z = n;
    }
    return objective(z);
  });
  // The last span + 1 states (detached), oldest first: states[i] is z_{t−len+1+i}.
  const window: Tensor2D[] = [x.clone()];
  const sums: (Tensor | undefined)[] = variables.map(() => undefined);
  try {
    for (let t = 1; t <= K; t++) {
      const zPrev = window[window.length - 1]!;
      const zBefore = window[window.length - 2];
      const unit = units[t - 1]!;
      const next = tf.tidy(() => unit.run(zPrev, unit.usesPrevious ? zBefore : undefined));
      window.push(next);
      if (distances === 'every-layer' || t === K) {
        // Re-run steps a … t−1 from z_a under a tape: the chain rule spans `span` layers.
        const a = Math.max(0, t - span);
        const offset = t - (window.length - 1);
        const start = window[a - offset]!;
        const before = a >= 1 && a - 1 - offset >= 0 ? window[a - 1 - offset] : undefined;
        const { value, grads } = tf.tidy(() =>
          tf.variableGrads(() => {
            let z = start;
            let p = before;
            for (let i = a; i < t; i++) {
              const n = units[i]!.run(z, units[i]!.usesPrevious ? p : undefined);
              p = z;
              z = n;
            }
            return objective(z);
          }, variables as Variable[]),
        );
        value.dispose();
        variables.forEach((v, k) => {
          const g = grads[v.name];
          if (!g) return;
          const acc = sums[k];
          sums[k] = acc ? tf.tidy(() => tf.add(acc, g)) : g;
          if (acc) tf.dispose([acc, g]);
        });
      }
      // Keep z_{t−span−1} … z_t (one more than the span, for a multistep scheme's previous state).
      while (window.length > span + 2) window.shift()!.dispose();
    }
    return { loss, grads: variables.map((v, k) => sums[k] ?? tf.zerosLike(v)) };
  } catch (err) {
    tf.dispose([loss, ...sums.filter((g): g is Tensor => g !== undefined)]);
    throw err;
  } finally {
    tf.dispose(window);
  }
}

/**
 * On-the-fly training of time-dependent coefficients (theory §6, the
 * Car–Parrinello strategy of the neural-ADR note): instead of
 * backpropagating the final loss through all L layers, each layer's
 * coefficients are steered by the time-dependent distance dis(t) =
 * objective(z_t) of the states it produces, with the chain rule spanning
 * `span` layers (default two) — see {@link onTheFlyLossAndGrads}. The
 * summed steering gradient then goes to an Adam or SGD update. Memory does
 * not grow with depth; what it optimizes is Σ_t dis(t), which for data of a
 * PDE whose intermediate states are not the target is a different objective
 * from the final distance (docs/optimizers.md compares the two).
 *
 * Needs the problem's `objective` (the trainer sets it) and a model whose
 * states all have the output's shape (one pde block on its input). A problem
 * without `objective` falls back to its ordinary `lossAndGrads`.
 *
 * @example
 * ```ts
 * await trainer.fit(model, { x, y }, { optimizer: { id: '@npde/optimizers/on-the-fly',
 *   options: { span: 2, learningRate: 0.03 } }, epochs: 200 });
 * ```
 */
export const onTheFly = defineOptimizer<OnTheFlyOptions>({
  id: '@npde/optimizers/on-the-fly',
  description: 'on-the-fly training: each layer steered by the time-dependent distance, chain rule over `span` layers',
  options: OnTheFlyOptionsSchema,
  create: ({ options }) => createOnTheFly(options),
});

/**
 * Create an on-the-fly optimizer directly, as the plugin's `create` does.
 *
 * @example
 * ```ts
 * const opt = createOnTheFly(validate(OnTheFlyOptionsSchema, { span: 2 }));
 * await opt.step(problem);
 * ```
 */
export function createOnTheFly(options: OnTheFlyOptions): OptimizerInstance {
  const inner =
    options.method === 'sgd'
      ? sgd.create({ options: v.parse(sgd.options, { learningRate: options.learningRate }) })
      : adam.create({ options: v.parse(adam.options, { learningRate: options.learningRate }) });
  const pose = (problem: OptimizationProblem): OptimizationProblem => {
    const { objective } = problem;
    if (!objective || problem.model.stages.length === 0) return problem;
    const { stages } = problem.model;
    const only = stages[0]!;
    if (stages.length !== 1 || !only.instance.pde?.step || only.instance.pde.field !== only.input) {
      throw new ValidationError(ErrorCodes.INVALID_SPEC, 'on-the-fly training steers the states of one relaxation block', {
        path: 'model.stages',
        expected: 'a single pde stage (every state z_t comparable with the targets)',
        received: stages.map((st) => st.id).join(', '),
        hint: 'Use a one-block model, or the adjoint optimizer for composite models.',
      });
    }
    return {
      ...problem,
      lossAndGrads: () => onTheFlyLossAndGrads(problem.model, problem.variables, problem.batch.x, (z) => objective(z), options.span, options.distances),
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
