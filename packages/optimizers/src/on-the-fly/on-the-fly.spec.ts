import { ValidationError, tf, validate, type NeuralPde, type OptimizationProblem, type Scalar, type Tensor, type Tensor2D } from '@npde/core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { adam } from '../adam.js';
import { adrRecovery, type AdrRecovery } from '../testing/adr-problem.test-util.js';
import { OnTheFlyOptionsSchema, createOnTheFly, onTheFlyLossAndGrads } from './on-the-fly.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

let cleanup: (() => void)[] = [];
afterEach(() => {
  cleanup.forEach((f) => f());
  cleanup = [];
});

function task(L: number, seed = 1): AdrRecovery {
  const t = adrRecovery({ N: 8, L, omega: 0.5, n: 32, seed, family: 'time-dependent' });
  cleanup.push(() => t.dispose());
  return t;
}

/** max over variables of max|a − b| / max|b|. */
function relErr(a: readonly Tensor[], b: readonly Tensor[]): number {
  return Math.max(
    ...a.map((t, k) => {
      const da = t.dataSync();
      const db = b[k]!.dataSync();
      let scale = 0;
      let diff = 0;
      db.forEach((v, i) => {
        scale = Math.max(scale, Math.abs(v));
        diff = Math.max(diff, Math.abs(da[i]! - v));
      });
      return diff / scale;
    }),
  );
}

const mse = (y: Tensor2D) => (p: Tensor2D) => tf.mean(tf.squaredDifference(p, y)) as Scalar;

describe('onTheFlyLossAndGrads', () => {
  it('with the final distance and a span ≥ L is ordinary backpropagation', () => {
    const t = task(6);
    const vars = t.model.trainableVariables;
    const full = tf.variableGrads(() => mse(t.y)(t.model.forward(t.x)), vars);
    const ref = vars.map((v) => full.grads[v.name]!);
    const r = onTheFlyLossAndGrads(t.model, vars, t.x, mse(t.y), 6, 'final');
    expect(r.loss.dataSync()[0]).toBe(full.value.dataSync()[0]);
    // Same ops in the same order: equal to float32 rounding.
    expect(relErr(r.grads, ref)).toBeLessThan(1e-5);
    tf.dispose([r.loss, ...r.grads, full.value, ...ref]);
  });

  it('every-layer, span 2: the sum over t of dis(t) differentiated through the last two steps only', () => {
    const L = 5;
    const t = task(L);
    const model = t.model as NeuralPde;
    const vars = model.trainableVariables;
    const block = model.stages[0]!.instance.pde!;
    // Reference: the detached trajectory, then Σ_t dis(step_{t−1}(step_{t−2}(z_{t−2}))) as one taped sum.
    const states = model.trajectory(t.x);
    const ref = tf.variableGrads(() => {
      let total = tf.scalar(0);
      for (let s = 1; s <= L; s++) {
        const a = Math.max(0, s - 2);
        let z = states[a]!;
        for (let l = a; l < s; l++) z = block.step!(z, undefined, l);
        total = tf.add(total, mse(t.y)(z));
      }
      return total as Scalar;
    }, vars);
    const refGrads = vars.map((v) => ref.grads[v.name]!);
    const live = tf.memory().numTensors;
    const r = onTheFlyLossAndGrads(model, vars, t.x, mse(t.y), 2, 'every-layer');
    expect(tf.memory().numTensors).toBe(live + 1 + vars.length);
    expect(relErr(r.grads, refGrads)).toBeLessThan(1e-5);
    // The returned loss is the final distance dis(L).
    expect(r.loss.dataSync()[0]).toBeCloseTo(tf.tidy(() => mse(t.y)(states[L]!).dataSync()[0]!), 7);
    // Layer 0's coefficients are steered by dis(1) and dis(2) only; with span 2 layer l by dis(l+1), dis(l+2).
    tf.dispose([r.loss, ...r.grads, ref.value, ...refGrads, ...states]);
  });
});

describe('@npde/optimizers/on-the-fly', () => {
  it('trains the time-dependent ADR model: the final distance falls', async () => {
    const t = task(4, 3);
    const opt = createOnTheFly(validate(OnTheFlyOptionsSchema, { learningRate: 0.03 }));
    const first = await opt.step(t.problem());
    const live = tf.memory().numTensors;
    let last = first;
    for (let k = 1; k < 40; k++) last = await opt.step(t.problem());
    expect(tf.memory().numTensors).toBe(live);
    expect(last).toBeLessThan(first / 3);
    opt.dispose();
    // Full backpropagation with Adam for the same steps, for the record: both fall.
    const u = task(4, 3);
    const a = adam.create({ options: validate(adam.options, { learningRate: 0.03 }) });
    let back = 0;
    for (let k = 0; k < 40; k++) back = await a.step(u.problem());
    a.dispose();
    expect(back).toBeLessThan(first / 3);
  });

  it('rejects a composite model with a ValidationError', async () => {
    const t = task(2);
    const opt = createOnTheFly(validate(OnTheFlyOptionsSchema, {}));
    const p = t.problem();
    const twoStages: OptimizationProblem = { ...p, model: { ...p.model, stages: [...p.model.stages, ...p.model.stages] } as OptimizationProblem['model'] };
    expect(() => opt.step(twoStages)).toThrow(ValidationError);
    opt.dispose();
  });
});
