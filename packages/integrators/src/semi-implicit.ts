import { ErrorCodes, UnsupportedFieldError, defineIntegrator, tf, v, type KernelStencil, type Scalar, type StepContext, type Tensor1D, type Tensor2D } from '@npde/core';
import { stabilityLimitOf } from './stability.js';
import { tridiagonalSolve } from './tridiagonal.js';

/** Options of {@link semiImplicit}. */
export interface SemiImplicitOptions {
  /**
   * 1 (default): IMEX Euler, backward Euler on the diffusion and forward Euler on the
   * rest; L-stable for the diffusion (stiff modes are damped). 2: IMEX trapezoidal
   * (an IMEX-Euler predictor, then Crank–Nicolson on the diffusion and the
   * trapezoidal rule on the rest); A-stable for the diffusion (stiff modes are
   * bounded but oscillate).
   */
  readonly order: 1 | 2;
}

/** The diffusion A z = μ ⊙ (z_{i−1} − 2 z_i + z_{i+1}) split off a 1-D stencil, and solves with I − cωA. */
interface Diffusion {
  apply(u: Tensor2D): Tensor2D;
  solve(scale: number, omega: Scalar, rhs: Tensor2D): Tensor2D;
}

function diffusionOf(stencil: KernelStencil, z: Tensor2D, id: string): Diffusion {
  const { geometry, boundary } = stencil;
  const size = z.shape[1];
  if (geometry.dims !== 1 || geometry.sites !== size) {
    throw new UnsupportedFieldError(ErrorCodes.UNSUPPORTED_FIELD, `${id} solves the diffusion of 1-D stencils on one-channel fields only`, {
      path: 'kernel',
      expected: `a 1-D stencil over the state's ${size} values`,
      received: geometry.dims === 1 ? `a 1-D stencil over ${geometry.sites} sites` : `a 2-D ${geometry.height}×${geometry.width} stencil`,
      hint: 'Use an explicit integrator (euler, heun, rk4) for this kernel, or a 1-D stencil kernel such as @npde/kernels/adr.',
    });
  }
  const r = geometry.radius;
  const mu = tf.div(tf.add(tf.slice(stencil.taps, [0, r - 1], [-1, 1]), tf.slice(stencil.taps, [0, r + 1], [-1, 1])), 2).reshape([size]) as Tensor1D;
  const periodic = boundary === 'periodic';
  const shift = (u: Tensor2D, by: 1 | -1): Tensor2D => {
    const batch = u.shape[0];
    const edge = by === 1 ? (periodic ? tf.slice(u, [0, size - 1], [batch, 1]) : tf.zeros([batch, 1])) : periodic ? tf.slice(u, [0, 0], [batch, 1]) : tf.zeros([batch, 1]);
    return (by === 1 ? tf.concat([edge, tf.slice(u, [0, 0], [batch, size - 1])], 1) : tf.concat([tf.slice(u, [0, 1], [batch, size - 1]), edge], 1)) as Tensor2D;
  };
  return {
    apply: (u) => tf.mul(mu, tf.sub(tf.add(shift(u, 1), shift(u, -1)), tf.mul(2, u))) as Tensor2D,
    solve: (scale, omega, rhs) => {
      const off = tf.mul(tf.mul(-scale, omega), mu) as Tensor1D;
      const diag = tf.sub(1, tf.mul(2, off)) as Tensor1D;
      return tridiagonalSolve(off, diag, off, rhs, periodic);
    },
  };
}

/** z + ω Σ c_i t_i. */
const axpy = (z: Tensor2D, omega: Scalar, ...terms: [number, Tensor2D][]): Tensor2D =>
  tf.add(z, tf.mul(omega, terms.map(([c, t]) => (c === 1 ? t : tf.mul(c, t))).reduce((s, t) => tf.add(s, t)))) as Tensor2D;

const ID = '@npde/integrators/semi-implicit';

