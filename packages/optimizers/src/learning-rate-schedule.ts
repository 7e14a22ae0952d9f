/** An exponentially decaying learning rate with a floor. */
export interface ExponentialDecay {
  /** Rate at step 0. */
  readonly learningRate: number;
  /** Factor per `decaySteps` steps, in (0, 1]; 1 keeps the rate constant. */
  readonly decay: number;
  /** Steps over which the rate is multiplied by `decay`. */
  readonly decaySteps: number;
  /** Floor of the rate. */
  readonly minLearningRate: number;
}

/**
 * The learning rate for step `t` (0-based):
 * max(minLearningRate, learningRate · decay^(t / decaySteps)), decaying smoothly
 * (not in stairs).
 *
 * @example
 * ```ts
 * exponentialDecay({ learningRate: 0.1, decay: 0.5, decaySteps: 10, minLearningRate: 0 }, 20); // 0.025
 * ```
 */
export function exponentialDecay(schedule: ExponentialDecay, t: number): number {
  return Math.max(schedule.minLearningRate, schedule.learningRate * schedule.decay ** (t / schedule.decaySteps));
}
