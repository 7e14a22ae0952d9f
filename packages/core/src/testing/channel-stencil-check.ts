import { channelStencilRelax } from '../ops/channel-stencil/channel-stencil.js';
import type { ChannelStencilConfig } from '../ops/channel-stencil/config.js';
import { channelStencilRelaxReference } from '../ops/channel-stencil/reference.js';
import type { RelaxationParts } from '../ops/stencil-relax/fusion.js';
import type { KernelInstance } from '../plugins/types.js';
import { tf, type Scalar, type Tensor, type Tensor1D, type Tensor2D, type Variable } from '../tensor/tf.js';
import { checkGradients, type GradientCheckReport } from './gradient-check.js';
import { referenceEuler, referenceNoReservoir, referenceTanh } from './reference-plugins.js';

/** What {@link compareChannelStencil} measured: the largest absolute difference per output. */
export interface ChannelStencilComparison {
  /** Largest |fused − reference| of z', dz, dtaps, dmixing, dω and dbias, by name. */
  readonly maxAbsDiff: Readonly<Record<'out' | 'dz' | 'dtaps' | 'dmixing' | 'domega' | 'dbias', number>>;
  /** Largest |reference| of each, for scale. */
  readonly maxAbs: Readonly<Record<'out' | 'dz' | 'dtaps' | 'dmixing' | 'domega' | 'dbias', number>>;
}

/**
 * Run `channelStencilRelax` (the active backend's fused kernels where registered) and
 * `channelStencilRelaxReference` (the tfjs-op path) on the same seeded random inputs and
 * compare z' and the gradients of `Σ w ⊙ z'` (w random) with respect to z, taps, mixing,
 * ω and bias (`[C]` when `perChannelBias`, else `[H·W·C]`). Tidy: leaves no tensors.
 */
export function compareChannelStencil(config: ChannelStencilConfig, options: { batch?: number; seed?: number; perChannelBias?: boolean } = {}): ChannelStencilComparison {
  const B = options.batch ?? 3;
  const seed = options.seed ?? 7;
  const { height: H, width: W, channels: C, points: K } = config;
  const N = H * W * C;
  return tf.tidy(() => {
    const z = tf.randomNormal([B, N], 0, 1, 'float32', seed) as Tensor2D;
    const taps = tf.randomNormal([C, K], 0, 0.4, 'float32', seed + 1) as Tensor2D;
    const mixing = tf.randomNormal([C, C], 0, 0.4, 'float32', seed + 2) as Tensor2D;
    const omega = tf.scalar(0.6) as Scalar;
    const bias = tf.randomNormal([options.perChannelBias ? C : N], 0, 0.3, 'float32', seed + 3) as Tensor1D;
    const w = tf.randomNormal([B, N], 0, 1, 'float32', seed + 4);
    const run = (op: typeof channelStencilRelax) => {
      const f = (a: Tensor, b: Tensor, c: Tensor, d: Tensor, e: Tensor) =>
        tf.sum(tf.mul(w, op(a as Tensor2D, b as Tensor2D, c as Tensor2D, d as Scalar, e as Tensor1D, config)));
      const grads = tf.grads(f)([z, taps, mixing, omega, bias]);
      return [op(z, taps, mixing, omega, bias, config), ...grads];
    };
    const fused = run(channelStencilRelax);
    const ref = run(channelStencilRelaxReference);
    const names = ['out', 'dz', 'dtaps', 'dmixing', 'domega', 'dbias'] as const;
    const maxAbsDiff = {} as Record<(typeof names)[number], number>;
    const maxAbs = {} as Record<(typeof names)[number], number>;
    names.forEach((n, i) => {
      maxAbsDiff[n] = tf.max(tf.abs(tf.sub(fused[i]!, ref[i]!))).dataSync()[0]!;
      maxAbs[n] = tf.max(tf.abs(ref[i]!)).dataSync()[0]!;
    });
    return { maxAbsDiff, maxAbs };
  });
}

/**
 * A test kernel with the multi-channel form: trainable per-channel taps `[C, K]` and
 * mixing `[C, C]` shared by every layer; `apply` computes W z through the op path
 * (`channelStencilRelaxReference` with identity, ω = 1, no bias), `channelStencil`
 * hands the same parameters to the fused op. For fusion tests (`checkBlockFusion`).
 */
export function channelStencilTestKernel(config: Omit<ChannelStencilConfig, 'activation'>, seed = 3): KernelInstance {
  const { channels: C, points: K } = config;
  const taps = tf.variable(tf.randomNormal([C, K], 0, 0.3, 'float32', seed), true);
  const mixing = tf.variable(tf.randomNormal([C, C], 0, 0.3, 'float32', seed + 1), true);
  const linear = { ...config, activation: 'identity' } as const;
  return {
    params: { taps, mixing },
    paramCount: C * K + C * C,
    apply: (z: Tensor2D) => channelStencilRelaxReference(z, taps as unknown as Tensor2D, mixing as unknown as Tensor2D, tf.scalar(1), tf.zeros([C]), linear),
    channelStencil: () => ({ ...config, taps: taps as unknown as Tensor2D, mixing: mixing as unknown as Tensor2D }),
    dispose: () => {
      taps.dispose();
      mixing.dispose();
    },
  };
}

/**
 * The parts of a fusing block around a {@link channelStencilTestKernel}: the reference
 * tanh activation, Euler relaxation and no reservoir.
 */
export function channelStencilTestParts(config: Omit<ChannelStencilConfig, 'activation'>, seed = 3): RelaxationParts {
  const ctx = { field: undefined, layers: 1, seed, options: {} } as never;
  return {
    kernel: channelStencilTestKernel(config, seed),
    activation: referenceTanh.create(ctx),
    integrator: referenceEuler.create(ctx),
    reservoir: referenceNoReservoir.create(ctx),
  };
}

/**
 * {@link checkGradients} of `Σ w ⊙ channelStencilRelax(z, taps, mixing, ω, bias)` (w random)
 * with respect to all five inputs, on seeded random values: z `[2, H·W·C]`, taps
 * `[C, points]` and mixing `[C, C]` (σ 0.3), ω = 0.6, a per-channel bias `[C]`. Through
 * whatever kernels the active backend has registered (its fused ones, or the op path).
 * Leaves no tensors.
 *
 * @example
 * ```ts
 * const { maxError } = checkChannelStencilGradients({ height: 4, width: 4, channels: 4, points: 9, boundary: 'periodic', activation: 'tanh' });
 * ```
 */
export function checkChannelStencilGradients(config: ChannelStencilConfig): GradientCheckReport {
  const { height, width, channels: C, points } = config;
  const size = height * width * C;
  const vars = [
    tf.variable(tf.randomNormal([2, size], 0, 1, 'float32', 1)),
    tf.variable(tf.randomNormal([C, points], 0, 0.3, 'float32', 2)),
    tf.variable(tf.randomNormal([C, C], 0, 0.3, 'float32', 3)),
    tf.variable(tf.scalar(0.6)),
    tf.variable(tf.randomNormal([C], 0, 0.3, 'float32', 4)),
  ] as Variable[];
  const w = tf.randomNormal([2, size], 0, 1, 'float32', 5);
  const [z, taps, mixing, omega, bias] = vars as unknown as [Tensor2D, Tensor2D, Tensor2D, Scalar, Tensor1D];
  try {
    return checkGradients(() => tf.sum(tf.mul(w, channelStencilRelax(z, taps, mixing, omega, bias, config))) as Scalar, vars);
  } finally {
    tf.dispose([...vars, w]);
  }
}
