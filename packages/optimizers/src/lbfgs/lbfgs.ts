import { ErrorCodes, ShapeError, defineOptimizer, tf, v, type OptimizationProblem, type OptimizerInstance, type Tensor, type Variable } from '@npde/core';
import { dot, maxAbs, readFlat, writeFlat } from '../flat-parameters.js';
import { strongWolfe, type TrialPoint } from './strong-wolfe.js';

/** Options schema of {@link lbfgs}. */
export const LbfgsOptionsSchema = v.pipe(
  v.strictObject({
    /** Number m of (s, y) pairs kept for the inverse-Hessian estimate, ≥ 1. Default 10. */
    historySize: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), 10),
    /** L-BFGS iterations per `step()` call, ≥ 1. Default 1 (one iteration per trainer step). */
    iterations: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), 1),
    /** First trial step length of each line search (the first iteration scales it by min(1, 1/‖g‖₁)). Default 1. */
    learningRate: v.optional(v.pipe(v.number(), v.finite(), v.gtValue(0)), 1),
    /** Stop iterating once max |∇f| ≤ this. Default 1e-12. */
    gradTolerance: v.optional(v.pipe(v.number(), v.finite(), v.minValue(0)), 1e-12),
    /** Sufficient-decrease constant c₁ of the strong Wolfe conditions. Default 1e-4. */
    c1: v.optional(v.pipe(v.number(), v.gtValue(0), v.ltValue(1)), 1e-4),
    /** Curvature constant c₂ of the strong Wolfe conditions, c₁ < c₂ < 1. Default 0.9. */
    c2: v.optional(v.pipe(v.number(), v.gtValue(0), v.ltValue(1)), 0.9),
    /** Most loss evaluations one line search may spend. Default 25. */
    maxLineSearch: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), 25),
  }),
  v.forward(
    v.partialCheck([['c1'], ['c2']], (o) => o.c1 < o.c2, 'c1 must be smaller than c2'),
    ['c2'],
  ),
);

/** Validated options of {@link lbfgs}. */
export type LbfgsOptions = v.InferOutput<typeof LbfgsOptionsSchema>;

/** An L-BFGS instance: an optimizer that also reports how many times it evaluated the loss. */
export interface LbfgsInstance extends OptimizerInstance {
  /** Loss-and-gradient evaluations so far (each is one forward and one backward pass). */
  readonly evaluations: number;
  /** L-BFGS iterations (line searches) so far. */
  readonly iterations: number;
  /**
   * True once a line search along steepest descent found no lower loss (the
   * float32 floor of a full-batch problem): later `step()` calls then only
   * evaluate the loss (one evaluation) instead of searching again.
   */
  readonly stalled: boolean;
}

/**
 * Create an L-BFGS instance directly (what the plugin's `create` does), typed
 * with its evaluation counter.
 *
 * @example
 * ```ts
 * const opt = createLbfgs(validate(LbfgsOptionsSchema, { iterations: 20 }));
 * await opt.step(problem);
 * console.log(opt.evaluations);
 * ```
 */
