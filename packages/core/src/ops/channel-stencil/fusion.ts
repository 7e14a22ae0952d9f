import type { KernelChannelStencil, KernelInstance } from '../../plugins/types.js';
import type { Scalar, Tensor1D, Tensor2D } from '../../tensor/tf.js';
import { tf } from '../../tensor/tf.js';
import type { StencilActivation } from '../stencil-relax/activations.js';
import { channelStencilRelax } from './channel-stencil.js';

/**
 * Whether `kernel` offers only the multi-channel form (`channelStencil()`) and not the
 * single-channel `stencil()`: then a fused block step runs {@link channelStencilRelax}.
 */
export function usesChannelStencil(kernel: KernelInstance): boolean {
  return typeof kernel.stencil !== 'function' && typeof kernel.channelStencil === 'function';
}

/** The state length `H·W·C` of a kernel's channel stencil. */
export function channelStencilSize(stencil: KernelChannelStencil): number {
  return stencil.height * stencil.width * stencil.channels;
}

/**
 * One fused step `z' = (1 − ω) z + ω f(W_l z − b)` of a block whose kernel gives W_l as
 * a {@link KernelChannelStencil} (per-channel taps plus channel mixing): runs
 * {@link channelStencilRelax}. `bias` is `[size]` or undefined for none.
 */
export function fusedChannelStep(kernel: KernelInstance, activation: StencilActivation, z: Tensor2D, layer: number, omega: Scalar, bias: Tensor1D | undefined): Tensor2D {
  const s = kernel.channelStencil!(layer);
  const config = { height: s.height, width: s.width, channels: s.channels, points: s.points, boundary: s.boundary, activation };
  const b = bias ?? (tf.zeros([s.channels]) as Tensor1D);
  return channelStencilRelax(z, s.taps, s.mixing, omega, b, config);
}
