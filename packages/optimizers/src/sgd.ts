import { defineOptimizer, tf, v } from '@npde/core';
import { gradientStep } from './gradient-step.js';
import { SlotVariables } from './slot-variables.js';

/** Options schema of {@link sgd}. */
export const SgdOptionsSchema = v.strictObject({
  /** Step size η > 0. Default 0.01. */
  learningRate: v.optional(v.pipe(v.number(), v.finite(), v.gtValue(0)), 0.01),
  /** Heavy-ball momentum μ ∈ [0, 1). Default 0: plain steepest descent. */
  momentum: v.optional(v.pipe(v.number(), v.minValue(0), v.ltValue(1)), 0),
});

/** Validated options of {@link sgd}. */
export type SgdOptions = v.InferOutput<typeof SgdOptionsSchema>;

/**
 * Steepest descent (the Succi note's training rule, theory §1): θ ← θ − η·g.
 * With `momentum` μ > 0, heavy-ball momentum as in tfjs's `MomentumOptimizer`:
 * u ← μ·u + g, θ ← θ − η·u (u starts at 0, one state tensor per variable).
 * `getState` returns u by the variable's position (`velocity/0`, …; nothing
 * without momentum), and `setState` restores it, so a resumed fit continues
 * exactly.
 *
 * @example
 * ```ts
 * // in a training config:
 * { optimizer: { id: '@npde/optimizers/sgd', options: { learningRate: 0.1, momentum: 0.9 } } }
 * // by hand:
 * const opt = sgd.create({ options: { learningRate: 0.1, momentum: 0 } });
 * const loss = opt.step(problem); // loss before the step
 * opt.dispose();
 * ```
 */
export const sgd = defineOptimizer<SgdOptions>({
  id: '@npde/optimizers/sgd',
  description: 'steepest descent θ ← θ − η g, optionally with heavy-ball momentum',
  options: SgdOptionsSchema,
  create: ({ options }) => {
    const { learningRate, momentum } = options;
    const velocity = new SlotVariables(['velocity']);
    let disposed = false;
    return {
      step: (problem) => {
        if (disposed) throw new Error(`'${sgd.id}': the optimizer has been disposed`);
        return gradientStep(problem, (variable, g) => {
          let direction = g;
          if (momentum > 0) {
            const [u] = velocity.for(variable);
            u!.assign(tf.add(tf.mul(momentum, u!), g));
            direction = u!;
          }
          variable.assign(tf.sub(variable, tf.mul(learningRate, direction)));
        });
      },
      learningRate: () => learningRate,
      getState: (variables) => velocity.state(variables),
      setState: (variables, state) => velocity.restore(variables, state),
      dispose: () => {
        disposed = true;
        velocity.dispose();
      },
    };
  },
});
