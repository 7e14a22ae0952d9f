import {
  Registry,
  ShapeError,
  ValidationError,
  globalRegistry,
  tf,
  validate,
  type OptimizationProblem,
  type Optimizer,
  type OptimizerInstance,
  type Scalar,
  type Tensor,
  type Tensor2D,
  type Variable,
} from '@npde/core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { adam, plugins, sgd } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function create<O>(plugin: Optimizer<O>, options: unknown = {}): OptimizerInstance {
  return plugin.create({ options: validate(plugin.options, options, { path: 'optimizer.options', plugin: plugin.id }) });
}

// ------------------------------------------------------------ a convex quadratic

/**
 * f(θ) = ½‖Aθ − c‖² with θ = (w ∈ ℝ³ as a [3, 1] variable, b a scalar variable):
 * A = [X | 1], a linear least-squares fit. The Hessian AᵀA has eigenvalues
 * 1.29 … 6.38 (condition number 4.9); the minimizer has entries of order 0.3–0.9.
 */
const X = [
  [1.0, 0.2, -0.3],
  [0.1, 1.2, 0.4],
  [-0.5, 0.3, 0.9],
  [0.7, -0.8, 0.2],
  [0.2, 0.5, -1.1],
  [-0.9, -0.4, 0.3],
];
const c = [0.5, -1.0, 0.8, 1.2, -0.3, 0.1];
const A = X.map((row) => [...row, 1]);

