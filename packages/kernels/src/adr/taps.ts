import { ErrorCodes, ShapeError, ValidationError } from '@npde/core';

/**
 * Advection–diffusion–reaction coefficients per site (theory §6), in the
 * length unit of the grid spacing `dx`: advection speed `U`, diffusion
 * coefficient `D`, reaction rate `R`. All three arrays have one entry per site.
 */
export interface AdrCoefficients {
  /** Advection speed per site. */
  readonly U: ArrayLike<number>;
  /** Diffusion coefficient per site. */
  readonly D: ArrayLike<number>;
  /** Reaction rate per site. */
  readonly R: ArrayLike<number>;
}

/**
 * The three taps of the ADR stencil per site:
 * `(W z)_i = A_i z_{i−1} + C_i z_i + B_i z_{i+1}`.
 */
export interface StencilTaps {
  /** Weight of the left neighbor `z_{i−1}`. */
  readonly A: ArrayLike<number>;
  /** Weight of the right neighbor `z_{i+1}`. */
  readonly B: ArrayLike<number>;
  /** Weight of the site itself `z_i`. */
  readonly C: ArrayLike<number>;
}

function sameLength(arrays: Record<string, ArrayLike<number>>, what: string): number {
  const entries = Object.entries(arrays);
  const n = entries[0]![1].length;
  for (const [name, a] of entries) {
    if (a.length !== n) {
      throw new ShapeError(ErrorCodes.SHAPE_MISMATCH, `${what} must have one entry per site`, {
        path: name,
        expected: `${n} entries (as many as ${entries[0]![0]})`,
        received: `${a.length} entries`,
      });
    }
  }
  return n;
}

function checkDx(dx: number): void {
  if (!(Number.isFinite(dx) && dx > 0)) {
    throw new ValidationError(ErrorCodes.INVALID_OPTIONS, 'the grid spacing must be a finite number > 0', {
      path: 'dx',
      expected: 'a finite number > 0',
      received: String(dx),
    });
  }
}

/**
 * Stencil taps from ADR coefficients on a uniform grid of spacing `dx`
 * (theory §6), in float64:
 *
 *     A = −U/(2Δ) + D/Δ²,   B = +U/(2Δ) + D/Δ²,   C = 1 − 2D/Δ² + R
 *
 * @param coefficients - `U`, `D`, `R`, one entry per site each.
 * @param dx - Grid spacing Δ (default 1: grid units).
 * @returns Fresh arrays `A`, `B`, `C`.
 * @throws ShapeError `SHAPE_MISMATCH` when the arrays differ in length; ValidationError `INVALID_OPTIONS` for `dx ≤ 0`.
 *
 * @example
 * ```ts
 * adrToTaps({ U: [0.2], D: [0.1], R: [0] }); // { A: [0], B: [0.2], C: [0.8] }
 * ```
 */
export function adrToTaps(
  coefficients: AdrCoefficients,
  dx = 1,
): {
  /** Weight of the left neighbor per site. */
  A: number[];
  /** Weight of the right neighbor per site. */
  B: number[];
  /** Weight of the site itself per site. */
  C: number[];
} {
  checkDx(dx);
  const { U, D, R } = coefficients;
  const n = sameLength({ U, D, R }, 'ADR coefficients');
  const A = new Array<number>(n);
  const B = new Array<number>(n);
  const C = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const adv = U[i]! / (2 * dx);
    const dif = D[i]! / (dx * dx);
    A[i] = dif - adv;
    B[i] = dif + adv;
    C[i] = 1 - 2 * dif + R[i]!;
  }
  return { A, B, C };
}

/**
 * ADR coefficients from stencil taps, the inverse of {@link adrToTaps} (float64):
 *
 *     U = (B − A)·Δ,   D = (A + B)·Δ²/2,   R = C − 1 + A + B
 *
 * Any 3-point stencil has exactly one ADR reading, so this is how a learned
 * tridiagonal W is reported as physics.
 *
 * @param taps - `A`, `B`, `C`, one entry per site each.
 * @param dx - Grid spacing Δ (default 1: grid units).
 * @returns Fresh arrays `U`, `D`, `R`.
 * @throws ShapeError `SHAPE_MISMATCH` when the arrays differ in length; ValidationError `INVALID_OPTIONS` for `dx ≤ 0`.
 *
 * @example
 * ```ts
 * tapsToAdr({ A: [0], B: [0.2], C: [0.8] }); // { U: [0.2], D: [0.1], R: [0] }
 * ```
 */
export function tapsToAdr(
  taps: StencilTaps,
  dx = 1,
): {
  /** Advection speed per site. */
  U: number[];
  /** Diffusion coefficient per site. */
  D: number[];
  /** Reaction rate per site. */
  R: number[];
} {
  checkDx(dx);
  const { A, B, C } = taps;
  const n = sameLength({ A, B, C }, 'stencil taps');
  const U = new Array<number>(n);
  const D = new Array<number>(n);
  const R = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    U[i] = (B[i]! - A[i]!) * dx;
    D[i] = ((A[i]! + B[i]!) * dx * dx) / 2;
    R[i] = C[i]! - 1 + A[i]! + B[i]!;
  }
  return { U, D, R };
}

/**
 * Discrete moments of a 3-point stencil per site, in grid units (theory §2 and §6):
 *
 *     W_0 = A + B + C,   W_k = (−1)^k A + B  (k ≥ 1)
 *
 * so `W_1 = B − A` (advection), `W_2 = A + B` (diffusion), odd orders repeat
 * `W_1` and even orders repeat `W_2`. The neighbors are always at offsets −1
 * and +1, also at the edge sites of a periodic grid (the wrapped neighbor is
 * one step away on the ring, not N − 1 as in a dense-matrix moment). To
 * describe a zero-padded edge, pass `A_0 = 0` and `B_{N−1} = 0`.
 *
 * @param taps - `A`, `B`, `C`, one entry per site each.
 * @param maxOrder - Highest order k (a non-negative integer).
 * @returns `result[k][site]` for `k = 0..maxOrder`.
 *
 * @example
 * ```ts
 * tapMoments({ A: [0.1], B: [0.3], C: [0.6] }, 2); // [[1], [0.2], [0.4]]
 * ```
 */
export function tapMoments(taps: StencilTaps, maxOrder: number): number[][] {
  if (!Number.isInteger(maxOrder) || maxOrder < 0) {
    throw new RangeError(`tapMoments: maxOrder must be a non-negative integer, got ${maxOrder}`);
  }
  const { A, B, C } = taps;
  const n = sameLength({ A, B, C }, 'stencil taps');
  const out: number[][] = [];
  for (let k = 0; k <= maxOrder; k++) {
    const row = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      row[i] = k === 0 ? A[i]! + B[i]! + C[i]! : (k % 2 === 0 ? A[i]! : -A[i]!) + B[i]!;
    }
    out.push(row);
  }
  return out;
}
