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
import { assertAdrField } from './supported-field.js';
import { adrToTaps, tapMoments } from './taps.js';

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
 * Supports only 1-D grid fields with one real channel and N ≥ 3; other
 * fields throw `UNSUPPORTED_FIELD` (path `field`).
 *
 * @example
 * ```ts
 * const model = NeuralPde.create({
 *   field: { shape: [64] }, layers: 8, omega: 0.5,
 *   kernel: { id: '@npde/kernels/adr', options: { family: 'heterogeneous', boundary: 'periodic', init: { D: 0.1, noise: 0.01 } } },
 *   activation: '@npde/activations/tanh',
 * });
 * const [U, D, R] = model.kernel.physics!(); // U.values[layer][site]
 * ```
 */
export const adr: KernelFamily<AdrOptions> = defineKernelFamily<AdrOptions>({
  id: ID,
  description: '1-D advection–diffusion–reaction stencil W = R − U∂ + D∂² (3, 3N or 3NL parameters)',
  options: AdrOptionsSchema,
  create: ({ field, layers, options, seed }): KernelInstance => {
    assertAdrField(field, ID);
    const n = field.sites;
    const { family, dx, boundary, init } = options;
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
        const { a, b, c } = tapTensors(layer);
        const site = (t: Tensor) => tf.broadcastTo(t, [n]);
        // tap order of the fused op: [left, centre, right] = [A, C, B]
        const taps = tf.stack([site(a), site(c), site(b)], 1) as Tensor2D;
        return { taps, geometry: { dims: 1, sites: n, radius: 1 }, boundary };
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
