/**
 * Test problems with known solutions for the integrators' convergence tests: the
 * relaxation dynamics dz/dt = F(z) = attractor(z) − z (γ = 1, so ω = dt) with a
 * linear attractor, whose exact solution at time T is computed in float64.
 * Stencil problems are periodic with constant taps, so the discrete Fourier modes
 * diagonalize them and the exact solution of the semi-discrete system (the thing a
 * time integrator approximates) is Σ_k ẑ_k e^{λ_k T} e^{i j θ_k}.
 */
import { resolveField, tf, validate, type FieldInfo, type Integrator, type KernelStencil, type Scalar, type StepContext, type Tensor2D } from '@npde/core';

/** A linear problem dz/dt = F(z) with its exact solution. */
export interface Problem {
  readonly name: string;
  readonly field: FieldInfo;
  /** Initial state, one row per sample. */
  readonly z0: number[][];
  /** Final time. */
  readonly T: number;
  /** attractor(u) = u + F(u) as tf ops. */
  attractor(u: Tensor2D): Tensor2D;
  /** F(u) in float64 for one row. */
  rhs64(u: readonly number[]): number[];
  /** Taps of the problem's stencil, when it has one. */
  stencil?(): KernelStencil;
  /** Exact z(T), one row per sample. */
  readonly exact: number[][];
}

const roll = (u: Tensor2D, by: 1 | -1): Tensor2D => {
  const [b, S] = u.shape;
  return (by === 1 ? tf.concat([tf.slice(u, [0, S - 1], [b, 1]), tf.slice(u, [0, 0], [b, S - 1])], 1) : tf.concat([tf.slice(u, [0, 1], [b, S - 1]), tf.slice(u, [0, 0], [b, 1])], 1)) as Tensor2D;
};

/** z(T) for dz/dt = (W − I) z, W the periodic stencil [l, c, r] (l multiplies z_{j−1}). */
function exactPeriodic(z0: readonly number[], [l, c, r]: readonly number[], T: number): number[] {
  const S = z0.length;
  const out = new Array<number>(S).fill(0);
  for (let k = 0; k < S; k++) {
    const th = (2 * Math.PI * k) / S;
    let re = 0;
    let im = 0;
    for (let j = 0; j < S; j++) {
      re += z0[j]! * Math.cos(th * j);
      im -= z0[j]! * Math.sin(th * j);
    }
    const lamRe = l! * Math.cos(th) + c! + r! * Math.cos(th) - 1;
    const lamIm = -l! * Math.sin(th) + r! * Math.sin(th);
    const g = Math.exp(lamRe * T);
    const gRe = g * Math.cos(lamIm * T);
    const gIm = g * Math.sin(lamIm * T);
    const aRe = re * gRe - im * gIm;
    const aIm = re * gIm + im * gRe;
    for (let j = 0; j < S; j++) out[j] = out[j]! + (aRe * Math.cos(th * j) - aIm * Math.sin(th * j)) / S;
  }
  return out;
}

/** A periodic 1-D stencil problem (identity activation, no bias) from z0 and the taps [l, c, r]. */
export function stencilProblem(name: string, z0: number[][], taps: readonly [number, number, number], T: number): Problem {
  const S = z0[0]!.length;
  const [l, c, r] = taps;
  return {
    name,
    field: resolveField({ shape: [S] }),
    z0,
    T,
    attractor: (u) => tf.addN([tf.mul(l, roll(u, 1)), tf.mul(c, u), tf.mul(r, roll(u, -1))]) as Tensor2D,
    rhs64: (u) => u.map((x, j) => l * u[(j - 1 + S) % S]! + (c - 1) * x + r * u[(j + 1) % S]!),
    stencil: () => ({ taps: tf.tidy(() => tf.tile(tf.tensor2d([[l, c, r]]), [S, 1])) as Tensor2D, geometry: { dims: 1, sites: S, radius: 1 }, boundary: 'periodic' }),
    exact: z0.map((row) => exactPeriodic(row, taps, T)),
  };
}

/** A smooth bump: a Gaussian of width `sigma` sites centred at `centre` on S sites. */
export const gaussian = (S: number, centre: number, sigma: number): number[] =>
  Array.from({ length: S }, (_, j) => Math.exp(-((j - centre) ** 2) / (2 * sigma * sigma)));

