import { tf, type Scalar, type Tensor, type Tensor2D } from '../../tensor/tf.js';
import {
  gridShape,
  siteCount,
  stencilOffsets,
  validateStencilRelaxConfig,
  validateStencilRelaxInputs,
  type StencilBoundary,
  type StencilRelaxConfig,
} from './config.js';
import { fusedActivation } from './activations.js';

const mod = (a: number, n: number): number => ((a % n) + n) % n;

/**
 * `y` with `y[…, i, …] = x[…, i + d, …]` along `axis` of `x`: wrapped modulo the axis
 * length (`periodic`, slice + concat), or 0 where `i + d` is outside (`zero`, slice +
 * zero padding).
 */
function shift(x: Tensor, axis: number, d: number, boundary: StencilBoundary): Tensor {
  const n = x.shape[axis]!;
  const begin = x.shape.map(() => 0);
  const size = x.shape.slice();
  const part = (from: number, length: number): Tensor => {
    const b = begin.slice();
    const s = size.slice();
    b[axis] = from;
    s[axis] = length;
    return tf.slice(x, b, s);
  };
  if (boundary === 'periodic') {
    const dd = mod(d, n);
    if (dd === 0) return x;
    return tf.concat([part(dd, n - dd), part(0, dd)], axis);
  }
  if (d === 0) return x;
  if (Math.abs(d) >= n) return tf.zerosLike(x);
  const pad: [number, number][] = x.shape.map(() => [0, 0] as [number, number]);
  if (d > 0) {
    pad[axis] = [0, d];
    return tf.pad(part(d, n - d), pad);
  }
  pad[axis] = [-d, 0];
  return tf.pad(part(0, n + d), pad);
}

/** The op path without validation (the caller has validated). */
export function stencilRelaxReferenceUnchecked(z: Tensor2D, taps: Tensor2D, omega: Scalar, bias: tf.Tensor1D, config: StencilRelaxConfig): Tensor2D {
  return tf.tidy(() => {
    const B = z.shape[0];
    const S = siteCount(config.geometry);
    const [H, W] = gridShape(config.geometry);
    const grid = tf.reshape(z, [B, H, W]);
    const columns = tf.unstack(taps, 1);
    const terms = stencilOffsets(config.geometry).map(([di, dj], k) => {
      const neighbour = shift(shift(grid, 1, di, config.boundary), 2, dj, config.boundary);
      return tf.mul(tf.reshape(neighbour, [B, S]), columns[k]!);
    });
    const u = tf.sub(terms.length === 1 ? terms[0]! : tf.addN(terms), bias);
    const a = fusedActivation(config.activation).op(u);
    return tf.add(tf.mul(tf.sub(1, omega), z), tf.mul(omega, a)) as Tensor2D;
  });
}

/**
 * One stencil-relaxation step, `z' = (1 − ω) z + ω f(W z − b)` with the banded W given
 * by `taps` (see {@link stencilRelax}), computed op by op with tfjs ops: each tap's
 * neighbour field is a slice + concat (periodic) or slice + zero padding (zero) of `z`
 * (2-D: of `z` reshaped to `[B, H, W]`, shifted along each axis), multiplied by its
 * column of `taps`, summed, minus `bias`, through the activation, then blended.
 *
 * This is the reference the fused kernels are tested against and the fallback
 * {@link stencilRelax} runs where no fused kernel is registered. Differentiable with
 * respect to all four tensors through tfjs autodiff. Validates like {@link stencilRelax}.
 *
 * @param z - the field, `[B, S]` float32.
 * @param taps - the stencil weights, `[S, K]`: `taps[s, k]` multiplies site s's k-th neighbour.
 * @param omega - the relaxation factor ω, a scalar.
 * @param bias - b, `[S]`.
 * @param config - geometry, boundary and activation.
 * @returns `z'`, `[B, S]`.
 */
export function stencilRelaxReference(z: Tensor2D, taps: Tensor2D, omega: Scalar, bias: tf.Tensor1D, config: StencilRelaxConfig): Tensor2D {
  validateStencilRelaxConfig(config);
  validateStencilRelaxInputs(z, taps, omega, bias, config);
  return stencilRelaxReferenceUnchecked(z, taps, omega, bias, config);
}
