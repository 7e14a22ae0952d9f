import { tf } from '@npde/core';
import { checkOptimizer } from '@npde/core/testing';
import { beforeAll, describe, it } from 'vitest';
import { adam, adjoint, lbfgs, onTheFly, sgd } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('@npde/core/testing conformance', () => {
  it.each([
    [sgd.id, sgd, {}],
    [`${sgd.id} (momentum 0.9)`, sgd, { momentum: 0.9 }],
    // The kit's minimizer is 1.8 away from θ₀ and Adam moves ≲ α per step: the default
    // α = 0.01 cannot get there in the kit's 200 steps, so the plain case uses α = 0.05.
    [adam.id, adam, { learningRate: 0.05 }],
    [`${adam.id} (decaying rate)`, adam, { learningRate: 0.05, decay: 0.5, decaySteps: 50 }],
    [lbfgs.id, lbfgs, {}],
    // The kit's problem has no model: these two fall back to the problem's own lossAndGrads
    // (their checkpointed / steering gradients are tested on real models in their specs).
    [adjoint.id, adjoint, { method: 'sgd', learningRate: 0.1 }],
    [onTheFly.id, onTheFly, { method: 'sgd', learningRate: 0.1 }],
  ] as const)('%s', async (_id, plugin, options) => {
    await checkOptimizer(plugin, options);
  });
});
