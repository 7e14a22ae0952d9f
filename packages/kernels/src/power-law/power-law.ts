import {
  defineKernelFamily,
  tf,
  type KernelFamily,
  type KernelInstance,
  type KernelMoment,
  type KernelMoments,
  type MultiIndex,
  type PhysicalQuantity,
  type Tensor,
  type Variable,
} from '@npde/core';
import { MAX_TAPS } from '../convolution/options.js';
import { instancePrefix } from '../instance/variable-name.js';
import { gridLayout, gridSites } from '../stencil/grid.js';
import { createTapKernel } from '../stencil/tap-kernel.js';
import { boundedFootprint } from '../stencil/tap-count.js';
import { PowerLawOptionsSchema, type PowerLawOptions } from './options.js';

const ID = '@npde/kernels/power-law';

/**
 * Whether the moment W_α of an untruncated power-law kernel `|r|^{−p}` in
 * `dims` dimensions diverges with the domain size (theory §2: power-law
 * kernels have only finitely many finite moments). The lattice sum
 * `Σ_{0<|o|≤R} o^α |o|^{−p}` grows like `∫^R r^{|α| − p + d − 1} dr`, so it
 * diverges (as a power of R, or as log R at equality) when `|α| + d ≥ p`,
 * unless some α_a is odd: the footprint is symmetric, so those moments are 0
 * at any radius.
 *
 * @param dims - Spatial dimensions d.
 * @param exponent - The exponent p.
 * @param alpha - The multi-index.
 *
 * @example
 * ```ts
 * powerLawDivergent(1, 3, [0]); // false: Σ n^{−3} converges
 * powerLawDivergent(1, 3, [2]); // true: Σ n^{−1} grows as log R
 * powerLawDivergent(1, 3, [1]); // false: 0 by symmetry
 * ```
 */
export function powerLawDivergent(dims: number, exponent: number, alpha: MultiIndex): boolean {
  if (alpha.some((k) => k % 2 === 1)) return false;
  return alpha.reduce((a, b) => a + b, 0) + dims >= exponent;
}

/**
 * A moment of a {@link powerLaw} kernel, flagged when the untruncated kernel's moment diverges.
 *
 * @example
 * ```ts
 * const w2 = (k.moments!(0, 2) as PowerLawMoments).moments[2]!; // { label: 'W2', divergent: true, … } for p ≤ 3 in 1-D
 * ```
 */
export interface PowerLawMoment extends KernelMoment {
  /**
   * `true` when this moment of the untruncated kernel diverges with the domain
   * size ({@link powerLawDivergent}): `values` are then the truncated sums at
   * the chosen radius, which grow with it, not transport coefficients.
   */
  readonly divergent: boolean;
}

/**
 * The moments of one layer of a {@link powerLaw} kernel, each with its {@link PowerLawMoment.divergent} flag.
 *
 * @example
 * ```ts
 * const finite = (k.moments!(0, 4) as PowerLawMoments).moments.filter((m) => !m.divergent);
 * ```
 */
export interface PowerLawMoments extends KernelMoments {
  /** One entry per multi-index, flagged. */
  readonly moments: readonly PowerLawMoment[];
  /** The layer's exponent p the flags were computed for. */
  readonly exponent: number;
}

