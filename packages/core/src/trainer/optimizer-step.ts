import { NpdeError, withPluginContext, wrapPluginError } from '../errors/errors.js';
import type { NeuralPde } from '../model/neural-pde.js';
import type { OptimizationProblem, OptimizerInstance } from '../plugins/types.js';
import type { PluginRef, Registry } from '../registry/registry.js';
import { tf, type Tensor, type Tensor2D, type Variable } from '../tensor/tf.js';
import type { Loss } from './loss.js';
import type { Metric } from './metrics.js';
import { modelView } from './model-access.js';

/** An optimizer ready to step, with what names it in errors and checkpoints. @internal */
export interface ResolvedOptimizer {
  /** The instance. */
  readonly instance: OptimizerInstance;
  /** Its plugin id (`'optimizer'` for an instance passed in). */
  readonly id: string;
  /** `{ id, options }` for checkpoints' settings, `'(instance)'` for an instance passed in. */
  readonly settings: unknown;
  /** Whether the fit created it (and so disposes it). */
  readonly owned: boolean;
}

/** Create the optimizer a fit asks for (a ref through `registry`), or take the instance given. @internal */
export function resolveOptimizer(ref: PluginRef | OptimizerInstance, registry: Registry): ResolvedOptimizer {
  if (typeof ref === 'object' && 'step' in ref) return { instance: ref, id: 'optimizer', settings: '(instance)', owned: false };
  const { plugin, options } = registry.resolve('optimizer', ref, 'optimizer');
  const instance = withPluginContext(plugin.id, 'create', () => plugin.create({ options }));
  return { instance, id: plugin.id, settings: { id: plugin.id, options }, owned: true };
}

/** What one step reports: the batch's loss and metrics before the step. @internal */
export interface StepOutcome {
  /** The loss before the step. */
  readonly loss: number;
  /** Each metric before the step, when the optimizer evaluated the model (undefined if it never did). */
  readonly metrics: readonly number[] | undefined;
}

/**
 * Optimizer steps on batches of a model: poses each batch as an
 * {@link OptimizationProblem}, records the metrics on the first forward pass,
 * and attributes errors: an error from the model's forward pass or the loss
 * (an npde error, or a plugin's error the model already named) passes
 * unchanged; only what the optimizer itself threw becomes its `step` hook's error.
 * @internal
 */
export class OptimizerStep {
  /** The last error the problem's closures threw. */
  private modelError: unknown;

  constructor(
    private readonly model: NeuralPde,
    private readonly variables: Variable[],
    private readonly loss: Loss,
    private readonly metrics: readonly Metric[],
    private readonly optimizer: ResolvedOptimizer,
  ) {}

  /** One step on the batch `xb`, `yb`, the `iteration`-th of the fit. */
  async run(xb: Tensor2D, yb: Tensor, iteration: number): Promise<StepOutcome> {
    const recorded: { metrics?: number[] } = {};
    try {
      const loss = await this.optimizer.instance.step(this.problem(xb, yb, iteration, recorded));
      return { loss, metrics: recorded.metrics };
    } catch (err) {
      throw err === this.modelError || err instanceof NpdeError ? err : wrapPluginError(this.optimizer.id, 'step', err);
    }
  }

  private problem(xb: Tensor2D, yb: Tensor, iteration: number, recorded: { metrics?: number[] }): OptimizationProblem {
    const { model, variables, metrics, loss } = this;
    const lossOf = (p: Tensor2D) => {
      if (metrics.length && !recorded.metrics) recorded.metrics = Array.from(tf.tidy(() => tf.stack(metrics.map((m) => m.compute(p, yb))).dataSync()));
      return loss.compute(p, yb);
    };
    return {
      variables,
      batch: { x: xb, y: yb },
      model: modelView(model),
      iteration,
      loss: () => this.guard(() => tf.tidy(() => lossOf(model.forward(xb)))),
      objective: (prediction) => this.guard(() => lossOf(prediction)),
      lossAndGrads: () =>
        this.guard(() => {
          const { value, grads } = tf.variableGrads(() => lossOf(model.forward(xb)), variables);
          return { loss: value, grads: variables.map((v) => grads[v.name] ?? tf.zerosLike(v)) };
        }),
    };
  }

  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      this.modelError = err;
      throw err;
    }
  }
}
