import { tf, type Scalar, type Tensor2D } from '../../tensor/tf.js';
import { validateStencilRelaxConfig, validateStencilRelaxInputs, type StencilRelaxConfig } from './config.js';
import { registerStencilRelaxGradient } from './gradient.js';
import { STENCIL_RELAX_KERNEL, stencilRelaxAttrs } from './kernel-attrs.js';
import { hasFusedStencilRelax } from './path.js';
import { stencilRelaxReferenceUnchecked } from './reference.js';

/**
 * One Euler relaxation step with a banded (stencil) weight matrix W:
 *
 *     u  = W z − b              (per sample, per site)
 *     z' = (1 − ω) z + ω f(u)
 *
 * where row s of W holds `taps[s, k]` at the site tap k of site s reads (1-D radius r:
 * `z[s + k − r]`; 2-D: the offsets of {@link STENCIL_OFFSETS_2D}, sites row-major), with
 * the config's boundary (`zero` reads 0 outside the grid, `periodic` wraps each axis).
 *
 * Runs the active backend's fused `NpdeStencilRelax` kernel when both it and
 * `NpdeStencilRelaxGrad` are registered there and implement the config's activation
 * (`@npde/backend-cpu` registers plain-TypeScript ones for `cpu`, `@npde/backend-wasm`
 * WASM SIMD ones for `wasm`), otherwise {@link stencilRelaxReference}, the tfjs-op path;
 * {@link stencilRelaxPath} says which.
 * Differentiable with respect to `z`, `taps`, `omega` and `bias` either way.
 *
 * Throws {@link ValidationError} for a bad config (radius not 1..3, points not 5/9,
 * unknown boundary/activation, ...) and {@link ShapeError} when a tensor's shape
 * disagrees with it (see {@link validateStencilRelaxInputs}).
 *
 * @param z - the field, `[B, S]` float32.
 * @param taps - the stencil weights, `[S, K]`.
 * @param omega - the relaxation factor ω, a scalar.
 * @param bias - b, `[S]`.
 * @param config - geometry, boundary and activation.
 * @returns `z'`, `[B, S]`.
 *
 * @example
 * ```ts
 * const cfg = { geometry: { dims: 1, sites: 64, radius: 1 }, boundary: 'periodic', activation: 'tanh' } as const;
 * const next = stencilRelax(z, taps, tf.scalar(0.5), bias, cfg);
 * ```
 */
export function stencilRelax(z: Tensor2D, taps: Tensor2D, omega: Scalar, bias: tf.Tensor1D, config: StencilRelaxConfig): Tensor2D {
  validateStencilRelaxConfig(config);
  validateStencilRelaxInputs(z, taps, omega, bias, config);
  if (hasFusedStencilRelax(tf.getBackend(), config.activation)) {
    registerStencilRelaxGradient();
    const attrs = stencilRelaxAttrs(config) as unknown as tf.NamedAttrMap;
    return tf.engine().runKernel(STENCIL_RELAX_KERNEL, { z, taps, omega, bias }, attrs) as Tensor2D;
  }
  return stencilRelaxReferenceUnchecked(z, taps, omega, bias, config);
}
