import {
  defineKernelFamily,
  ErrorCodes,
  momentLabel,
  tf,
  TooLargeError,
  type KernelFamily,
  type KernelInstance,
  type KernelMoments,
  type KernelStencil,
  type PhysicalQuantity,
  type Tensor,
  type Tensor2D,
  type Variable,
} from '@npde/core';
import { assertLayer, assertMaxOrder } from '../instance/layer-index.js';
import { instancePrefix } from '../instance/variable-name.js';
import { AdrOptionsSchema, type AdrOptions } from './options.js';
import { leftNeighbor, rightNeighbor } from './shift.js';
import { createGridAdr } from './grid-adr.js';
import { assertAdrField } from './supported-field.js';
import { adrToTaps, tapMoments } from './taps.js';
import { adrTaps1d } from './taps-op.js';

const ID = '@npde/kernels/adr';
const NAMES = ['U', 'D', 'R'] as const;
type CoefficientName = (typeof NAMES)[number];

/** Most entries `dense()` materializes (2²⁶ float32 = 256 MiB, N = 8192). */
const MAX_DENSE_ENTRIES = 2 ** 26;

const DESCRIPTIONS: Record<CoefficientName, string> = {
  U: 'advection speed',
  D: 'diffusion coefficient',
  R: 'reaction rate',
};

/**
 * Neural advection–diffusion–reaction kernel (theory §6): on a 1-D grid of
 * spacing Δ, W is the 3-point stencil
 *
 *     (W z)_i = A_i z_{i−1} + C_i z_i + B_i z_{i+1}
 *     A = −U/(2Δ) + D/Δ²,  B = +U/(2Δ) + D/Δ²,  C = 1 − 2D/Δ² + R
 *
 * with trainable coefficients `U` (advection), `D` (diffusion), `R` (reaction):
 *
 * | family           | shape of U, D, R | paramCount |
 * |------------------|------------------|------------|
 * | `homogeneous`    | `[]`             | 3          |
 * | `heterogeneous`  | `[N]`            | 3N         |
 * | `time-dependent` | `[layers, N]`    | 3NL        |
 *
 * `boundary: 'periodic'` wraps the neighbors of the edge sites; `'zero'` makes
 * them 0 (then `A_0` and `B_{N−1}` never act and cannot be learned, theory §8).
 * `apply` shifts by slice + concat (no matrix product); `dense` materializes
 * the N×N matrix, including the periodic corner entries (and throws
 * `TooLargeError`, code `TOO_LARGE`, past 2²⁶ entries, N > 8192); `moments`
 * are exact from the taps ({@link tapMoments}), labelled `W0, W1, W2, …`
 * (`W0 = A + B + C`, odd `B − A`, even `A + B`); `physics` reports U, D, R
 * for every layer and site.
 *
 * Moments at the edge sites: with `periodic`, the wrapped neighbor counts at
 * offset ±1 (its distance on the ring), not at ∓(N − 1) as a plain
 * `Σ_j (j − i)^k W_ij` over `dense()` would count it, so W_0 equals the row
 * sums of `dense()` everywhere and the higher moments differ from the dense
 * ones only at sites 0 and N − 1. With `zero`, `A_0` and `B_{N−1}` are left
 * out (they only multiply the padding), so the moments equal those of
 * `dense()` at every site.
 *
 * **2-D and 3-D grids, channels, reflecting walls.** On a d-dimensional grid
 * (d = 1..3, every axis ≥ 3 sites, any number C of real channels) W is
 *
 *     W = I + R + U·∇ + D:∇∇     (central differences, spacing Δ on every axis)
 *
 * with the 1-D taps on each axis (`±e_a: ±U_a/(2Δ) + D_aa/Δ²`, centre
 * `1 − Σ_a 2D_aa/Δ² + R`) and each cross component D_ab (a < b) as
 * `o_a·o_b·D_ab/(2Δ²)` at the corners `o = ±e_a ± e_b` (theory §6: a scalar
 * reaction, an advection vector of d components, a symmetric diffusion tensor
 * of d(d+1)/2). `diffusion` picks the tensor's freedom: `tensor` (default;
 * d(d+1)/2 components, the 3^d box footprint), `diagonal` (d) or `isotropic`
 * (1; the (2d+1)-point cross). In 2-D, isotropic with R = 0 is the 5-point
 * Laplacian convolution `[[0,r,0],[r,1−4r,r],[0,r,0]]`, r = D/Δ².
 * Moments are `M = 1 + R`, `M_{e_a} = U_a/Δ`, `M_{e_a+e_b} = 2D_ab/Δ²`.
 *
 * Parameters (layout of the saved model; leading axes `[]`, `[S]` or
 * `[layers, S]` by family, S = sites): `U` `[…, C?, d?]`, `D` `[…, C?, nD?]`,
 * `R` `[…]` with one channel or `[…, C, C]` (`[out, in]`) with several — an
 * axis of size 1 is left out, so the 1-D single-channel shapes are the ones
 * above. With C > 1 channels each channel has its own advection and diffusion
 * and the reaction is a channel-mixing matrix at each site (initialized to
 * `init.R · I`). Advection components are `Ux, Uy, Uz`, diffusion `Dxx, Dxy, …`
 * (in `multiIndices` order), as `physics()` names them (with `[c]` per channel
 * and `R[o,i]` when C > 1).
 *
 * `boundary: 'reflecting'` mirrors the grid at its faces (index −1 reads 0, a
 * zero-flux wall), in any dimension. `stencil()` (the fused op) is offered for
 * one channel with a `zero` or `periodic` boundary where core's op has the
 * footprint: 1-D, and 2-D 5-point (isotropic / diagonal) or 9-point (tensor).
 * With C > 1 channels on a 2-D grid, the `homogeneous` family and a `zero` or
 * `periodic` boundary, `channelStencil()` feeds core's multi-channel op
 * (`channelStencilRelax`) instead: per-channel taps `[C, 5|9]` (the transport
 * taps, the identity included) and the reaction matrix `[C, C]` as the channel
 * mixing (R only there, so its diagonal is not counted twice). Per-site
 * coefficients (`heterogeneous`, `time-dependent`) and reflecting walls do not fuse.
 * `dense()` and exact `moments()` (from the taps, as in 1-D) exist everywhere.
 *
 * Fields that are scattered points, complex, more than 3-D or with an axis
 * shorter than 3 throw `UNSUPPORTED_FIELD` (path `field`).
 *
 * @example
 * ```ts
 * const model = NeuralPde.create({
 *   field: { shape: [64] }, layers: 8, omega: 0.5,
 *   kernel: { id: '@npde/kernels/adr', options: { family: 'heterogeneous', boundary: 'periodic', init: { D: 0.1, noise: 0.01 } } },
 *   activation: '@npde/activations/tanh',
 * });
 * const [U, D, R] = model.kernel.physics!(); // U.values[layer][site]
 *
 * // 2-D, two channels, the full diffusion tensor, zero-flux walls
 * const model2 = NeuralPde.create({
 *   field: { shape: [32, 32], channels: 2 }, layers: 6, omega: 0.5,
 *   kernel: { id: '@npde/kernels/adr', options: { family: 'heterogeneous', boundary: 'reflecting', diffusion: 'tensor' } },
 *   activation: '@npde/activations/tanh',
 * });
 * ```
 */
