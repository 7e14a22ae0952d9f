import { ErrorCodes, ShapeError, defineOptimizer, describeValue, tf, v, type Tensor, type Variable } from '@npde/core';
import { onHostBackend } from '@npde/core/internal';
import { gradientStep } from './gradient-step.js';
import { exponentialDecay } from './learning-rate-schedule.js';
import { SlotVariables } from './slot-variables.js';

const unitInterval = v.pipe(v.number(), v.minValue(0), v.ltValue(1));

/** Options schema of {@link adam}. */
export const AdamOptionsSchema = v.pipe(
  v.strictObject({
    /** Base step size α > 0. Default 0.01. */
    learningRate: v.optional(v.pipe(v.number(), v.finite(), v.gtValue(0)), 0.01),
    /** Decay rate β₁ ∈ [0, 1) of the first-moment estimate. Default 0.9. */
    beta1: v.optional(unitInterval, 0.9),
    /** Decay rate β₂ ∈ [0, 1) of the second-moment estimate. Default 0.999. */
    beta2: v.optional(unitInterval, 0.999),
    /** ε > 0 added to √v̂. Default 1e-8. */
    epsilon: v.optional(v.pipe(v.number(), v.finite(), v.gtValue(0)), 1e-8),
    /** Learning-rate factor per `decaySteps` steps, in (0, 1]. Default 1 (constant rate). */
    decay: v.optional(v.pipe(v.number(), v.gtValue(0), v.maxValue(1)), 1),
    /** Steps over which the learning rate is multiplied by `decay`, > 0. Default 100. */
    decaySteps: v.optional(v.pipe(v.number(), v.finite(), v.gtValue(0)), 100),
    /** Floor of the decayed learning rate, ≥ 0 and ≤ `learningRate`. Default 0. */
    minLearningRate: v.optional(v.pipe(v.number(), v.finite(), v.minValue(0)), 0),
  }),
  v.forward(
    v.partialCheck(
      [['learningRate'], ['minLearningRate']],
      (o) => o.minLearningRate <= o.learningRate,
      'minLearningRate must not exceed learningRate',
    ),
    ['minLearningRate'],
  ),
);

/** Validated options of {@link adam}. */
export type AdamOptions = v.InferOutput<typeof AdamOptionsSchema>;

/**
 * Adam (Kingma & Ba 2015, Algorithm 1, with bias correction), first among the
 * learning strategies Guo–Huang–Xu list for neural PDEs (theory §7). For step
 * t = 1, 2, …:
 *
 *     m ← β₁ m + (1 − β₁) g          v ← β₂ v + (1 − β₂) g²
 *     m̂ = m / (1 − β₁ᵗ)              v̂ = v / (1 − β₂ᵗ)
 *     θ ← θ − α_t · m̂ / (√v̂ + ε)
 *
 * so the first step is α·g/(|g| + ε) ≈ α·sign(g). The learning rate follows
 * α_t = max(minLearningRate, learningRate · decay^((t − 1)/decaySteps)): smooth
 * exponential decay counted in this optimizer's own steps; `learningRate()`
 * returns the rate the next step will use. m and v are non-trainable variables,
 * created per variable on its first step and released by `dispose()`.
 *
 * `getState` returns m and v by the variable's position (`m/0`, `v/0`, …) and
 * the step count t (`step`, an int32 scalar); `setState` on a fresh instance
 * makes it continue bit for bit, schedule and bias correction included, which
 * is how a resumed fit ends with the weights of an uninterrupted one.
 *
 * @example
 * ```ts
 * // in a training config: 0.02, halved every 50 steps, never below 1e-4
 * { optimizer: { id: '@npde/optimizers/adam',
 *     options: { learningRate: 0.02, decay: 0.5, decaySteps: 50, minLearningRate: 1e-4 } } }
 * ```
 */