/** Linear decay towards z* = −b/(1 − a): attractor a z − b on 3 values, two samples. */
export function linearDecay(a: number, b: readonly number[], z0: number[][], T: number): Problem {
  const zStar = b.map((bi) => -bi / (1 - a));
  return {
    name: 'linear decay',
    field: resolveField({ shape: [b.length] }),
    z0,
    T,
    attractor: (u) => tf.sub(tf.mul(a, u), tf.tensor1d(b as number[])) as Tensor2D,
    rhs64: (u) => u.map((x, j) => (a - 1) * x - b[j]!),
    exact: z0.map((row) => row.map((x, j) => zStar[j]! + (x - zStar[j]!) * Math.exp((a - 1) * T))),
  };
}

/**
 * The 1-D wave equation as a separable Hamiltonian pair on 2 channels per site
 * (q, p): q' = c δ p, p' = c δ q with δ the centred difference (u_{j+1} − u_{j−1})/2,
 * periodic; q ± p are advected in opposite directions.
 */
export function wavePair(q0: readonly number[], p0: readonly number[], c: number, T: number): Problem {
  const S = q0.length;
  const plus = exactPeriodic(q0.map((q, j) => q + p0[j]!), [-c / 2, 1, c / 2], T);
  const minus = exactPeriodic(q0.map((q, j) => q - p0[j]!), [c / 2, 1, -c / 2], T);
  const interleave = (q: readonly number[], p: readonly number[]) => q.flatMap((qj, j) => [qj, p[j]!]);
  return {
    name: 'wave pair',
    field: resolveField({ shape: [S], channels: 2 }),
    z0: [interleave(q0, p0)],
    T,
    attractor: (u) => {
      const s = tf.reshape(u, [u.shape[0], S, 2]);
      const q = tf.reshape(tf.slice(s, [0, 0, 0], [-1, S, 1]), [u.shape[0], S]) as Tensor2D;
      const p = tf.reshape(tf.slice(s, [0, 0, 1], [-1, S, 1]), [u.shape[0], S]) as Tensor2D;
      const d = (w: Tensor2D) => tf.mul(c / 2, tf.sub(roll(w, -1), roll(w, 1)));
      return tf.add(u, tf.reshape(tf.stack([d(p), d(q)], 2), [u.shape[0], 2 * S])) as Tensor2D;
    },
    rhs64: (u) => {
      const out = new Array<number>(2 * S);
      for (let j = 0; j < S; j++) {
        const jp = (j + 1) % S;
        const jm = (j - 1 + S) % S;
        out[2 * j] = (c / 2) * (u[2 * jp + 1]! - u[2 * jm + 1]!);
        out[2 * j + 1] = (c / 2) * (u[2 * jp]! - u[2 * jm]!);
      }
      return out;
    },
    exact: [interleave(plus.map((x, j) => (x + minus[j]!) / 2), plus.map((x, j) => (x - minus[j]!) / 2))],
  };
}

/** The StepContext the model would build for `problem` at state z. */
export function problemContext(problem: Problem, z: Tensor2D, omega: Scalar, previous?: Tensor2D): StepContext {
  return {
    z,
    previous,
    layer: 0,
    omega,
    attractor: (u) => problem.attractor(u),
    reservoirTerm: () => null,
    rhs: (u) => tf.sub(problem.attractor(u), u) as Tensor2D,
    ...(problem.stencil ? { stencil: () => problem.stencil!() } : {}),
  };
}

/** z after round(T/ω) steps of `integrator` on `problem`, as rows. */
export function integrate(integrator: Integrator<unknown>, problem: Problem, omega: number, options: unknown = {}): number[][] {
  const steps = Math.round(problem.T / omega);
  if (Math.abs(steps * omega - problem.T) > 1e-9) throw new Error(`ω = ${omega} does not divide T = ${problem.T}`);
  const inst = integrator.create({ options: validate(integrator.options, options), field: problem.field, layers: steps, seed: 0 });
  return tf.tidy(() => {
    const w = tf.scalar(omega);
    let previous: Tensor2D | undefined;
    let z = tf.tensor2d(problem.z0);
    for (let n = 0; n < steps; n++) {
      const next = tf.tidy(() => inst.step(problemContext(problem, z, w, previous)));
      if (previous) previous.dispose();
      previous = z;
      z = next;
    }
    return z.arraySync();
  });
}

/** max |z − exact| over every entry. */
export const maxError = (z: readonly (readonly number[])[], exact: readonly (readonly number[])[]): number =>
  Math.max(...z.flatMap((row, i) => row.map((x, j) => Math.abs(x - exact[i]![j]!))));

/** Observed orders log2(e_k / e_{k+1}) for errors at step sizes halving each time. */
export const orders = (errors: readonly number[]): number[] => errors.slice(1).map((e, k) => Math.log2(errors[k]! / e));
