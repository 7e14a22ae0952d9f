import {
  ErrorCodes,
  UnsupportedFieldError,
  defineKernelFamily,
  globalRegistry,
  tf,
  type KernelFamily,
  type KernelInstance,
  type PhysicalQuantity,
  type Tensor,
  type Tensor2D,
} from '@npde/core';
import { assertLayer } from '../instance/layer-index.js';
import { shiftAxis } from '../stencil/shift.js';
import { QuadratureOptionsSchema, type QuadratureOptions } from './options.js';
import { gaussLegendreCell, quadratureTaps } from './rule.js';

const ID = '@npde/kernels/quadrature';

/**
 * Quadrature-augmented kernel (theory §5, eq. 24): the weights are integrals
 * of a continuous kernel W(q, q') against local basis functions φ, done by a
 * Q-point quadrature around each data point instead of sampling W at the
 * points (the ordinary layer, the `delta` basis).
 *
 * The note's update is, with nodes `q_i + d_k`, weights `p_k` and
 * `Φ^k = p_k φ(d_k)`,
 *
 *     f_i = Σ_k Φ^k f[ Σ_l Σ_j W(q_i + d_k, q_j + d_l) Φ^l z_j − b_i^k ].
 *
 * Here W at the data points is the `inner` kernel's matrix (any kernel family,
 * trainable as usual), extended between them by the same basis,
 * `W(q, q') = Σ_ab φ(q − q_a) W_ab φ(q' − q_b)`. Then
 * `W(q_i + d_k, q_j + d_l) = (S_k W S_lᵀ)_ij` with `(S_k)_ia = φ(q_i + d_k − q_a)`,
 * and the quadrature sums collapse into one banded operator
 * `R = Σ_k Φ^k S_k`:
 *
 *     W_eff = R · W · Rᵀ,      (R v)_i = Σ_m c_m v_{i+m},   c_m = Σ_k p_k φ(d_k) φ(d_k − m)
 *
 * per grid axis (nodes, weights and φ are tensor products, so R is too), with
 * `c` scaled to sum to 1 when `normalize` is set (R then reproduces constants).
 * Nodes and weights are the Q-point Gauss–Legendre rule on the cell
 * `[−½, ½]` of each axis, grid units ({@link gaussLegendreCell}).
 *
 * A kernel returns one pre-activation per site, so the outer quadrature
 * `Σ_k Φ^k f[·]` is taken inside f: `apply` returns `Σ_k Φ^k Z^k = W_eff z`.
 * That is eq. 24 exactly when f is linear, and for Q = 1 with the `delta` or
 * `hat` basis (width 1), where R = I and the update is the plain one,
 * `f[W z − b]`; for Q > 1 with a nonlinear f it is the quadrature of the
 * pre-activation rather than of f.
 *
 * `apply(z)` costs the inner kernel's apply plus two passes of R (a few shifts
 * per axis); `dense(l)` is `R W_l Rᵀ`; `physics()` is the inner kernel's
 * (its coefficients, before the quadrature). Parameters are the inner kernel's,
 * under the same names. Grids of 1 to 3 axes, any channels (R acts on each
 * channel alike); scattered points throw `UNSUPPORTED_FIELD`.
 *
 * @example
 * ```ts
 * const model = NeuralPde.create({
 *   field: { shape: [64] }, layers: 4,
 *   kernel: {
 *     id: '@npde/kernels/quadrature',
 *     options: { inner: { id: '@npde/kernels/adr', options: { family: 'heterogeneous' } }, order: 2, basis: 'hat' },
 *   },
 *   activation: '@npde/activations/tanh',
 * });
 * ```
 */
export const quadrature: KernelFamily<QuadratureOptions> = defineKernelFamily<QuadratureOptions>({
  id: ID,
  description: 'quadrature-augmented kernel: an inner kernel integrated against local basis functions with Q = 1..3 nodes (theory §5, eq. 24)',
  options: QuadratureOptionsSchema,
  create: ({ field, layers, options, seed, registry }): KernelInstance => {
    if (field.points) {
      throw new UnsupportedFieldError(ErrorCodes.UNSUPPORTED_FIELD, 'the quadrature kernel needs a grid field', {
        path: 'field',
        expected: 'a grid field such as { shape: [64] } or { shape: [32, 32] }',
        received: `${field.sites} scattered points in ${field.dims}-D`,
        plugin: ID,
        hook: 'create',
        hint: 'Scattered points have no cells to integrate over: use `@npde/kernels/cluster`, which weighs points by their cluster volume.',
      });
    }
    const width = options.width ?? (options.basis === 'gaussian' ? 0.5 : 1);
    const { offsets, taps } = quadratureTaps(gaussLegendreCell(options.order), options.basis, width, options.normalize);
    const identity = offsets.length === 1 && offsets[0] === 0 && taps[0] === 1;
    const resolved = (registry ?? globalRegistry()).resolve('kernel', options.inner, 'kernel.options.inner');
    const inner = resolved.plugin.create({ field, layers, options: resolved.options, seed, ...(registry ? { registry } : {}) });
    const { shape, realChannels, size } = field;

    /** R x (or Rᵀ x), per grid axis, on `[batch, size]`. */
    const quadratureOperator = (x: Tensor2D, transpose: boolean): Tensor2D => {
      if (identity) return x;
      let t: Tensor = tf.reshape(x, [x.shape[0], ...shape, realChannels]);
      for (let axis = 1; axis <= shape.length; axis++) {
        const src = t;
        const terms = offsets.map((m, i) => tf.mul(shiftAxis(src, axis, transpose ? -m : m, options.boundary), taps[i]!));
        t = terms.length === 1 ? terms[0]! : tf.addN(terms);
      }
      return tf.reshape(t, [x.shape[0], size]) as Tensor2D;
    };
    const apply = (z: Tensor2D, layer: number): Tensor2D => {
      assertLayer(layer, layers, ID);
      return quadratureOperator(inner.apply(quadratureOperator(z, true), layer), false);
    };

    return {
      params: inner.params,
      paramCount: inner.paramCount,
      apply,
      dense(layer: number): Tensor2D {
        assertLayer(layer, layers, ID);
        // apply(I) = I · W_effᵀ
        return tf.tidy(() => tf.transpose(apply(tf.eye(size) as Tensor2D, layer)) as Tensor2D);
      },
      ...(inner.physics ? { physics: (): PhysicalQuantity[] => inner.physics!() } : {}),
      dispose(): void {
        inner.dispose();
      },
    };
  },
});