export function createLbfgs(options: LbfgsOptions): LbfgsInstance {
  const m = options.historySize;
  let S: Float64Array[] = [];
  let Y: Float64Array[] = [];
  let evaluations = 0;
  let iterations = 0;
  let disposed = false;
  let stalled = false;

  const evaluate = (problem: OptimizationProblem): TrialPoint => {
    evaluations++;
    const { loss, grads } = problem.lossAndGrads();
    try {
      checkGrads(problem.variables, grads);
      return { f: loss.dataSync()[0]!, g: readFlat(grads) };
    } finally {
      loss.dispose();
      tf.dispose(grads);
    }
  };

  /** The two-loop recursion: d = −H g with H₀ = (sᵀy / yᵀy) I. */
  const direction = (g: Float64Array): Float64Array => {
    const q = Float64Array.from(g);
    const k = S.length;
    const alpha = new Float64Array(k);
    const rho = S.map((s, i) => 1 / dot(Y[i]!, s));
    for (let i = k - 1; i >= 0; i--) {
      alpha[i] = rho[i]! * dot(S[i]!, q);
      const y = Y[i]!;
      for (let j = 0; j < q.length; j++) q[j]! -= alpha[i]! * y[j]!;
    }
    const gamma = k > 0 ? dot(S[k - 1]!, Y[k - 1]!) / dot(Y[k - 1]!, Y[k - 1]!) : 1;
    for (let j = 0; j < q.length; j++) q[j]! *= gamma;
    for (let i = 0; i < k; i++) {
      const beta = rho[i]! * dot(Y[i]!, q);
      const s = S[i]!;
      for (let j = 0; j < q.length; j++) q[j]! += (alpha[i]! - beta) * s[j]!;
    }
    for (let j = 0; j < q.length; j++) q[j] = -q[j]!;
    return q;
  };

  return {
    get evaluations() {
      return evaluations;
    },
    get stalled() {
      return stalled;
    },
    get iterations() {
      return iterations;
    },
    step(problem) {
      if (disposed) throw new Error(`'${lbfgs.id}': the optimizer has been disposed`);
      const vars = problem.variables;
      let x = readFlat(vars);
      let { f, g } = evaluate(problem);
      const f0 = f;
      if (!Number.isFinite(f) || stalled) return f0;
      for (let it = 0; it < options.iterations; it++) {
        if (maxAbs(g) <= options.gradTolerance) break;
        let d = direction(g);
        let gtd = dot(g, d);
        if (!(gtd < 0)) {
          // The estimate lost positive definiteness (or the curvature was noise): restart from −g.
          S = [];
          Y = [];
          d = direction(g);
          gtd = dot(g, d);
        }
        let gAbs = 0;
        for (let j = 0; j < g.length; j++) gAbs += Math.abs(g[j]!);
        const t0 = iterations === 0 && S.length === 0 ? Math.min(1, 1 / gAbs) * options.learningRate : options.learningRate;
        const base = x;
        const trial = (t: number): TrialPoint => {
          const xt = new Float64Array(base.length);
          for (let j = 0; j < xt.length; j++) xt[j] = base[j]! + t * d[j]!;
          writeFlat(vars, xt);
          return evaluate(problem);
        };
        const ls = strongWolfe(trial, t0, d, f, g, gtd, {
          c1: options.c1,
          c2: options.c2,
          toleranceChange: 1e-12,
          maxEvaluations: options.maxLineSearch,
        });
        iterations++;
        const target = new Float64Array(base.length);
        for (let j = 0; j < target.length; j++) target[j] = base[j]! + ls.t * d[j]!;
        const xNew = writeFlat(vars, target);
        const s = new Float64Array(xNew.length);
        const y = new Float64Array(xNew.length);
        for (let j = 0; j < s.length; j++) {
          s[j] = xNew[j]! - base[j]!;
          y[j] = ls.g[j]! - g[j]!;
        }
        const moved = maxAbs(s) > 0 && ls.f <= f;
        if (!moved) {
          // No progress along this direction: forget the curvature pairs, or stop if there were none.
          writeFlat(vars, base);
          if (S.length === 0) {
            stalled = true;
            break;
          }
          S = [];
          Y = [];
          continue;
        }
        if (dot(s, y) > 1e-10 * dot(y, y)) {
          S.push(s);
          Y.push(y);
          if (S.length > m) {
            S.shift();
            Y.shift();
          }
        }
        x = xNew;
        f = ls.f;
        g = ls.g;
      }
      return f0;
    },
    learningRate: () => options.learningRate,
    getState: () => {
      const n = S[0]?.length ?? 0;
      const flat = (a: Float64Array[]) => tf.tensor2d(Float32Array.from(a.flatMap((r) => Array.from(r))), [a.length, n]);
      return { s: flat(S), y: flat(Y), evaluations: tf.scalar(evaluations, 'int32'), iterations: tf.scalar(iterations, 'int32') };
    },
    setState: (_variables, state) => {
      const s = state['s'];
      const y = state['y'];
      if (!s || !y || s.rank !== 2 || s.shape.join() !== y.shape.join()) {
        throw new ShapeError(ErrorCodes.SHAPE_MISMATCH, 'L-BFGS state has no matching s and y histories', {
          path: 'state.s',
          expected: 'two float tensors [pairs, parameters] of the same shape',
          received: s && y ? `[${s.shape.join(', ')}] and [${y.shape.join(', ')}]` : 'missing entries',
          hint: "Pass the state written by L-BFGS's getState().",
        });
      }
      const rows = (t: Tensor) => {
        const data = t.dataSync();
        const [k, n] = t.shape as [number, number];
        return Array.from({ length: k }, (_, i) => Float64Array.from(data.subarray(i * n, (i + 1) * n)));
      };
      S = rows(s);
      Y = rows(y);
      stalled = false;
      evaluations = state['evaluations']?.dataSync()[0] ?? 0;
      iterations = state['iterations']?.dataSync()[0] ?? 0;
    },
    dispose: () => {
      disposed = true;
      S = [];
      Y = [];
    },
  };
}

