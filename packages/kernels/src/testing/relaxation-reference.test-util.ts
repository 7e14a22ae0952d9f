/**
 * Test-only float64 reference for the relaxation forward pass
 * z ← (1 − ω) z + ω tanh(W_l z) and its loss, in plain JavaScript numbers,
 * plus central finite differences and a gradient comparison. Deliberately
 * independent of the code under test: stencil matrices are rebuilt here from
 * theory §6, not with the package's helpers.
 */
import { tf, type KernelInstance, type Scalar, type Tensor2D } from '@npde/core';

/** A dense matrix, `m[i][j]`, float64. */
export type Matrix64 = number[][];

/**
 * Tolerances of {@link gradientError} for a float32 tfjs gradient against a
 * float64 finite-difference gradient.
 *
 * The reference is exact to ~1e-9 relative: central differences with
 * h = 1e-6 have truncation error O(h²) ≈ 1e-12 and rounding error
 * ≈ ε₆₄·|loss|/h ≈ 1e-10. The tfjs side runs in float32 (unit roundoff
 * 6e-8 per operation); a forward + backward pass of L = 3 layers over N = 8
 * sites chains a few dozen operations per entry, so accumulated rounding
 * stays around 1e-6 relative at worst; measured on the cpu backend it is
 * 6e-8 to 2e-7 (ADR) and about 1e-7 (dense). Allowing 1e-4 norm-wise and
 * 1e-4 of the largest entry per entry leaves a margin of ≥ 100× over float32
 * noise (also for backends that sum in another order), while staying far
 * below the 1e-2 … 1 errors of real bugs (a wrong boundary, a swapped tap, a
 * transposed W); the sensitivity tests show such bugs are caught.
 */
export const GRADIENT_TOLERANCE = { normwise: 1e-4, entrywise: 1e-4 } as const;

export { seededRandom } from '@npde/core';

/** `rows × cols` values uniform in [−scale, scale], rounded to float32 so tfjs sees the same numbers. */
export function randomMatrix(rows: number, cols: number, rand: () => number, scale = 1): Matrix64 {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => Math.fround((2 * rand() - 1) * scale)));
}

/** The ADR stencil matrix of theory §6 for one layer, float64. */
export function adrMatrix64(U: readonly number[], D: readonly number[], R: readonly number[], dx: number, boundary: 'periodic' | 'zero'): Matrix64 {
  const n = U.length;
  const w = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    const a = -U[i]! / (2 * dx) + D[i]! / (dx * dx);
    const b = U[i]! / (2 * dx) + D[i]! / (dx * dx);
    w[i]![i] = 1 - (2 * D[i]!) / (dx * dx) + R[i]!;
    if (i > 0 || boundary === 'periodic') w[i]![(i - 1 + n) % n] = a;
    if (i < n - 1 || boundary === 'periodic') w[i]![(i + 1) % n] = b;
  }
  return w;
}

/** Final states of `layers` Euler relaxation steps z ← (1 − ω) z + ω tanh(W_l z), float64, per sample. */
export function relax64(weights: (layer: number) => Matrix64, x: Matrix64, omega: number, layers: number): Matrix64 {
  let z = x.map((row) => row.slice());
  for (let l = 0; l < layers; l++) {
    const w = weights(l);
    z = z.map((zs) =>
      zs.map((zi, i) => {
        let s = 0;
        for (let j = 0; j < zs.length; j++) s += w[i]![j]! * zs[j]!;
        return (1 - omega) * zi + omega * Math.tanh(s);
      }),
    );
  }
  return z;
}

/** Mean squared error over every entry, float64. */
export function mse64(prediction: Matrix64, target: Matrix64): number {
  let s = 0;
  let count = 0;
  prediction.forEach((row, b) =>
    row.forEach((p, i) => {
      s += (p - target[b]![i]!) ** 2;
      count++;
    }),
  );
  return s / count;
}

/** Central finite differences of `f` at `p` with step `h`, float64. */
export function finiteDifferences(p: readonly number[], f: (p: number[]) => number, h = 1e-6): number[] {
  const q = p.slice();
  return p.map((pi, k) => {
    q[k] = pi + h;
    const up = f(q);
    q[k] = pi - h;
    const down = f(q);
    q[k] = pi;
    return (up - down) / (2 * h);
  });
}

/**
 * How far `actual` is from `expected`: the norm-wise relative error
 * ‖a − e‖₂ / ‖e‖₂ and the largest entry error relative to the largest
 * expected entry, max|a_i − e_i| / max|e_i|.
 */
export function gradientError(actual: readonly number[], expected: readonly number[]): { normwise: number; entrywise: number } {
  if (actual.length !== expected.length) throw new Error(`gradient lengths differ: ${actual.length} vs ${expected.length}`);
  let diff2 = 0;
  let ref2 = 0;
  let maxDiff = 0;
  let maxRef = 0;
  actual.forEach((a, i) => {
    const e = expected[i]!;
    diff2 += (a - e) ** 2;
    ref2 += e ** 2;
    maxDiff = Math.max(maxDiff, Math.abs(a - e));
    maxRef = Math.max(maxRef, Math.abs(e));
  });
  return { normwise: Math.sqrt(diff2 / ref2), entrywise: maxDiff / maxRef };
}

/** The same loss as {@link relax64} + {@link mse64}, built with `kernel.apply` in tfjs (float32). */
export function tfRelaxationLoss(kernel: KernelInstance, x: Tensor2D, y: Tensor2D, omega: number, layers: number): Scalar {
  let z = x;
  for (let l = 0; l < layers; l++) {
    z = tf.add(tf.mul(1 - omega, z), tf.mul(omega, tf.tanh(kernel.apply(z, l))));
  }
  return tf.mean(tf.squaredDifference(z, y));
}

/** Current values of the kernel's parameters `names`, flattened in that order (float32 values as numbers). */
export function flatParams(kernel: KernelInstance, names: readonly string[]): number[] {
  return names.flatMap((name) => Array.from(kernel.params[name]!.dataSync()));
}

/** tfjs gradient of {@link tfRelaxationLoss} with respect to the parameters `names`, flattened in that order. */
export function tfGradient(kernel: KernelInstance, names: readonly string[], x: Matrix64, y: Matrix64, omega: number, layers: number): number[] {
  return tf.tidy(() => {
    const xt = tf.tensor2d(x);
    const yt = tf.tensor2d(y);
    const vars = names.map((name) => kernel.params[name]!);
    const { grads } = tf.variableGrads(() => tfRelaxationLoss(kernel, xt, yt, omega, layers), vars);
    return vars.flatMap((p) => Array.from(grads[p.name]!.dataSync()));
  });
}