export const adam = defineOptimizer<AdamOptions>({
  id: '@npde/optimizers/adam',
  description: 'Adam with bias correction and an exponentially decaying learning rate',
  options: AdamOptionsSchema,
  create: ({ options }) => {
    const { beta1, beta2, epsilon } = options;
    const moments = new SlotVariables(['m', 'v']);
    let steps = 0;
    let disposed = false;
    return {
      step: (problem) => {
        if (disposed) throw new Error(`'${adam.id}': the optimizer has been disposed`);
        const lr = exponentialDecay(options, steps);
        const t = steps + 1;
        // The step's scalars, uploaded once per step (inside gradientStep's tidy) rather than once
        // per variable and use: the same float32 values as the numbers tfjs would convert.
        let c: Record<'b1' | 'b1c' | 'b2' | 'b2c' | 'eps' | 'mScale' | 'vScale' | 'lr', Tensor> | undefined;
        const host = onHostBackend();
        const loss = gradientStep(problem, (variable, g) => {
          if (host && variable.size <= HOST_UPDATE_MAX_SIZE) {
            hostAdamUpdate(variable, g, moments.for(variable) as [Variable, Variable], { beta1, beta2, epsilon, lr, t });
            return;
          }
          c ??= {
            b1: tf.scalar(beta1),
            b1c: tf.scalar(1 - beta1),
            b2: tf.scalar(beta2),
            b2c: tf.scalar(1 - beta2),
            eps: tf.scalar(epsilon),
            mScale: tf.scalar(1 / (1 - beta1 ** t)),
            vScale: tf.scalar(1 / (1 - beta2 ** t)),
            lr: tf.scalar(lr),
          };
          const [m, s] = moments.for(variable);
          m!.assign(tf.add(tf.mul(c.b1, m!), tf.mul(c.b1c, g)));
          s!.assign(tf.add(tf.mul(c.b2, s!), tf.mul(c.b2c, tf.square(g))));
          const mHat = tf.mul(m!, c.mScale);
          const vHat = tf.mul(s!, c.vScale);
          variable.assign(tf.sub(variable, tf.mul(c.lr, tf.div(mHat, tf.add(tf.sqrt(vHat), c.eps)))));
        });
        steps = t;
        return loss;
      },
      learningRate: () => exponentialDecay(options, steps),
      getState: (variables) => ({ ...moments.state(variables), step: tf.scalar(steps, 'int32') }),
      setState: (variables, state) => {
        const step = readStepCount(state['step']);
        moments.restore(variables, state);
        steps = step;
      },
      dispose: () => {
        disposed = true;
        moments.dispose();
      },
    };
  },
});

/**
 * Largest variable (elements) updated in JavaScript on a host backend. An update by
 * tfjs ops is 14 kernels plus their dispatch per variable, which dominates for the
 * few hundred coefficients of a PDE kernel; a larger variable goes through the ops,
 * whose wasm kernels are vectorized.
 */
const HOST_UPDATE_MAX_SIZE = 16_384;

/**
 * One Adam update of `variable` in JavaScript: reads g, m, s (the second moment) and
 * the variable, writes m, s and the variable with one upload each. Every operation is
 * rounded to float32 as the op path's kernels round it (`Math.fround` after each one,
 * the scalars rounded as tfjs rounds a number), so both paths give the same bits.
 */
function hostAdamUpdate(
  variable: Variable,
  g: Tensor,
  [m, s]: [Variable, Variable],
  o: { beta1: number; beta2: number; epsilon: number; lr: number; t: number },
): void {
  const f = Math.fround;
  const gv = g.dataSync();
  const mv = m.dataSync();
  const sv = s.dataSync();
  const xv = variable.dataSync();
  const n = gv.length;
  const m2 = new Float32Array(n);
  const s2 = new Float32Array(n);
  const x2 = new Float32Array(n);
  const [b1, b1c, b2, b2c, eps, lr] = [o.beta1, 1 - o.beta1, o.beta2, 1 - o.beta2, o.epsilon, o.lr].map(f) as [number, number, number, number, number, number];
  const mScale = f(1 / (1 - o.beta1 ** o.t));
  const vScale = f(1 / (1 - o.beta2 ** o.t));
  for (let i = 0; i < n; i++) {
    const gi = gv[i]!;
    const mi = (m2[i] = f(f(b1 * mv[i]!) + f(b1c * gi)));
    const si = (s2[i] = f(f(b2 * sv[i]!) + f(b2c * f(gi * gi))));
    const mHat = f(mi * mScale);
    const vHat = f(si * vScale);
    x2[i] = f(xv[i]! - f(lr * f(mHat / f(f(Math.sqrt(vHat)) + eps))));
  }
  m.assign(tf.tensor(m2, m.shape));
  s.assign(tf.tensor(s2, s.shape));
  variable.assign(tf.tensor(x2, variable.shape));
}

/** The step count `t` stored under `step` by Adam's `getState`, checked. */
function readStepCount(t: Tensor | undefined): number {
  const value = t?.size === 1 ? t.dataSync()[0]! : undefined;
  if (value === undefined || !Number.isInteger(value) || value < 0) {
    throw new ShapeError(ErrorCodes.SHAPE_MISMATCH, 'Adam state has no valid step count', {
      path: 'state.step',
      expected: 'a scalar integer ≥ 0 (the steps taken)',
      received: t ? `a tensor of shape [${t.shape.join(', ')}] holding ${describeValue(value)}` : 'no entry',
      hint: 'Pass the state written by the same optimizer\'s getState().',
    });
  }
  return value;
}
