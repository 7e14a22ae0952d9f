import { dot } from '../flat-parameters.js';

/** Loss and gradient at a trial point x + t·d. */
export interface TrialPoint {
  /** Loss (non-finite values are read as +∞). */
  readonly f: number;
  /** Gradient, flat. */
  readonly g: Float64Array;
}

/** Settings of {@link strongWolfe}. */
export interface StrongWolfeOptions {
  /** Sufficient-decrease constant c₁ (Armijo). */
  readonly c1: number;
  /** Curvature constant c₂ (c₁ < c₂ < 1). */
  readonly c2: number;
  /** Give up refining once the bracket moves the parameters by less than this (max-norm). */
  readonly toleranceChange: number;
  /** Most loss evaluations the search may spend. */
  readonly maxEvaluations: number;
}

/** What {@link strongWolfe} found. */
export interface LineSearchResult extends TrialPoint {
  /** The accepted step length t (0 when no trial decreased the loss). */
  readonly t: number;
  /** Loss evaluations spent. */
  readonly evaluations: number;
}

/**
 * Minimizer of the cubic through (x₁, f₁, g₁) and (x₂, f₂, g₂), clamped to
 * `bounds` (default: between x₁ and x₂); the midpoint when the cubic has no
 * minimizer or a value is not finite (Nocedal & Wright eq. 3.59).
 */
export function cubicInterpolate(x1: number, f1: number, g1: number, x2: number, f2: number, g2: number, bounds?: readonly [number, number]): number {
  const [lo, hi] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2sq = d1 * d1 - g1 * g2;
  if (d2sq >= 0 && Number.isFinite(d2sq)) {
    const d2 = Math.sqrt(d2sq);
    const min = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2)) : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    if (Number.isFinite(min)) return Math.min(Math.max(min, lo), hi);
  }
  return (lo + hi) / 2;
}

/** A trial point along the search line: t, φ(t) = f(x + t d), φ'(t) = ∇f(x + t d)·d and the gradient. */
interface Probe {
  readonly t: number;
  readonly f: number;
  readonly slope: number;
  readonly g: Float64Array;
}

/**
 * Line search for a step length t along the descent direction d satisfying the
 * strong Wolfe conditions, after Nocedal & Wright, *Numerical Optimization*
 * (2nd ed.), Algorithm 3.5 (bracketing) and Algorithm 3.6 (zoom), with cubic
 * interpolation safeguarded to the inner 80 % of the bracket:
 *
 *     f(x + t d) ≤ f(x) + c₁ t ∇f·d          (sufficient decrease)
 *     |∇f(x + t d)·d| ≤ c₂ |∇f(x)·d|          (curvature)
 *
 * `evaluate(t)` sets the parameters to x + t·d and returns loss and gradient
 * there (a non-finite loss counts as +∞, so the search backs off). Returns the
 * point that satisfied both conditions or, when the evaluation budget or the
 * bracket width (`toleranceChange`, in parameter units) runs out, the
 * lowest point found that satisfies sufficient decrease — t = 0 (no progress)
 * when there is none.
 *
 * @example
 * ```ts
 * const r = strongWolfe((t) => lossAndGradAt(t), 1, d, f0, g0, dot(g0, d), { c1: 1e-4, c2: 0.9, toleranceChange: 1e-9, maxEvaluations: 25 });
 * ```
 */
export function strongWolfe(
  evaluate: (t: number) => TrialPoint,
  t0: number,
  d: Float64Array,
  f: number,
  g: Float64Array,
  gtd: number,
  o: StrongWolfeOptions,
): LineSearchResult {
  let dNorm = 0;
  for (let i = 0; i < d.length; i++) dNorm = Math.max(dNorm, Math.abs(d[i]!));
  let evaluations = 0;
  const probe = (t: number): Probe => {
    evaluations++;
    const p = evaluate(t);
    const slope = dot(p.g, d);
    const finite = Number.isFinite(p.f) && Number.isFinite(slope);
    return { t, f: finite ? p.f : Infinity, slope: finite ? slope : Infinity, g: p.g };
  };
  const origin: Probe = { t: 0, f, slope: gtd, g };
  const armijo = (p: Probe) => p.f <= f + o.c1 * p.t * gtd;
  const curvature = (p: Probe) => Math.abs(p.slope) <= -o.c2 * gtd;
  const result = (p: Probe): LineSearchResult => ({ t: p.t, f: p.f, g: p.g, evaluations });

  /** Algorithm 3.6: `lo` satisfies sufficient decrease with the lowest f so far; the minimizer sought lies between lo and hi. */
  const zoom = (lo: Probe, hi: Probe): LineSearchResult => {
    while (evaluations < o.maxEvaluations && Math.abs(hi.t - lo.t) * dNorm >= o.toleranceChange) {
      const a = Math.min(lo.t, hi.t);
      const b = Math.max(lo.t, hi.t);
      const margin = 0.1 * (b - a);
      const p = probe(cubicInterpolate(lo.t, lo.f, lo.slope, hi.t, hi.f, hi.slope, [a + margin, b - margin]));
      if (!armijo(p) || p.f >= lo.f) {
        hi = p;
      } else {
        if (curvature(p)) return result(p);
        if (p.slope * (hi.t - lo.t) >= 0) hi = lo;
        lo = p;
      }
    }
    return result(lo);
  };

  // Algorithm 3.5: grow t until the interval (previous, t) brackets an acceptable step.
  let previous = origin;
  let t = t0;
  for (let i = 1; ; i++) {
    const p = probe(t);
    if (!armijo(p) || (i > 1 && p.f >= previous.f)) return zoom(previous, p);
    if (curvature(p)) return result(p);
    if (p.slope >= 0) return zoom(p, previous);
    if (evaluations >= o.maxEvaluations) return result(p);
    // Still descending with sufficient decrease: extrapolate by the cubic through both ends,
    // kept between 1.5× and 5× the last step length.
    const step = t - previous.t;
    const next = cubicInterpolate(previous.t, previous.f, previous.slope, t, p.f, p.slope, [t + 0.5 * step, t + 4 * step]);
    previous = p;
    t = next;
  }
}
