/**
 * `@npde/optimizers`: training methods — steepest descent (with optional
 * momentum), Adam with a decaying learning rate, L-BFGS with a strong-Wolfe
 * line search, pseudoinverse learning (closed-form last layer) and
 * checkpointed adjoint gradients for deep models and on-the-fly
 * training of time-dependent coefficients. This entry is pure; import
 * `@npde/optimizers/register` to add them to the global registry.
 *
 * @packageDocumentation
 */
import type { Optimizer } from '@npde/core';
import { adam } from './adam.js';
import { adjoint } from './adjoint/adjoint.js';
import { lbfgs } from './lbfgs/lbfgs.js';
import { onTheFly } from './on-the-fly/on-the-fly.js';
import { pseudoinverse } from './pseudoinverse/pseudoinverse.js';
import { sgd } from './sgd.js';

export { adam, adjoint, lbfgs, onTheFly, pseudoinverse, sgd };
export { AdamOptionsSchema, type AdamOptions } from './adam.js';
export { SgdOptionsSchema, type SgdOptions } from './sgd.js';
export { LbfgsOptionsSchema, createLbfgs, type LbfgsOptions, type LbfgsInstance } from './lbfgs/lbfgs.js';
export { strongWolfe, cubicInterpolate, type StrongWolfeOptions, type LineSearchResult, type TrialPoint } from './lbfgs/strong-wolfe.js';
export { PseudoinverseOptionsSchema, createPseudoinverse, type PseudoinverseOptions } from './pseudoinverse/pseudoinverse.js';
export { AdjointOptionsSchema, createAdjoint, type AdjointOptions } from './adjoint/adjoint.js';
export { checkpointedLossAndGrads, chainLength, type CheckpointedGradients } from './adjoint/checkpointed.js';
export { OnTheFlyOptionsSchema, createOnTheFly, onTheFlyLossAndGrads, type OnTheFlyOptions, type SteeringGradients } from './on-the-fly/on-the-fly.js';

/**
 * Every optimizer of this package, for `registry.register(plugins)`.
 *
 * @example
 * ```ts
 * import { Registry } from '@npde/core';
 * import { plugins } from '@npde/optimizers';
 * const registry = new Registry().register(plugins);
 * ```
 */
export const plugins: readonly Optimizer[] = [sgd, adam, lbfgs, pseudoinverse, adjoint, onTheFly];