/**
 * Power-law convolution kernel (theory §2), truncated at a radius R:
 *
 *     T(0) = c,   T(o) = A · |o|^{−p}   (0 < |o_a| ≤ R, |o| Euclidean)
 *
 * on a 1-, 2- or 3-D grid, the same for every channel, with trainable
 * exponent `exponent` (p), amplitude `amplitude` (A) and centre tap `center`
 * (c), scalars or `[layers]` with `perLayer`. Long-range coupling: only the
 * moments with `|α| + d < p` stay finite as the domain grows; `moments()`
 * returns {@link PowerLawMoments}, each entry flagged `divergent` where the
 * untruncated moment diverges ({@link powerLawDivergent}), so an analysis can
 * report it as such instead of as a transport coefficient. Tap order,
 * boundaries, `apply`, `dense` and the fused `stencil()` (1-D R ≤ 3, 2-D
 * R = 1, one channel) as for `convolution`.
 *
 * @example
 * ```ts
 * const k = NeuralPde.create({
 *   field: { shape: [128] }, layers: 4, omega: 0.5,
 *   kernel: { id: '@npde/kernels/power-law', options: { radius: 16, init: { exponent: 2.5 } } },
 *   activation: '@npde/activations/tanh',
 * }).kernel;
 * (k.moments!(0, 2) as PowerLawMoments).moments.map((m) => `${m.label}: ${m.divergent}`); // W0 finite, W2 divergent
 * ```
 */
export const powerLaw: KernelFamily<PowerLawOptions> = defineKernelFamily<PowerLawOptions>({
  id: ID,
  description: 'power-law convolution taps A·|r|^(−p) truncated at a radius, trainable exponent (divergent moments flagged)',
  options: PowerLawOptionsSchema,
  create: ({ field, layers, options }): KernelInstance => {
    const grid = gridLayout(field, ID);
    const dims = grid.shape.length;
    const offsets = boundedFootprint(dims, options.radius, options.footprint, MAX_TAPS, ID);
    const isCentre = offsets.map((o) => o.every((x) => x === 0));
    const logR = tf.tensor1d(offsets.map((o, k) => (isCentre[k] ? 0 : 0.5 * Math.log(o.reduce((s, x) => s + x * x, 0)))));
    const ring = tf.tensor1d(isCentre.map((c) => (c ? 0 : 1)));
    const centre = tf.tensor1d(isCentre.map((c) => (c ? 1 : 0)));
    const shape = options.perLayer ? [layers] : [];
    const names = ['exponent', 'amplitude', 'center'] as const;
    const prefix = instancePrefix(ID, names);
    const make = (name: (typeof names)[number]): Variable => tf.tidy(() => tf.variable(tf.fill(shape, options.init[name]), true, `${prefix}/${name}`));
    const params = { exponent: make('exponent'), amplitude: make('amplitude'), center: make('center') };
    const at = (p: Variable, layer: number): Tensor => (options.perLayer ? tf.reshape(tf.slice(p, [layer], [1]), []) : p);
    const valueAt = (p: Variable, layer: number): number => p.dataSync()[options.perLayer ? layer : 0]!;
    const sites = gridSites(grid);
    const DESCRIPTIONS = { exponent: 'power-law exponent p', amplitude: 'amplitude A of A·|r|^(−p)', center: 'centre tap' };
    const physics = (): PhysicalQuantity[] =>
      names.map((name) => ({
        name,
        description: DESCRIPTIONS[name],
        values: Array.from({ length: layers }, (_, l) => new Array<number>(sites).fill(valueAt(params[name], l))),
      }));
    const kernel = createTapKernel({
      id: ID,
      grid,
      stencil: { offsets, boundary: options.boundary },
      layers,
      params,
      sameForEveryLayer: !options.perLayer,
      taps: (layer) => {
        const tail = tf.mul(tf.mul(at(params.amplitude, layer), tf.exp(tf.mul(tf.neg(at(params.exponent, layer)), logR))), ring);
        return tf.add(tail, tf.mul(at(params.center, layer), centre));
      },
      physics,
    });
    const base = kernel.moments!.bind(kernel);
    const dispose = kernel.dispose.bind(kernel);
    return {
      ...kernel,
      moments(layer: number, maxOrder: number): PowerLawMoments {
        const m = base(layer, maxOrder);
        const p = valueAt(params.exponent, layer);
        return { ...m, exponent: p, moments: m.moments.map((e) => ({ ...e, divergent: powerLawDivergent(dims, p, e.alpha) })) };
      },
      dispose(): void {
        dispose();
        tf.dispose([logR, ring, centre]);
      },
    };
  },
});