function checkGrads(variables: readonly Variable[], grads: readonly Tensor[]): void {
  const bad = grads.length !== variables.length ? -1 : grads.findIndex((g, i) => g.size !== variables[i]!.size);
  if (grads.length === variables.length && bad < 0) return;
  throw new ShapeError(ErrorCodes.SHAPE_MISMATCH, 'one gradient of its variable\'s shape is needed per variable', {
    path: bad < 0 ? 'problem.lossAndGrads().grads' : `problem.lossAndGrads().grads[${bad}]`,
    expected: bad < 0 ? `${variables.length} gradients` : `[${variables[bad]!.shape.join(', ')}]`,
    received: bad < 0 ? `${grads.length}` : `[${grads[bad]!.shape.join(', ')}]`,
    hint: 'lossAndGrads() must return the gradients in the order of `problem.variables`.',
  });
}

/**
 * L-BFGS (Liu & Nocedal 1989) with a strong-Wolfe line search, the quasi-Newton
 * method Guo–Huang–Xu list for neural PDEs (theory §7). Each iteration takes
 * the direction d = −H g from the two-loop recursion over the last
 * `historySize` pairs s = Δθ, y = Δ∇f (H₀ = sᵀy / yᵀy), then searches t with
 *
 *     f(θ + t d) ≤ f(θ) + c₁ t ∇f·d,     |∇f(θ + t d)·d| ≤ c₂ |∇f·d|
 *
 * by cubic interpolation and zoom (Nocedal & Wright, Alg. 3.5–3.6). The
 * recursion and the history live on the host in float64; parameters are
 * written back as float32.
 *
 * Full batch only: the curvature pairs assume every evaluation is of the same
 * loss, so train with `batchSize` equal to the data size. One `step()` runs
 * `iterations` iterations and returns the loss before them; it costs one
 * evaluation at the start plus the line searches' (usually one each). The
 * instance counts them (`evaluations`, see {@link createLbfgs}). `getState`
 * stores the history as float32 (a resumed run continues from a rounded history).
 *
 * @example
 * ```ts
 * // full batch, 20 iterations per trainer step
 * await trainer.fit(model, data, { optimizer: { id: '@npde/optimizers/lbfgs',
 *   options: { iterations: 20, historySize: 10 } }, batchSize: n, epochs: 10 });
 * ```
 */
export const lbfgs = defineOptimizer<LbfgsOptions>({
  id: '@npde/optimizers/lbfgs',
  description: 'L-BFGS with a strong-Wolfe line search (full batch), counting loss evaluations',
  options: LbfgsOptionsSchema,
  create: ({ options }) => createLbfgs(options),
});
