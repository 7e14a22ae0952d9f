import { tf, type Scalar, type Tensor1D, type Tensor2D } from '../../tensor/tf.js';
import { validateChannelStencilConfig, validateChannelStencilInputs, type ChannelStencilConfig } from './config.js';
import { registerChannelStencilGradient } from './gradient.js';
import { CHANNEL_STENCIL_GRAD_KERNEL, CHANNEL_STENCIL_KERNEL, channelStencilAttrs } from './kernel-attrs.js';
import { channelStencilReferenceUnchecked } from './reference.js';

/**
 * Whether {@link channelStencilRelax} runs fused on `backendName`: both
 * `NpdeChannelStencil` and `NpdeChannelStencilGrad` are registered there
 * (`@npde/backend-cpu` and `@npde/backend-wasm` register them in their setup).
 */
export function hasFusedChannelStencil(backendName: string = tf.getBackend()): boolean {
  return tf.getKernel(CHANNEL_STENCIL_KERNEL, backendName) != null && tf.getKernel(CHANNEL_STENCIL_GRAD_KERNEL, backendName) != null;
}

/** What {@link channelStencilPath} reports. */
export interface ChannelStencilPathInfo {
  /** `fused` when the active backend has both channel-stencil kernels, else `op-path`. */
  readonly path: 'fused' | 'op-path';
  /** The active tfjs backend's name. */
  readonly backend: string;
}

/** Which path {@link channelStencilRelax} takes on the active backend now. */
export function channelStencilPath(): ChannelStencilPathInfo {
  const backend = tf.getBackend();
  return { path: hasFusedChannelStencil(backend) ? 'fused' : 'op-path', backend };
}

/**
 * One Euler relaxation step of a multi-channel 2-D field, fused: per-channel stencils
 * (heterogeneous over channels, shared over sites) plus channel mixing (the reaction
 * term), the activation and the ω-mix,
 *
 *     u[b, s, c] = Σ_k taps[c, k] · z[b, nb(s, k), c] + Σ_c' mixing[c, c'] · z[b, s, c'] − bias[s, c]
 *     z'         = (1 − ω) z + ω f(u)
 *
 * with `nb(s, k)` the site tap k of site s reads (offsets of `STENCIL_OFFSETS_2D`, the
 * config's boundary: `zero` reads 0 outside, `periodic` wraps). The layout is an npde
 * field state's: `z[b, (i·W + j)·C + c]`.
 *
 * Runs the active backend's fused `NpdeChannelStencil` kernel when both it and its
 * gradient kernel are registered there, otherwise {@link channelStencilRelaxReference}
 * (the tfjs-op path). Differentiable in `z`, `taps`, `mixing`, `omega` and `bias` either
 * way. A per-channel bias `[C]` is broadcast to `[H·W·C]` before the kernel by adding it
 * to zeros `[H·W, C]`, whose gradient is one sum over the sites (tfjs's `tile` and
 * `broadcastTo` differentiate as a slice and an add per site: 9 of the 38 ms of a
 * batch-64 28 × 28 × 8 forward + backward).
 *
 * Throws {@link ValidationError} for a bad config and {@link ShapeError} for a tensor whose
 * shape disagrees with it (see {@link validateChannelStencilInputs}).
 *
 * @example
 * ```ts
 * const cfg = { height: 28, width: 28, channels: 8, points: 9, boundary: 'zero', activation: 'tanh' } as const;
 * const next = channelStencilRelax(z, taps, mixing, tf.scalar(0.5), bias, cfg);
 * ```
 */
export function channelStencilRelax(z: Tensor2D, taps: Tensor2D, mixing: Tensor2D, omega: Scalar, bias: Tensor1D, config: ChannelStencilConfig): Tensor2D {
  validateChannelStencilConfig(config);
  validateChannelStencilInputs(z, taps, mixing, omega, bias, config);
  if (!hasFusedChannelStencil(tf.getBackend())) return channelStencilReferenceUnchecked(z, taps, mixing, omega, bias, config);
  registerChannelStencilGradient();
  const attrs = channelStencilAttrs(config) as unknown as tf.NamedAttrMap;
  const N = config.height * config.width * config.channels;
  if (bias.shape[0] === N) return tf.engine().runKernel(CHANNEL_STENCIL_KERNEL, { z, taps, mixing, omega, bias }, attrs) as Tensor2D;
  return tf.tidy(() => {
    const full = tf.reshape(tf.add(tf.zeros([config.height * config.width, config.channels]), tf.reshape(bias, [1, config.channels])), [N]);
    return tf.engine().runKernel(CHANNEL_STENCIL_KERNEL, { z, taps, mixing, omega, bias: full }, attrs) as Tensor2D;
  });
}
