import { defineKernelFamily, momentLabel, multiIndices, tf, type KernelFamily, type KernelInstance, type PhysicalQuantity, type Tensor, type Variable } from '@npde/core';
import { instancePrefix } from '../instance/variable-name.js';
import { MAX_TAPS } from '../convolution/options.js';
import { gridLayout, gridSites } from '../stencil/grid.js';
import type { OffsetMoment } from '../stencil/moments.js';
import { createTapKernel } from '../stencil/tap-kernel.js';
import { boundedFootprint } from '../stencil/tap-count.js';
import { GaussianOptionsSchema, type GaussianOptions } from './options.js';

const ID = '@npde/kernels/gaussian';

/** (2k − 1)!! σ^{2k}: the 2k-th moment of a centred normal density of width σ; 0 for odd orders. */
function normalMoment(order: number, sigma: number): number {
  if (order % 2 === 1) return 0;
  let v = 1;
  for (let j = order - 1; j > 0; j -= 2) v *= j;
  return v * sigma ** order;
}

/**
 * The analytic multi-index moments of the continuous kernel
 * `A · (2πσ²)^{−d/2} · exp(−|r|²/(2σ²))` in d dimensions (theory §2: a
 * Gaussian kernel has every moment finite):
 *
 *     W_α = A · Π_a m(α_a),   m(2k) = (2k − 1)!! σ^{2k},   m(odd) = 0
 *
 * so W_0 = A (reaction), no advection, W_{aa} = A σ² (diffusion along each
 * axis: D = Aσ²/2 in the ADR reading), W_{aaaa} = 3Aσ⁴. A {@link gaussian}
 * kernel's tap moments approach these once σ spans a few grid cells and the
 * radius a few σ (the lattice sum differs from the integral by ~e^{−2π²σ²}).
 *
 * @example
 * ```ts
 * gaussianMoments(1, 2, 1, 4).map((m) => m.value); // [1, 0, 4, 0, 48]
 * ```
 */
export function gaussianMoments(dims: number, sigma: number, amplitude: number, maxOrder: number): OffsetMoment[] {
  return multiIndices(dims, maxOrder).map((alpha) => ({
    alpha,
    label: momentLabel(alpha),
    value: alpha.reduce((v, k) => v * normalMoment(k, sigma), amplitude),
  }));
}

/**
 * Gaussian convolution kernel (theory §2): the taps are the sampled normalized
 * Gaussian density of trainable width σ and amplitude A,
 *
 *     T(o) = A · (2πσ²)^{−d/2} · exp(−|o|²/(2σ²)),   |o_a| ≤ radius,
 *
 * on a 1-, 2- or 3-D grid (grid units), the same for every channel. Two
 * parameters (`sigma`, `amplitude`; `[layers]` each with `perLayer`) give a
 * smoothing W whose moments are all finite: W_0 ≈ A, W_aa ≈ Aσ²,
 * see {@link gaussianMoments}. Tap order, boundaries, `apply`, `dense`,
 * exact `moments` and the fused `stencil()` (1-D radius ≤ 3, 2-D radius 1,
 * one channel) as for `convolution`. `physics()` reports σ and A per layer.
 *
 * @example
 * ```ts
 * const model = NeuralPde.create({
 *   field: { shape: [64] }, layers: 4, omega: 0.5,
 *   kernel: { id: '@npde/kernels/gaussian', options: { radius: 6, init: { sigma: 1.5 } } },
 *   activation: '@npde/activations/tanh',
 * });
 * model.kernel.physics!()[0]!.values[0]![0]; // σ of layer 0
 * ```
 */
export const gaussian: KernelFamily<GaussianOptions> = defineKernelFamily<GaussianOptions>({
  id: ID,
  description: 'Gaussian convolution taps of trainable width σ and amplitude (every moment finite)',
  options: GaussianOptionsSchema,
  create: ({ field, layers, options }): KernelInstance => {
    const grid = gridLayout(field, ID);
    const dims = grid.shape.length;
    const offsets = boundedFootprint(dims, options.radius, options.footprint, MAX_TAPS, ID);
    const r2 = tf.tensor1d(offsets.map((o) => o.reduce((s, x) => s + x * x, 0)));
    const shape = options.perLayer ? [layers] : [];
    const prefix = instancePrefix(ID, ['sigma', 'amplitude']);
    const make = (name: string, value: number): Variable => tf.tidy(() => tf.variable(tf.fill(shape, value), true, `${prefix}/${name}`));
    const params = { sigma: make('sigma', options.init.sigma), amplitude: make('amplitude', options.init.amplitude) };
    const at = (p: Variable, layer: number): Tensor => (options.perLayer ? tf.reshape(tf.slice(p, [layer], [1]), []) : p);
    const sites = gridSites(grid);
    const row = (p: Variable): number[][] => {
      const v = p.dataSync();
      return Array.from({ length: layers }, (_, l) => new Array<number>(sites).fill(v[options.perLayer ? l : 0]!));
    };
    const physics = (): PhysicalQuantity[] => [
      { name: 'sigma', description: 'Gaussian width σ (grid units)', values: row(params.sigma) },
      { name: 'amplitude', description: 'amplitude A = W_0 (reaction)', values: row(params.amplitude) },
    ];
    const kernel = createTapKernel({
      id: ID,
      grid,
      stencil: { offsets, boundary: options.boundary },
      layers,
      params,
      sameForEveryLayer: !options.perLayer,
      taps: (layer) => {
        const s2 = tf.square(at(params.sigma, layer));
        const norm = tf.pow(tf.mul(s2, 2 * Math.PI), -dims / 2);
        return tf.mul(tf.mul(at(params.amplitude, layer), norm), tf.exp(tf.div(tf.neg(r2), tf.mul(s2, 2))));
      },
      physics,
    });
    const dispose = kernel.dispose.bind(kernel);
    return {
      ...kernel,
      dispose(): void {
        dispose();
        r2.dispose();
      },
    };
  },
});
