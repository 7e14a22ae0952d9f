import { Matrix, solve } from 'ml-matrix';

/** Options of {@link fixedPoint}. */
export interface FixedPointOptions {
  /** `anderson` (default): Anderson acceleration of the map; `picard`: plain iteration `z ← g(z)`. */
  readonly method?: 'anderson' | 'picard';
  /** Anderson memory m: how many past residuals are combined (default 8). */
  readonly memory?: number;
  /** Stop when `‖g(z) − z‖₂ ≤ tolerance · max(1, ‖z‖₂)` (default 1e-10). */
  readonly tolerance?: number;
  /** Give up after this many evaluations of g (default 500). */
  readonly maxIterations?: number;
}

/** What {@link fixedPoint} found. */
export interface FixedPointResult {
  /** The last iterate (the fixed point when `converged`). */
  readonly z: Float64Array;
  /** `‖g(z_k) − z_k‖₂` at every iterate, first to last. */
  readonly residuals: readonly number[];
  /** Whether the tolerance was met. */
  readonly converged: boolean;
  /** Evaluations of g. */
  readonly iterations: number;
  /** The method used. */
  readonly method: 'anderson' | 'picard';
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function norm(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s);
}

/**
 * The fixed point `z* = g(z*)` of a map by Anderson acceleration (type II,
 * Walker & Ni 2011) or plain Picard iteration, with the residual history (the memory is capped at the state size)
 * `‖g(z_k) − z_k‖₂`. Anderson combines the last `m` residuals in a
 * least-squares step, so it converges also where the plain iteration does
 * not contract (on a linear map it matches GMRES). A step whose residual
 * grows past ten times the best so far restarts the memory.
 *
 * Use it for a layer's attractor `z* = f(W z* − b)` (theory §1) through
 * {@link layerFixedPoint} or {@link blockFixedPoint}.
 *
 * @param g - The map, float64 in and out (same length).
 * @param z0 - The starting point.
 *
 * @example
 * ```ts
 * const r = fixedPoint((z) => z.map((v) => Math.cos(v)), [0]);
 * r.z[0]; // 0.7390851332…, r.residuals shows the convergence
 * ```
 */
export function fixedPoint(g: (z: Float64Array) => ArrayLike<number>, z0: ArrayLike<number>, options: FixedPointOptions = {}): FixedPointResult {
  const method = options.method ?? 'anderson';
  const m = Math.max(1, Math.min(options.memory ?? 8, z0.length));
  const tol = options.tolerance ?? 1e-10;
  const maxIt = options.maxIterations ?? 500;
  const n = z0.length;
  let z = Float64Array.from(z0);
  const residuals: number[] = [];
  const dF: Float64Array[] = [];
  const dG: Float64Array[] = [];
  let prevF: Float64Array | undefined;
  let prevG: Float64Array | undefined;
  let best = Infinity;
  for (let it = 1; it <= maxIt; it++) {
    const gz = Float64Array.from(g(z));
    if (gz.length !== n) throw new RangeError(`fixedPoint: the map returned ${gz.length} values for ${n}`);
    const f = gz.map((v, i) => v - z[i]!);
    const r = norm(f);
    residuals.push(r);
    if (!Number.isFinite(r)) return { z, residuals, converged: false, iterations: it, method };
    if (r <= tol * Math.max(1, norm(z))) return { z, residuals, converged: true, iterations: it, method };
    if (method === 'picard') {
      z = gz;
      continue;
    }
    if (r > 10 * best) {
      dF.length = 0;
      dG.length = 0;
    } else if (prevF && prevG) {
      dF.push(f.map((v, i) => v - prevF![i]!));
      dG.push(gz.map((v, i) => v - prevG![i]!));
      if (dF.length > m) {
        dF.shift();
        dG.shift();
      }
    }
    best = Math.min(best, r);
    prevF = f;
    prevG = gz;
    if (dF.length === 0) {
      z = gz;
      continue;
    }
    // γ = argmin ‖f − ΔF γ‖₂ by regularized normal equations (ΔFᵀΔF + λI) γ = ΔFᵀ f, z ← g(z) − ΔG γ
    const k = dF.length;
    const gram = Matrix.zeros(k, k);
    const rhs = Matrix.zeros(k, 1);
    for (let a = 0; a < k; a++) {
      rhs.set(a, 0, dot(dF[a]!, f));
      for (let c = a; c < k; c++) {
        const v = dot(dF[a]!, dF[c]!);
        gram.set(a, c, v);
        gram.set(c, a, v);
      }
    }
    let trace = 0;
    for (let a = 0; a < k; a++) trace += gram.get(a, a);
    for (let a = 0; a < k; a++) gram.set(a, a, gram.get(a, a) + 1e-13 * trace + 1e-300);
    const gamma = solve(gram, rhs).getColumn(0);
    const next = Float64Array.from(gz);
    dG.forEach((col, k) => col.forEach((v, i) => (next[i]! -= gamma[k]! * v)));
    z = next;
  }
  return { z, residuals, converged: false, iterations: maxIt, method };
}

/** A layer `z ↦ f(W z − b)` in plain numbers. */
export interface LayerMap {
  /** W row-major, `[n, n]`. */
  readonly matrix: ArrayLike<number>;
  /** b (default 0). */
  readonly bias?: ArrayLike<number>;
  /** The activation, elementwise (default the identity). */
  readonly activation?: (x: number) => number;
}

/**
 * The attractor `z* = f(W z* − b)` of one layer given as plain numbers
 * (theory §1, eq. 12): a fixed point of the relaxation dynamics for every ω.
 *
 * @example
 * ```ts
 * const r = layerFixedPoint({ matrix: w, bias: b, activation: Math.tanh }, new Array(n).fill(0));
 * ```
 */
export function layerFixedPoint(layer: LayerMap, z0: ArrayLike<number>, options: FixedPointOptions = {}): FixedPointResult {
  const n = z0.length;
  if (layer.matrix.length !== n * n) throw new RangeError(`layerFixedPoint: W has ${layer.matrix.length} entries for a state of ${n}`);
  const f = layer.activation ?? ((x: number): number => x);
  const g = (z: Float64Array): Float64Array => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = -(layer.bias?.[i] ?? 0);
      for (let j = 0; j < n; j++) s += layer.matrix[i * n + j]! * z[j]!;
      out[i] = f(s);
    }
    return out;
  };
  return fixedPoint(g, z0, options);
}
