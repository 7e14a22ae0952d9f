import { tf, type Scalar, type StepContext, type Tensor2D } from '@npde/core';

/**
 * An explicit Runge–Kutta scheme as a Butcher tableau: stage i evaluates the
 * right-hand side at z + ω Σ_{j<i} a[i][j] k_j, the step is z + ω Σ_i b[i] k_i.
 * `a` is strictly lower triangular (row i has i entries).
 */
export interface ButcherTableau {
  /** Stage coefficients; row i holds a[i][0..i−1]. */
  readonly a: readonly (readonly number[])[];
  /** Weights of the stages in the step. */
  readonly b: readonly number[];
  /** Order of accuracy of the scheme. */
  readonly order: number;
}

/** Heun's method (explicit trapezoidal rule), order 2. */
export const HEUN_TABLEAU: ButcherTableau = Object.freeze({ a: [[], [1]], b: [0.5, 0.5], order: 2 });

/** The classic fourth-order Runge–Kutta scheme. */
export const RK4_TABLEAU: ButcherTableau = Object.freeze({
  a: [[], [0.5], [0, 0.5], [0, 0, 1]],
  b: [1 / 6, 1 / 3, 1 / 3, 1 / 6],
  order: 4,
});

/** z + ω Σ c_j k_j over the non-zero c_j (z itself when all are zero). */
function combine(z: Tensor2D, omega: Scalar, coefficients: readonly number[], k: readonly Tensor2D[]): Tensor2D {
  let sum: tf.Tensor | undefined;
  coefficients.forEach((c, j) => {
    if (c === 0) return;
    const term = c === 1 ? k[j]! : tf.mul(c, k[j]!);
    sum = sum ? tf.add(sum, term) : term;
  });
  return sum ? (tf.add(z, tf.mul(omega, sum)) as Tensor2D) : z;
}

/**
 * One step of an explicit Runge–Kutta scheme on the relaxation dynamics
 * dz/dt = γ F(z) (`ctx.rhs`), ω = γ·dt: differentiable in z, ω and whatever
 * F depends on. Allocates freely; the caller tidies.
 *
 * @example
 * ```ts
 * const next = explicitRungeKuttaStep(ctx, RK4_TABLEAU);
 * ```
 */
export function explicitRungeKuttaStep(ctx: StepContext, tableau: ButcherTableau): Tensor2D {
  const k: Tensor2D[] = [];
  for (const row of tableau.a) k.push(ctx.rhs(combine(ctx.z, ctx.omega, row, k)));
  return combine(ctx.z, ctx.omega, tableau.b, k);
}

/**
 * The same step in float64 plain JavaScript, from the same tableau: for
 * measuring the scheme's order below float32's round-off (tests, docs).
 *
 * @example
 * ```ts
 * const next = explicitRungeKuttaStep64((u) => u.map((x) => -x), [1, 2], 0.1, RK4_TABLEAU);
 * ```
 */
export function explicitRungeKuttaStep64(rhs: (u: readonly number[]) => number[], z: readonly number[], omega: number, tableau: ButcherTableau): number[] {
  const k: number[][] = [];
  const at = (c: readonly number[]) => z.map((zi, i) => zi + omega * c.reduce((s, cj, j) => s + cj * k[j]![i]!, 0));
  for (const row of tableau.a) k.push(rhs(at(row)));
  return at(tableau.b);
}

/**
 * The scheme's stability function R(ζ) = 1 + ζ bᵀ (I − ζ A)⁻¹ 𝟙 at a complex ζ = ω λ,
 * as |R|: the tableau applied to the test equation dz/dt = λ z.
 *
 * @example
 * ```ts
 * rungeKuttaAmplification(HEUN_TABLEAU, -2, 0); // |1 − 2 + 2| = 1: the real-axis limit
 * ```
 */
export function rungeKuttaAmplification(tableau: ButcherTableau, re: number, im: number): number {
  const kRe: number[] = [];
  const kIm: number[] = [];
  const stage = (c: readonly number[]): [number, number] => {
    let uRe = 1;
    let uIm = 0;
    c.forEach((cj, j) => {
      uRe += cj * kRe[j]!;
      uIm += cj * kIm[j]!;
    });
    return [uRe, uIm];
  };
  for (const row of tableau.a) {
    const [uRe, uIm] = stage(row);
    kRe.push(re * uRe - im * uIm);
    kIm.push(re * uIm + im * uRe);
  }
  const [rRe, rIm] = stage(tableau.b);
  return Math.hypot(rRe, rIm);
}