export const adr: KernelFamily<AdrOptions> = defineKernelFamily<AdrOptions>({
  id: ID,
  description: 'advection–diffusion–reaction stencil W = I + R + U·∇ + D:∇∇ on 1–3-D grids with channels (homogeneous, heterogeneous or time-dependent)',
  options: AdrOptionsSchema,
  create: ({ field, layers, options, seed }): KernelInstance => {
    const grid = assertAdrField(field, ID);
    if (field.dims !== 1 || field.realChannels !== 1 || options.boundary === 'reflecting') {
      return createGridAdr(ID, field, grid, layers, options, seed);
    }
    // The 1-D single-channel fast path (the original family: same parameters, taps and moments).
    const n = field.sites;
    const { family, dx, init } = options;
    const boundary = options.boundary as 'periodic' | 'zero';
    const shape = family === 'homogeneous' ? [] : family === 'heterogeneous' ? [n] : [layers, n];
    const prefix = instancePrefix(ID, NAMES);
    const make = (name: CoefficientName, k: number): Variable =>
      tf.tidy(() => {
        let value: Tensor = tf.fill(shape, init[name]);
        if (init.noise > 0) value = tf.add(value, tf.randomNormal(shape, 0, init.noise, 'float32', seed + k));
        return tf.variable(value, true, `${prefix}/${name}`);
      });
    const params = { U: make('U', 0), D: make('D', 1), R: make('R', 2) };
    const perLayer = family === 'time-dependent';
    const invDx2 = 1 / (dx * dx);
    const inv2Dx = 1 / (2 * dx);

    const coefficient = (p: Variable, layer: number): Tensor => (perLayer ? tf.reshape(tf.slice(p, [layer, 0], [1, n]), [n]) : p);
    /** The taps A (left), B (right), C (centre) of one layer as tensors ([] or [N]), differentiable in U, D, R. */
    const tapTensors = (layer: number): { a: Tensor; b: Tensor; c: Tensor } => {
      const u = tf.mul(coefficient(params.U, layer), inv2Dx);
      const d = tf.mul(coefficient(params.D, layer), invDx2);
      return { a: tf.sub(d, u), b: tf.add(d, u), c: tf.add(tf.sub(1, tf.mul(d, 2)), coefficient(params.R, layer)) };
    };

    /** One layer's row of a coefficient, broadcast to N sites, as float64 numbers. */
    const row = (values: Float32Array | Int32Array | Uint8Array, layer: number): number[] =>
      family === 'homogeneous'
        ? new Array<number>(n).fill(values[0]!)
        : Array.from(perLayer ? values.subarray(layer * n, (layer + 1) * n) : values);
    const coefficientsAt = (layer: number): Record<CoefficientName, number[]> => ({
      U: row(params.U.dataSync(), layer),
      D: row(params.D.dataSync(), layer),
      R: row(params.R.dataSync(), layer),
    });

    return {
      params,
      paramCount: 3 * (family === 'homogeneous' ? 1 : family === 'heterogeneous' ? n : n * layers),
      apply(z: Tensor2D, layer: number): Tensor2D {
        assertLayer(layer, layers, ID);
        const { a, b, c } = tapTensors(layer);
        const left = tf.mul(a, leftNeighbor(z, boundary));
        const right = tf.mul(b, rightNeighbor(z, boundary));
        return tf.add(tf.add(left, tf.mul(c, z)), right) as Tensor2D;
      },
      stencil(layer: number): KernelStencil {
        assertLayer(layer, layers, ID);
        // tap order of the fused op: [left, centre, right] = [A, C, B]
        const taps = adrTaps1d(coefficient(params.U, layer), coefficient(params.D, layer), coefficient(params.R, layer), n, inv2Dx, invDx2);
        return { taps, geometry: { dims: 1, sites: n, radius: 1 }, boundary, sameForEveryLayer: !perLayer };
      },
      dense(layer: number): Tensor2D {
        assertLayer(layer, layers, ID);
        if (n * n > MAX_DENSE_ENTRIES) {
          throw new TooLargeError(ErrorCodes.TOO_LARGE, `${ID}: dense() would materialize a ${n}×${n} matrix`, {
            path: 'field.shape',
            expected: `at most ${MAX_DENSE_ENTRIES} entries (N ≤ ${Math.floor(Math.sqrt(MAX_DENSE_ENTRIES))} sites)`,
            received: `${n * n} entries (N = ${n})`,
            hint: 'Read the kernel through moments(), physics() or stencil(), which stay O(N), instead of the dense matrix.',
            plugin: ID,
            hook: 'dense',
          });
        }
        const { A, B, C } = adrToTaps(coefficientsAt(layer), dx);
        const w = new Float32Array(n * n);
        for (let i = 0; i < n; i++) {
          w[i * n + i] = C[i]!;
          if (i > 0) w[i * n + i - 1] = A[i]!;
          else if (boundary === 'periodic') w[i * n + n - 1] = A[i]!;
          if (i < n - 1) w[i * n + i + 1] = B[i]!;
          else if (boundary === 'periodic') w[i * n] = B[i]!;
        }
        return tf.tensor2d(w, [n, n]);
      },
      moments(layer: number, maxOrder: number): KernelMoments {
        assertLayer(layer, layers, ID);
        assertMaxOrder(maxOrder, ID);
        const { A, B, C } = adrToTaps(coefficientsAt(layer), dx);
        if (boundary === 'zero') {
          A[0] = 0; // these taps only ever multiply the zero padding
          B[n - 1] = 0;
        }
        const moments = tapMoments({ A, B, C }, maxOrder).map((values, k) => ({ alpha: [k], label: momentLabel([k]), values }));
        return { dims: 1, sites: n, order: maxOrder, moments };
      },
      physics(): PhysicalQuantity[] {
        return NAMES.map((name) => {
          const values = params[name].dataSync();
          return { name, description: DESCRIPTIONS[name], values: Array.from({ length: layers }, (_, l) => row(values, l)) };
        });
      },
      dispose(): void {
        for (const p of Object.values(params)) p.dispose();
      },
    };
  },
});