/** |R| of IMEX Euler / IMEX trapezoidal for ζ = ωλ (complex) with implicit part ζ_I (real). */
function amplification(order: 1 | 2, re: number, im: number, implicit: number): number {
  const eRe = re - implicit;
  const pRe = (1 + eRe) / (1 - implicit);
  const pIm = im / (1 - implicit);
  if (order === 1) return Math.hypot(pRe, pIm);
  // R = (1 + ζ_I/2 + ζ_E (1 + P)/2) / (1 − ζ_I/2)
  const nRe = 1 + implicit / 2 + (eRe * (1 + pRe) - im * pIm) / 2;
  const nIm = (eRe * pIm + im * (1 + pRe)) / 2;
  return Math.hypot(nRe, nIm) / (1 - implicit / 2);
}

/**
 * A semi-implicit (IMEX) scheme that treats the stencil's diffusion implicitly.
 * The layer's W (a 1-D stencil, `StepContext.stencil`) is split as
 * A = μ (z_{i−1} − 2 z_i + z_{i+1}), μ_i = (t_{i,−1} + t_{i,+1}) / 2 (for
 * `@npde/kernels/adr`, μ = D/Δ²), and F(z) = A z + N(z) with N(z) = F(z) − A z
 * explicit (advection, reaction, the nonlinearity, the reservoir term):
 *
 *     order 1:  (I − ωA) z' = z + ω N(z)
 *     order 2:  z* from order 1;  (I − ωA/2) z' = z + ω A z / 2 + ω (N(z) + N(z*)) / 2
 *
 * Each solve is a tridiagonal system (cyclic for a periodic stencil; float64
 * Thomas / Sherman–Morrison, differentiable in z, ω and the taps), so stiff
 * diffusion is stable at any ω: with a pure diffusion the limit is `Infinity`,
 * where explicit Euler needs ω·D/Δ² ≤ 1/2. What stays explicit still bounds ω
 * (`stabilityLimit` reports it). Without a stencil (dense kernels) A = 0 and
 * the scheme is forward Euler (order 1) or Heun (order 2). The solve reads tensors
 * back to the CPU: prefer it where stability, not throughput, is the point.
 *
 * @example
 * ```ts
 * const spec = { field: { shape: [128] }, layers: 8, omega: 5, // 10× Euler's limit at D/Δ² = 1
 *   integrator: { id: '@npde/integrators/semi-implicit', options: { order: 1 } },
 *   kernel: { id: '@npde/kernels/adr', options: { init: { D: 1 } } }, activation: '@npde/activations/identity' };
 * ```
 */
export const semiImplicit = defineIntegrator<SemiImplicitOptions>({
  id: ID,
  description: 'semi-implicit (IMEX) scheme: the stencil diffusion by a tridiagonal solve, the rest explicit (order 1 or 2)',
  options: v.strictObject({ order: v.optional(v.picklist([1, 2]), 1) }),
  create: ({ options }) => {
    const order = options.order;
    return {
      evaluationsPerStep: order,
      step: (ctx: StepContext) => {
        const { z, omega } = ctx;
        const stencil = ctx.stencil?.();
        const A = stencil ? diffusionOf(stencil, z, ID) : undefined;
        const F0 = ctx.rhs(z);
        const Az = A ? A.apply(z) : undefined;
        const N0 = Az ? (tf.sub(F0, Az) as Tensor2D) : F0;
        const predictor = A ? A.solve(1, omega, axpy(z, omega, [1, N0])) : axpy(z, omega, [1, N0]);
        if (order === 1) return predictor;
        const Fp = ctx.rhs(predictor);
        const Np = A ? (tf.sub(Fp, A.apply(predictor)) as Tensor2D) : Fp;
        const rhs = axpy(z, omega, [0.5, N0], [0.5, Np], ...(Az ? [[0.5, Az] as [number, Tensor2D]] : []));
        return A ? A.solve(0.5, omega, rhs) : rhs;
      },
      stabilityLimit: (stencil: KernelStencil) =>
        stabilityLimitOf(
          stencil,
          (re, im, implicit) => amplification(order, re, im, implicit),
          `semi-implicit (order ${order}): the diffusion μ = (t₋₁ + t₊₁)/2 is implicit and stable at any ω; the explicit rest (advection, reaction) bounds ω`,
        ),
    };
  },
});
