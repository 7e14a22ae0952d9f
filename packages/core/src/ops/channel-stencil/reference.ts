import { tf, type Scalar, type Tensor, type Tensor1D, type Tensor2D } from '../../tensor/tf.js';
import { matMulTransposedB } from '../../tensor/mat-mul.js';
import { fusedActivation } from '../stencil-relax/activations.js';
import { STENCIL_OFFSETS_2D, type StencilBoundary } from '../stencil-relax/config.js';
import { validateChannelStencilConfig, validateChannelStencilInputs, type ChannelStencilConfig } from './config.js';

const mod = (a: number, n: number): number => ((a % n) + n) % n;

/** `y[…, i, …] = x[…, i + d, …]` along `axis`: wrapped (`periodic`) or 0 outside (`zero`). */
function shift(x: Tensor, axis: number, d: number, boundary: StencilBoundary): Tensor {
  const n = x.shape[axis]!;
  const part = (from: number, length: number): Tensor => {
    const begin = x.shape.map(() => 0);
    const size = x.shape.slice();
    begin[axis] = from;
    size[axis] = length;
    return tf.slice(x, begin, size);
  };
  if (boundary === 'periodic') {
    const dd = mod(d, n);
    return dd === 0 ? x : tf.concat([part(dd, n - dd), part(0, dd)], axis);
  }
  if (d === 0) return x;
  if (Math.abs(d) >= n) return tf.zerosLike(x);
  const pad: [number, number][] = x.shape.map(() => [0, 0] as [number, number]);
  pad[axis] = d > 0 ? [0, d] : [-d, 0];
  return tf.pad(d > 0 ? part(d, n - d) : part(0, n + d), pad);
}

/** The op path without validation (the caller has validated). */
export function channelStencilReferenceUnchecked(
  z: Tensor2D,
  taps: Tensor2D,
  mixing: Tensor2D,
  omega: Scalar,
  bias: Tensor1D,
  config: ChannelStencilConfig,
): Tensor2D {
  return tf.tidy(() => {
    const { height: H, width: W, channels: C, boundary } = config;
    const B = z.shape[0];
    const N = H * W * C;
    const grid = tf.reshape(z, [B, H, W, C]);
    const columns = tf.unstack(taps, 1);
    const terms = STENCIL_OFFSETS_2D[config.points].map(([di, dj], k) => tf.mul(shift(shift(grid, 1, di, boundary), 2, dj, boundary), columns[k]!));
    const stencil = tf.reshape(tf.addN(terms), [B, N]);
    const reaction = tf.reshape(matMulTransposedB(tf.reshape(z, [B * H * W, C]) as Tensor2D, mixing), [B, N]);
    const u = tf.sub(tf.add(stencil, reaction), bias.shape[0] === N ? bias : tf.tile(bias, [H * W]));
    const a = fusedActivation(config.activation).op(u);
    return tf.add(tf.mul(tf.sub(1, omega), z), tf.mul(omega, a)) as Tensor2D;
  });
}

/**
 * One multi-channel stencil-relaxation step (see {@link channelStencilRelax}) computed op
 * by op with tfjs ops: each tap's neighbour field is a slice + concat (periodic) or slice
 * + zero padding (zero) of `z` reshaped to `[B, H, W, C]`, multiplied by that tap's
 * per-channel weights; the channel mixing is one matrix product over the channel axis.
 *
 * The reference the fused kernels are tested against and the fallback
 * {@link channelStencilRelax} runs where no fused kernel is registered.
 * Differentiable in all five tensors through tfjs autodiff. Validates like
 * {@link channelStencilRelax}.
 *
 * @param z - the field, `[B, H·W·C]`, channels last.
 * @param taps - per-channel stencils, `[C, K]` (`taps[c, k]` weighs channel c's k-th neighbour).
 * @param mixing - the reaction term, `[C, C]`, entries `[out, in]`.
 * @param omega - ω, a scalar.
 * @param bias - `[C]` or `[H·W·C]`.
 * @param config - grid, channels, footprint, boundary and activation.
 * @returns `z'`, `[B, H·W·C]`.
 */
export function channelStencilRelaxReference(
  z: Tensor2D,
  taps: Tensor2D,
  mixing: Tensor2D,
  omega: Scalar,
  bias: Tensor1D,
  config: ChannelStencilConfig,
): Tensor2D {
  validateChannelStencilConfig(config);
  validateChannelStencilInputs(z, taps, mixing, omega, bias, config);
  return channelStencilReferenceUnchecked(z, taps, mixing, omega, bias, config);
}
