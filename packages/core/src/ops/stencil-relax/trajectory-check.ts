import { seededRandom } from '../../random/seeded-random.js';
import { tf, type Scalar, type Tensor, type Tensor2D } from '../../tensor/tf.js';
import { siteCount, tapCount, type StencilRelaxConfig } from './config.js';
import { stencilRelaxReference } from './reference.js';
import { hasFusedStencilTrajectory, stencilRelaxTrajectory } from './trajectory.js';

/** Settings of one {@link compareStencilTrajectory} case. */
export interface TrajectoryCheckOptions {
  /** L (default 4). */
  readonly layers?: number;
  /** B (default 3). */
  readonly batch?: number;
  /** Taps `[S, K]` for every step (default true) or `[L, S, K]`. */
  readonly sharedTaps?: boolean;
  /** Bias `[S]` for every step (default true) or `[L, S]`. */
  readonly sharedBias?: boolean;
  /** Seed of the data (default 1). */
  readonly seed?: number;
}

/** One number per compared quantity of {@link compareStencilTrajectory}. */
export interface TrajectoryQuantities {
  /** z_L, the trajectory's output. */
  readonly out: number;
  /** The gradient of sum(dy ⊙ z_L) with respect to the input z. */
  readonly dz: number;
  /** The same with respect to the taps. */
  readonly dtaps: number;
  /** The same with respect to ω. */
  readonly domega: number;
  /** The same with respect to the bias. */
  readonly dbias: number;
}

/** What {@link compareStencilTrajectory} measured. */
export interface TrajectoryCheckResult {
  /** Whether the active backend ran the trajectory kernels (else both sides are op paths). */
  readonly fused: boolean;
  /** max |Δ| between the trajectory and L single steps, per quantity. */
  readonly diff: TrajectoryQuantities;
  /** max |reference| of the same quantities (to make `diff` relative). */
  readonly scale: TrajectoryQuantities;
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= m)) m = d;
  }
  return m;
}

/**
 * Run {@link stencilRelaxTrajectory} on the active backend (its trajectory kernels
 * where registered) and, independently, L calls of {@link stencilRelaxReference} (the
 * tfjs-op path, differentiated by tfjs autodiff), on the same seeded data, and compare
 * z_L and the gradients of sum(dy ⊙ z_L) with respect to z, taps, ω and bias.
 * For the backends' specs: they assert the differences against their tolerances.
 */
export function compareStencilTrajectory(config: StencilRelaxConfig, options: TrajectoryCheckOptions = {}): TrajectoryCheckResult {
  const L = options.layers ?? 4;
  const B = options.batch ?? 3;
  const S = siteCount(config.geometry);
  const K = tapCount(config.geometry);
  const rand = seededRandom(options.seed ?? 1);
  const u = (n: number, lo: number, hi: number) => Float32Array.from({ length: n }, () => lo + (hi - lo) * rand());
  const sharedTaps = options.sharedTaps ?? true;
  const sharedBias = options.sharedBias ?? true;
  const data = {
    z: u(B * S, -1.5, 1.5),
    // Row sums about 1 (a diffusion-like W), so that L steps stay O(1).
    taps: u((sharedTaps ? 1 : L) * S * K, -0.3, 0.6).map((x) => x / Math.max(1, K / 3)),
    omega: Math.fround(0.3 + 0.6 * rand()),
    bias: u((sharedBias ? 1 : L) * S, -0.3, 0.3),
    dy: u(B * S, -1, 1),
  };
  const fused = hasFusedStencilTrajectory(tf.getBackend(), config.activation);
  const run = (f: (z: Tensor2D, taps: Tensor, omega: Scalar, bias: Tensor) => Tensor2D) =>
    tf.tidy(() => {
      const z = tf.tensor2d(data.z, [B, S]);
      const taps = tf.tensor(data.taps, sharedTaps ? [S, K] : [L, S, K]);
      const omega = tf.scalar(data.omega);
      const bias = tf.tensor(data.bias, sharedBias ? [S] : [L, S]);
      const dy = tf.tensor2d(data.dy, [B, S]);
      const out = f(z, taps, omega, bias).dataSync().slice();
      const grads = tf.grads((a: Tensor, b: Tensor, c: Tensor, d: Tensor) => f(a as Tensor2D, b, c as Scalar, d))([z, taps, omega, bias], dy);
      const [dz, dtaps, domega, dbias] = grads.map((g) => g.dataSync().slice());
      return { out, dz: dz!, dtaps: dtaps!, domega: domega!, dbias: dbias! };
    });
  const got = run((z, taps, omega, bias) => stencilRelaxTrajectory(z, taps, omega, bias, L, config));
  const want = run((z, taps, omega, bias) => {
    let next = z;
    for (let l = 0; l < L; l++) {
      const t = (sharedTaps ? taps : tf.squeeze(tf.slice(taps, [l], [1]), [0])) as Tensor2D;
      const b = (sharedBias ? bias : tf.squeeze(tf.slice(bias, [l], [1]), [0])) as tf.Tensor1D;
      next = stencilRelaxReference(next, t, omega, b, config);
    }
    return next;
  });
  const keys = ['out', 'dz', 'dtaps', 'domega', 'dbias'] as const;
  return {
    fused,
    diff: Object.fromEntries(keys.map((k) => [k, maxDiff(got[k], want[k])])) as unknown as TrajectoryQuantities,
    scale: Object.fromEntries(keys.map((k) => [k, maxAbs(want[k])])) as unknown as TrajectoryQuantities,
  };
}
