import { tf, type Tensor, type Tensor1D, type Tensor2D } from '@npde/core';

/**
 * Solve M x = r in float64 for one right-hand side, M tridiagonal with
 * `lower[i]` = M[i][i−1], `diag[i]` = M[i][i], `upper[i]` = M[i][i+1]; when
 * `periodic`, also `lower[0]` = M[0][n−1] and `upper[n−1]` = M[n−1][0] (cyclic
 * system, by Sherman–Morrison), else those two entries are ignored. No pivoting:
 * meant for diagonally dominant M (I − θωA with A a diffusion).
 *
 * @example
 * ```ts
 * solveTridiagonal64([0, -1, -1], [3, 3, 3], [-1, -1, 0], [1, 1, 1], false);
 * ```
 */
export function solveTridiagonal64(
  lower: ArrayLike<number>,
  diag: ArrayLike<number>,
  upper: ArrayLike<number>,
  rhs: ArrayLike<number>,
  periodic: boolean,
): Float64Array {
  const n = diag.length;
  if (!periodic || n < 3) {
    if (periodic) return solveDense(lower, diag, upper, rhs);
    return thomas(lower, diag, upper, rhs);
  }
  const alpha = upper[n - 1]!; // M[n−1][0]
  const beta = lower[0]!; // M[0][n−1]
  const gamma = -diag[0]!;
  const bb = Float64Array.from(diag as ArrayLike<number>);
  bb[0] = diag[0]! - gamma;
  bb[n - 1] = diag[n - 1]! - (alpha * beta) / gamma;
  const x = thomas(lower, bb, upper, rhs);
  const u = new Float64Array(n);
  u[0] = gamma;
  u[n - 1] = alpha;
  const z = thomas(lower, bb, upper, u);
  const fact = (x[0]! + (beta * x[n - 1]!) / gamma) / (1 + z[0]! + (beta * z[n - 1]!) / gamma);
  for (let i = 0; i < n; i++) x[i] = x[i]! - fact * z[i]!;
  return x;
}

function thomas(lower: ArrayLike<number>, diag: ArrayLike<number>, upper: ArrayLike<number>, rhs: ArrayLike<number>): Float64Array {
  const n = diag.length;
  const c = new Float64Array(n);
  const d = new Float64Array(n);
  c[0] = n > 1 ? upper[0]! / diag[0]! : 0;
  d[0] = rhs[0]! / diag[0]!;
  for (let i = 1; i < n; i++) {
    const m = diag[i]! - lower[i]! * c[i - 1]!;
    c[i] = i < n - 1 ? upper[i]! / m : 0;
    d[i] = (rhs[i]! - lower[i]! * d[i - 1]!) / m;
  }
  for (let i = n - 2; i >= 0; i--) d[i] = d[i]! - c[i]! * d[i + 1]!;
  return d;
}

/** Gaussian elimination on the dense cyclic matrix, for n < 3 where the corners coincide with the band. */
function solveDense(lower: ArrayLike<number>, diag: ArrayLike<number>, upper: ArrayLike<number>, rhs: ArrayLike<number>): Float64Array {
  const n = diag.length;
  const m = Array.from({ length: n }, () => new Float64Array(n + 1));
  for (let i = 0; i < n; i++) {
    m[i]![i] = m[i]![i]! + diag[i]!;
    m[i]![(i - 1 + n) % n] = m[i]![(i - 1 + n) % n]! + lower[i]!;
    m[i]![(i + 1) % n] = m[i]![(i + 1) % n]! + upper[i]!;
    m[i]![n] = rhs[i]!;
  }
  for (let k = 0; k < n; k++) {
    for (let i = k + 1; i < n; i++) {
      const f = m[i]![k]! / m[k]![k]!;
      for (let j = k; j <= n; j++) m[i]![j] = m[i]![j]! - f * m[k]![j]!;
    }
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = m[i]![n]!;
    for (let j = i + 1; j < n; j++) s -= m[i]![j]! * x[j]!;
    x[i] = s / m[i]![i]!;
  }
  return x;
}

/** Solve every row of `rhs` `[batch, n]`, float64 inside, float32 out. */
function solveRows(lower: ArrayLike<number>, diag: ArrayLike<number>, upper: ArrayLike<number>, rhs: Float32Array, batch: number, periodic: boolean): Float32Array {
  const n = diag.length;
  const out = new Float32Array(batch * n);
  for (let b = 0; b < batch; b++) out.set(solveTridiagonal64(lower, diag, upper, rhs.subarray(b * n, (b + 1) * n), periodic), b * n);
  return out;
}

/**
 * X = M⁻¹ R for every row of R `[batch, n]` (as row vectors: x_b = M⁻¹ r_b), M the
 * tridiagonal (cyclic when `periodic`) matrix of {@link solveTridiagonal64}, its
 * bands given as `[n]` tensors. Differentiable in all four inputs: the gradient
 * solves with Mᵀ (g_R = M⁻ᵀ g) and g_M = −g_R xᵀ restricted to the band. The solve
 * itself runs in float64 on the CPU (it reads the tensors synchronously).
 *
 * @example
 * ```ts
 * const x = tridiagonalSolve(tf.fill([n], -0.5), tf.fill([n], 2), tf.fill([n], -0.5), rhs, true);
 * ```
 */
export function tridiagonalSolve(lower: Tensor1D, diag: Tensor1D, upper: Tensor1D, rhs: Tensor2D, periodic: boolean): Tensor2D {
  const op = tf.customGrad((...args: (Tensor | ((t: Tensor[]) => void))[]) => {
    const [lo, di, up, r] = args as Tensor[];
    const save = args[4] as (t: Tensor[]) => void;
    const [batch, n] = r!.shape as [number, number];
    const l = lo!.dataSync();
    const d = di!.dataSync();
    const u = up!.dataSync();
    const x = tf.tensor2d(solveRows(l, d, u, r!.dataSync() as Float32Array, batch, periodic), [batch, n]);
    save([x]);
    return {
      value: x,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const xs = saved[0]!.dataSync();
        // Mᵀ: lowerᵀ[i] = upper[i−1], upperᵀ[i] = lower[i+1] (cyclically when periodic).
        const lt = new Float64Array(n);
        const ut = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          lt[i] = i > 0 ? u[i - 1]! : periodic ? u[n - 1]! : 0;
          ut[i] = i < n - 1 ? l[i + 1]! : periodic ? l[0]! : 0;
        }
        const gr = solveRows(lt, d, ut, dy.dataSync() as Float32Array, batch, periodic);
        const gl = new Float32Array(n);
        const gd = new Float32Array(n);
        const gu = new Float32Array(n);
        for (let b = 0; b < batch; b++) {
          const o = b * n;
          for (let i = 0; i < n; i++) {
            const g = gr[o + i]!;
            gd[i] = gd[i]! - g * xs[o + i]!;
            if (i > 0 || periodic) gl[i] = gl[i]! - g * xs[o + ((i - 1 + n) % n)]!;
            if (i < n - 1 || periodic) gu[i] = gu[i]! - g * xs[o + ((i + 1) % n)]!;
          }
        }
        return [tf.tensor1d(gl), tf.tensor1d(gd), tf.tensor1d(gu), tf.tensor2d(gr, [batch, n])];
      },
    };
  });
  return op(lower, diag, upper, rhs) as Tensor2D;
}
