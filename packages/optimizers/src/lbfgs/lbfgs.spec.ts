import { ValidationError, tf, validate, type OptimizationProblem, type Scalar, type Tensor2D } from '@npde/core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { adam } from '../adam.js';
import { adrRecovery } from '../testing/adr-problem.test-util.js';
import { LbfgsOptionsSchema, createLbfgs, lbfgs } from './lbfgs.js';
import { cubicInterpolate } from './strong-wolfe.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

let cleanup: (() => void)[] = [];
afterEach(() => {
  cleanup.forEach((f) => f());
  cleanup = [];
});

/** Rosenbrock f(a, b) = (1 − a)² + 100 (b − a²)² over two scalar variables; minimum 0 at (1, 1). */
function rosenbrock(a0: number, b0: number): { problem: OptimizationProblem; f(): number; point(): number[] } {
  const a = tf.variable(tf.scalar(a0));
  const b = tf.variable(tf.scalar(b0));
  cleanup.push(() => tf.dispose([a, b]));
  const f = () => tf.add(tf.square(tf.sub(1, a)), tf.mul(100, tf.square(tf.sub(b, tf.square(a))))) as Scalar;
  const none = tf.zeros([1, 1]) as Tensor2D;
  cleanup.push(() => none.dispose());
  return {
    problem: {
      variables: [a, b],
      loss: () => tf.tidy(f),
      lossAndGrads: () => {
        const { value, grads } = tf.variableGrads(f, [a, b]);
        return { loss: value, grads: [grads[a.name]!, grads[b.name]!] };
      },
      batch: { x: none, y: none },
      model: undefined as unknown as OptimizationProblem['model'],
      iteration: 0,
    },
    f: () => tf.tidy(() => f().dataSync()[0]!),
    point: () => [a.dataSync()[0]!, b.dataSync()[0]!],
  };
}

describe('cubicInterpolate', () => {
  it('finds the minimizer of a cubic from two points and slopes', () => {
    // p(t) = (t − 1)³/3 − (t − 1) ... use p(t) = t³ − 3t: minimum at t = 1.
    const p = (t: number) => t ** 3 - 3 * t;
    const dp = (t: number) => 3 * t * t - 3;
    expect(cubicInterpolate(0, p(0), dp(0), 2, p(2), dp(2))).toBeCloseTo(1, 12);
    expect(cubicInterpolate(2, p(2), dp(2), 0, p(0), dp(0))).toBeCloseTo(1, 12);
  });
  it('falls back to the midpoint when a value is not finite', () => {
    expect(cubicInterpolate(0, 1, -1, 2, Infinity, NaN)).toBe(1);
  });
});

describe('@npde/optimizers/lbfgs', () => {
  it('minimizes the Rosenbrock function from (−1.2, 1) to f < 1e-8', async () => {
    const r = rosenbrock(-1.2, 1);
    const opt = createLbfgs(validate(LbfgsOptionsSchema, { iterations: 200 }));
    const live = tf.memory().numTensors;
    const before = await opt.step(r.problem);
    expect(before).toBeCloseTo(24.2, 4);
    expect(tf.memory().numTensors).toBe(live);
    expect(r.f()).toBeLessThan(1e-8);
    const [a, b] = r.point();
    expect(Math.abs(a! - 1)).toBeLessThan(1e-3);
    expect(Math.abs(b! - 1)).toBeLessThan(2e-3);
    // Textbook L-BFGS needs ~35–45 iterations here; a broken line search or recursion needs hundreds.
    expect(opt.iterations).toBeLessThan(80);
    expect(opt.evaluations).toBeLessThan(120);
    opt.dispose();
  });

  it('state round trip: a fresh instance continues with the same history', async () => {
    const r1 = rosenbrock(-1.2, 1);
    const o1 = createLbfgs(validate(LbfgsOptionsSchema, { iterations: 5 }));
    await o1.step(r1.problem);
    const state = o1.getState!(r1.problem.variables);
    const o2 = createLbfgs(validate(LbfgsOptionsSchema, { iterations: 5 }));
    o2.setState!(r1.problem.variables, state);
    tf.dispose(Object.values(state));
    expect(o2.evaluations).toBe(o1.evaluations);
    const r2 = rosenbrock(...(r1.point() as [number, number]));
    await o1.step(r1.problem);
    await o2.step(r2.problem);
    // float32 history: the two runs agree to float32 rounding of s and y.
    r1.point().forEach((v, i) => expect(r2.point()[i]!).toBeCloseTo(v, 4));
    o1.dispose();
    o2.dispose();
  });

  it('rejects c1 ≥ c2 with a ValidationError', () => {
    expect(() => validate(lbfgs.options, { c1: 0.9, c2: 0.5 }, { path: 'optimizer.options', plugin: lbfgs.id })).toThrow(ValidationError);
  });

  it('recovers the demo ADR coefficients to the float32 floor in fewer loss evaluations than 400 Adam steps', async () => {
    // The demo's problem (heterogeneous ADR, periodic, tanh, ω = 0.5, white noise) at a test size
    // (N = 8 sites, L = 4 steps, 32 samples).
    const task = adrRecovery({ N: 8, L: 4, omega: 0.5, n: 32 });
    cleanup.push(() => task.dispose());
    const opt = createLbfgs(validate(LbfgsOptionsSchema, { iterations: 20 }));
    const live = tf.memory().numTensors;
    for (let k = 0; k < 15 && task.error() > 1e-6; k++) await opt.step(task.problem());
    expect(tf.memory().numTensors).toBe(live);
    // float32 floor: relative error of ~1e-7 in U, D; R (smallest norm) ~1e-6.
    expect(task.error()).toBeLessThan(1e-5);
    expect(opt.evaluations).toBeLessThan(400);
    opt.dispose();

    // Adam, as the demo runs it (lr 0.03, full batch), from the same start with the same 400 budget, for the record.
    const again = adrRecovery({ N: 8, L: 4, omega: 0.5, n: 32 });
    cleanup.push(() => again.dispose());
    const a = adam.create({ options: validate(adam.options, { learningRate: 0.03 }) });
    for (let k = 0; k < opt.evaluations; k++) await a.step(again.problem());
    a.dispose();
    // With the same number of gradient evaluations Adam is still far from the floor.
    expect(again.error()).toBeGreaterThan(10 * task.error());
  });
});