/** Solve the normal equations AᵀA θ = Aᵀc in float64 (Gaussian elimination with partial pivoting). */
function minimizer(): number[] {
  const n = A[0]!.length;
  const M = Array.from({ length: n }, (_, i) => [
    ...Array.from({ length: n }, (_, j) => A.reduce((s, row) => s + row[i]! * row[j]!, 0)),
    A.reduce((s, row, k) => s + row[i]! * c[k]!, 0),
  ]);
  for (let col = 0; col < n; col++) {
    const p = M.slice(col).reduce((best, row, k) => (Math.abs(row[col]!) > Math.abs(M[best]![col]!) ? col + k : best), col);
    [M[col], M[p]] = [M[p]!, M[col]!];
    for (let r = col + 1; r < n; r++) {
      const f = M[r]![col]! / M[col]![col]!;
      for (let k = col; k <= n; k++) M[r]![k]! -= f * M[col]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) x[r] = (M[r]![n]! - M[r]!.slice(r + 1, n).reduce((s, a, k) => s + a * x[r + 1 + k]!, 0)) / M[r]![r]!;
  return x;
}

/** ∇f(θ) = Aᵀ(Aθ − c), float64. */
function gradient(theta: readonly number[]): number[] {
  const r = A.map((row, k) => row.reduce((s, a, j) => s + a * theta[j]!, 0) - c[k]!);
  return theta.map((_, j) => A.reduce((s, row, k) => s + row[j]! * r[k]!, 0));
}

interface Quadratic {
  readonly problem: OptimizationProblem;
  /** Current θ = (w, b) as numbers. */
  theta(): number[];
  dispose(): void;
}

function quadratic(theta0: readonly number[] = [0, 0, 0, 0]): Quadratic {
  const Xt = tf.tensor2d(X);
  const ct = tf.tensor2d(c, [c.length, 1]);
  const w = tf.variable(tf.tensor2d(theta0.slice(0, 3), [3, 1]));
  const b = tf.variable(tf.scalar(theta0[3]!));
  const f = () => tf.mul(0.5, tf.sum(tf.square(tf.sub(tf.add(tf.matMul(Xt, w), b), ct)))) as Scalar;
  const problem: OptimizationProblem = {
    variables: [w, b],
    loss: () => tf.tidy(f),
    lossAndGrads: () => {
      const { value, grads } = tf.variableGrads(f, [w, b]);
      return { loss: value, grads: [grads[w.name]!, grads[b.name]!] };
    },
    batch: { x: Xt as Tensor2D, y: ct as Tensor2D },
    model: noModel,
    iteration: 0,
  };
  return {
    problem,
    theta: () => [...w.dataSync(), b.dataSync()[0]!],
    dispose: () => tf.dispose([Xt, ct, w, b]),
  };
}

/** A linear loss ⟨g, θ⟩: its gradient is the constant g, so every Adam step of a β = 0 Adam is lr·sign(g). */
function linear(g: readonly number[]): Quadratic {
  const theta = tf.variable(tf.zeros([g.length]));
  const gt = tf.tensor1d([...g]);
  const f = () => tf.sum(tf.mul(gt, theta)) as Scalar;
  return {
    problem: {
      variables: [theta],
      loss: () => tf.tidy(f),
      lossAndGrads: () => {
        const { value, grads } = tf.variableGrads(f, [theta]);
        return { loss: value, grads: [grads[theta.name]!] };
      },
      batch: { x: gt.reshape([1, -1]) as Tensor2D, y: gt.reshape([1, -1]) as Tensor2D },
      model: noModel,
      iteration: 0,
    },
    theta: () => Array.from(theta.dataSync()),
    dispose: () => tf.dispose([theta, gt]),
  };
}

const maxDiff = (a: readonly number[], b: readonly number[]) => Math.max(...a.map((x, i) => Math.abs(x - b[i]!)));

let cleanup: (() => void)[] = [];
afterEach(() => {
  cleanup.forEach((f) => f());
  cleanup = [];
});
function track<T extends { dispose(): void }>(x: T): T {
  cleanup.push(() => x.dispose());
  return x;
}

const thetaStar = minimizer();

/** These optimizers never read `problem.model`; the test problems have none. */
const noModel = undefined as unknown as OptimizationProblem['model'];

// ------------------------------------------------------------ tests

describe('the test problem', () => {
  it('has its float64 minimizer where the gradient vanishes', () => {
    expect(Math.max(...gradient(thetaStar).map(Math.abs))).toBeLessThan(1e-12);
  });
});

describe('@npde/optimizers/sgd', () => {
  it('validates its options', () => {
    expect(validate(sgd.options, {})).toEqual({ learningRate: 0.01, momentum: 0 });
    for (const [options, path] of [
      [{ learningRate: 0 }, 'optimizer.options.learningRate'],
      [{ learningRate: -1 }, 'optimizer.options.learningRate'],
      [{ momentum: 1 }, 'optimizer.options.momentum'],
      [{ momentum: -0.1 }, 'optimizer.options.momentum'],
    ] as const) {
      expect(() => create(sgd, options)).toThrow(expect.objectContaining({ constructor: ValidationError, path }));
    }
  });

  // Against a float64 iteration of the same rule from the same θ₀: the only difference is
  // float32 rounding of θ and g, measured at ≤ 1.3e-7 over 5 steps; the tolerance is 1e-6.
  it('takes exactly the steps θ ← θ − η g (and u ← μu + g, θ ← θ − η u)', () => {
    for (const momentum of [0, 0.8]) {
      const q = track(quadratic([0.3, -0.2, 0.1, 0.5]));
      const opt = track(create(sgd, { learningRate: 0.05, momentum }));
      let theta = q.theta();
      let u = theta.map(() => 0);
      for (let k = 0; k < 5; k++) {
        const lossBefore = tf.tidy(() => q.problem.loss().dataSync()[0]!);
        expect(opt.step(q.problem)).toBe(lossBefore);
        const g = gradient(theta);
        u = u.map((ui, j) => momentum * ui + g[j]!);
        theta = theta.map((t, j) => t - 0.05 * u[j]!);
        expect(maxDiff(q.theta(), theta), `μ = ${momentum}, step ${k}`).toBeLessThan(1e-6);
      }
      expect(opt.learningRate!()).toBe(0.05);
    }
  });

  // η = 0.08 contracts the error by 1 − η λ_min ≈ 0.9 per step: after 250 steps the
  // exact-arithmetic error is ~3e-13, so what remains is the float32 floor (gradient
  // round-off ~1e-7 over λ_min ≈ 1.3; measured ~1e-7). Tolerance 1e-5: 100× that floor.
  it('converges to the float64 minimizer of ½‖Aθ − c‖²', () => {
    for (const momentum of [0, 0.5]) {
      const q = track(quadratic());
      const opt = track(create(sgd, { learningRate: 0.08, momentum }));
      for (let k = 0; k < 250; k++) opt.step(q.problem);
      expect(maxDiff(q.theta(), thetaStar), `μ = ${momentum}`).toBeLessThan(1e-5);
    }
  });
});

describe('@npde/optimizers/adam', () => {
  it('validates its options', () => {
    expect(validate(adam.options, {})).toEqual({
      learningRate: 0.01,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-8,
      decay: 1,
      decaySteps: 100,
      minLearningRate: 0,
    });
    for (const [options, path] of [
      [{ learningRate: 0 }, 'optimizer.options.learningRate'],
      [{ beta1: 1 }, 'optimizer.options.beta1'],
      [{ beta2: -0.5 }, 'optimizer.options.beta2'],
      [{ epsilon: 0 }, 'optimizer.options.epsilon'],
      [{ decay: 0 }, 'optimizer.options.decay'],
      [{ decay: 1.5 }, 'optimizer.options.decay'],
      [{ decaySteps: 0 }, 'optimizer.options.decaySteps'],
      [{ minLearningRate: -1 }, 'optimizer.options.minLearningRate'],
      [{ learningRate: 0.01, minLearningRate: 0.1 }, 'optimizer.options.minLearningRate'],
    ] as const) {
      expect(() => create(adam, options), JSON.stringify(options)).toThrow(expect.objectContaining({ constructor: ValidationError, path }));
    }
  });

  // Bias correction makes m̂ = g and v̂ = g² at t = 1, so Δθ = −α g/(|g| + ε) = −α sign(g)
  // up to α·ε/|g| < 1e-7 and one float32 rounding of θ (< 6e-8); measured 9e-9. Without
  // bias correction the step would be α·√(1−β₂)/(1−β₁)·sign(g) ≈ 3.2 α: far outside 1e-6.
  it('takes a first step of exactly learningRate · sign(g)', () => {
    const q = track(quadratic([0.3, -0.2, 0.1, 0.5]));
    const theta0 = q.theta();
    const g = gradient(theta0);
    expect(Math.min(...g.map(Math.abs))).toBeGreaterThan(1e-2);
    const opt = track(create(adam, { learningRate: 0.1 }));
    opt.step(q.problem);
    const step = q.theta().map((t, j) => t - theta0[j]!);
    expect(maxDiff(step, g.map((gj) => -0.1 * Math.sign(gj)))).toBeLessThan(1e-6);
  });

  // Against a float64 Adam from the same θ₀, 20 steps across a decaying rate: float32
  // rounding of θ, g and the moments, measured at ≤ 1e-7; the tolerance is 1e-6.
  it('matches a float64 reference Adam step by step', () => {
    const options = { learningRate: 0.05, beta1: 0.8, beta2: 0.99, epsilon: 1e-8, decay: 0.5, decaySteps: 10 };
    const q = track(quadratic([0.3, -0.2, 0.1, 0.5]));
    const opt = track(create(adam, options));
    let theta = q.theta();
    let m = theta.map(() => 0);
    let s = theta.map(() => 0);
    for (let t = 1; t <= 20; t++) {
      const lr = options.learningRate * options.decay ** ((t - 1) / options.decaySteps);
      expect(opt.learningRate!()).toBeCloseTo(lr, 12);
      opt.step(q.problem);
      const g = gradient(theta);
      m = m.map((mj, j) => options.beta1 * mj + (1 - options.beta1) * g[j]!);
      s = s.map((sj, j) => options.beta2 * sj + (1 - options.beta2) * g[j]! ** 2);
      theta = theta.map((th, j) => {
        const mHat = m[j]! / (1 - options.beta1 ** t);
        const vHat = s[j]! / (1 - options.beta2 ** t);
        return th - (lr * mHat) / (Math.sqrt(vHat) + options.epsilon);
      });
      expect(maxDiff(q.theta(), theta), `step ${t}`).toBeLessThan(1e-6);
    }
  });

  it('follows the schedule lr_t = max(min, lr · decay^(t/decaySteps))', () => {
    const options = { learningRate: 0.1, decay: 0.5, decaySteps: 10, minLearningRate: 0.02, beta1: 0, beta2: 0 };
    const expected = (t: number) => Math.max(0.02, 0.1 * 0.5 ** (t / 10));
    expect(expected(10)).toBeCloseTo(0.05, 15);
    expect(expected(30)).toBe(0.02);
    // With β₁ = β₂ = 0 every step is lr_t · sign(g): the rate actually used is visible in θ.
    const g = [0.5, -2, 3];
    const q = track(linear(g));
    const opt = track(create(adam, options));
    for (let t = 0; t < 30; t++) {
      expect(opt.learningRate!(), `t = ${t}`).toBeCloseTo(expected(t), 12);
      const before = q.theta();
      opt.step(q.problem);
      const step = q.theta().map((x, j) => x - before[j]!);
      expect(maxDiff(step, g.map((gj) => -expected(t) * Math.sign(gj))), `t = ${t}`).toBeLessThan(1e-6);
    }
    expect(opt.learningRate!()).toBe(0.02);
  });

  // Adam's steps stay of order α_t while the moments remember old gradients, so it is
  // run with the decaying rate (halved every 150 steps, 400 steps): it reaches the
  // float32 floor (measured 2.2e-7) by step ~300. Tolerance 1e-5, as for sgd.
  it('converges to the float64 minimizer of ½‖Aθ − c‖²', () => {
    const q = track(quadratic());
    const opt = track(create(adam, { learningRate: 0.05, decay: 0.5, decaySteps: 150 }));
    for (let k = 0; k < 400; k++) opt.step(q.problem);
    expect(maxDiff(q.theta(), thetaStar)).toBeLessThan(1e-5);
  });
});

describe.each([
  { plugin: sgd as Optimizer<unknown>, options: { momentum: 0.9 }, state: 2 },
  { plugin: adam as Optimizer<unknown>, options: {}, state: 4 },
])('$plugin.id: tensor hygiene', ({ plugin, options, state }) => {
  it('keeps tf.memory().numTensors stable over 50 steps and releases its state on dispose', () => {
    const q = track(quadratic());
    const baseline = tf.memory().numTensors;
    const opt = create(plugin, options);
    opt.step(q.problem);
    const withState = tf.memory().numTensors;
    // Two variables: one state tensor each for momentum, two for Adam.
    expect(withState - baseline).toBe(state);
    for (let k = 0; k < 50; k++) opt.step(q.problem);
    expect(tf.memory().numTensors).toBe(withState);
    opt.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
    expect(() => opt.step(q.problem)).toThrow(/disposed/);
  });

  it('rejects gradients that do not match the variables, leaking nothing', () => {
    const q = track(quadratic());
    const opt = track(create(plugin, options));
    const before = tf.memory().numTensors;
    const bad: OptimizationProblem = {
      ...q.problem,
      lossAndGrads: () => {
        const { loss, grads } = q.problem.lossAndGrads();
        const flat = grads[0]!.reshape([3]);
        tf.dispose(grads);
        return { loss, grads: [flat] };
      },
    };
    expect(() => opt.step(bad)).toThrow(ShapeError);
    expect(tf.memory().numTensors).toBe(before);
    expect((q.problem.variables as Variable[]).every((x) => !x.isDisposed)).toBe(true);
  });
});

describe.each([
  { plugin: sgd as Optimizer<unknown>, options: { learningRate: 0.05, momentum: 0.9 }, keys: ['velocity/0', 'velocity/1'] },
  { plugin: adam as Optimizer<unknown>, options: { learningRate: 0.05, decay: 0.5, decaySteps: 7 }, keys: ['m/0', 'm/1', 'step', 'v/0', 'v/1'] },
])('$plugin.id: getState / setState', ({ plugin, options, keys }) => {
  // A resumed run must end where the uninterrupted one does, to the bit: the state holds
  // every number the update reads (moments, velocity, the step count behind the schedule
  // and Adam's bias correction), and it is copied in float32, as the optimizer holds it.
  it('a fresh instance given the state continues exactly as the original', () => {
    const straight = track(quadratic([0.3, -0.2, 0.1, 0.5]));
    const a = track(create(plugin, options));
    for (let k = 0; k < 20; k++) a.step(straight.problem);

    const first = track(quadratic([0.3, -0.2, 0.1, 0.5]));
    const b = track(create(plugin, options));
    for (let k = 0; k < 10; k++) b.step(first.problem);
    const state = b.getState!(first.problem.variables);
    expect(Object.keys(state).sort()).toEqual(keys);
    const resumed = track(quadratic(first.theta()));
    const c = track(create(plugin, options));
    c.setState!(resumed.problem.variables, state);
    tf.dispose(Object.values(state));
    expect(c.learningRate!()).toBe(b.learningRate!());
    for (let k = 0; k < 10; k++) c.step(resumed.problem);

    expect(resumed.theta()).toEqual(straight.theta());
    expect(c.learningRate!()).toBe(a.learningRate!());
  });

  it('returns copies the caller owns, and holds nothing before the first step', () => {
    const q = track(quadratic());
    const opt = track(create(plugin, options));
    const empty = opt.getState!(q.problem.variables);
    expect(Object.keys(empty).filter((k) => k !== 'step')).toEqual([]);
    tf.dispose(Object.values(empty));
    opt.step(q.problem);
    const before = tf.memory().numTensors;
    const state = opt.getState!(q.problem.variables);
    tf.dispose(Object.values(state));
    expect(tf.memory().numTensors).toBe(before);
    expect(() => opt.step(q.problem)).not.toThrow();
  });

  it('rejects state of the wrong shape or incomplete state by its key, changing nothing', () => {
    const q = track(quadratic());
    const opt = track(create(plugin, options));
    opt.step(q.problem);
    const state = opt.getState!(q.problem.variables);
    const [key0] = keys;
    const wrong: Record<string, Tensor> = { ...state, [key0!]: tf.zeros([7]) };
    const partial: Record<string, Tensor> = { ...state };
    delete partial[key0!];
    const fresh = track(create(plugin, options));
    expect(() => fresh.setState!(q.problem.variables, wrong)).toThrow(expect.objectContaining({ constructor: ShapeError, path: `state.${key0}` }));
    if (plugin === adam) expect(() => fresh.setState!(q.problem.variables, partial)).toThrow(expect.objectContaining({ constructor: ShapeError, path: `state.${key0}` }));
    const none = fresh.getState!(q.problem.variables);
    expect(Object.keys(none).filter((k) => k !== 'step')).toEqual([]);
    tf.dispose([...Object.values(state), ...Object.values(none), wrong[key0!]!]);
  });
});

describe('package entries', () => {
  it('exports every optimizer in `plugins`, frozen', () => {
    expect(plugins.map((p) => p.id)).toEqual(['@npde/optimizers/sgd', '@npde/optimizers/adam', '@npde/optimizers/lbfgs', '@npde/optimizers/pseudoinverse', '@npde/optimizers/adjoint', '@npde/optimizers/on-the-fly']);
    for (const p of plugins) {
      expect(p.kind).toBe('optimizer');
      expect(Object.isFrozen(p)).toBe(true);
    }
    expect(() => new Registry().register(plugins)).not.toThrow();
  });

  it('`./register` adds them to the global registry', async () => {
    await import('./register.js');
    for (const p of plugins) expect(globalRegistry().get('optimizer', p.id)).toBe(p);
  });
});
