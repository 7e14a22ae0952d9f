import {
  ErrorCodes,
  ValidationError,
  defineKernelFamily,
  tf,
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
import { applyTaps, footprint, fusedBoundary, fusedGeometry, gridLayout, siteTaps, tapKernelMoments, tapsToDense, type TapStencil } from '../stencil/index.js';
import { MomentsKernelOptionsSchema, type MomentsKernelOptions } from './options.js';
import { momentMap } from './vandermonde.js';

const ID = '@npde/kernels/moments';

const MEANING = ['amplitude / reaction', 'advection', 'diffusion', 'dispersion', 'hyper-diffusion'];

function invalidOption(path: string, summary: string, expected: string, received: string, hint: string): ValidationError {
  return new ValidationError(ErrorCodes.INVALID_OPTIONS, summary, { path, expected, received, plugin: ID, hook: 'create', hint });
}

/**
 * Moment-parameterized stencil (theory §2): the trainable numbers are the
 * kernel's moments `W_α` — amplitude, advection, diffusion, dispersion, … —
 * instead of its taps. On a footprint of radius r (`cross` or `box`, 1–3-D
 * grids) the taps are `t = V⁻¹ M` with V the footprint's square Vandermonde
 * matrix ({@link momentMap}): the map is exact and invertible, so every
 * stencil on the footprint is reachable and gradient steps act on physical
 * coefficients directly. In 1-D with r = 1 the moments are `W0, W1, W2` and
 * the taps `[left, centre, right] = [(W2 − W1)/2, W0 − W2, (W2 + W1)/2]`
 * (the `adr` family with W0 = 1 + R, W1 = U/Δ, W2 = 2D/Δ²); on the 2-D
 * 5-point cross `M, Mx, My, Mxx, Myy`; on the 9-point box also
 * `Mxy, Mxxy, Mxyy, Mxxyy`.
 *
 * `free` chooses which moments train (e.g. `['W1', 'W2']`, "advection and
 * diffusion only"); the others stay at their `init` values (default: the
 * identity, zeroth moment 1). Parameter `M`: the free moments, `[F]`
 * (homogeneous), `[S, F]` (heterogeneous) or `[layers, S, F]`
 * (time-dependent), F = number of free moments, in the map's order.
 *
 * Every channel of the field gets the same stencil (no channel mixing).
 * `boundary`: `periodic`, `zero` or `reflecting`. `moments(l, p)` are exact
 * from the taps (at interior sites, and at every site when periodic, they are
 * the parameters themselves for |α| in the footprint's set; higher orders
 * follow from the taps); `physics()` reports every moment of the footprint per
 * layer and site; `dense(l)` is W; `stencil(l)` runs core's fused op for one
 * channel, a `zero` / `periodic` boundary and a 1-D footprint or the 2-D
 * 5-point cross / 9-point box.
 *
 * @example
 * ```ts
 * // 2-D, per-site advection and diffusion only; amplitude fixed at 1
 * const model = NeuralPde.create({
 *   field: { shape: [32, 32] }, layers: 6, omega: 0.5,
 *   kernel: { id: '@npde/kernels/moments', options: { free: ['Mx', 'My', 'Mxx', 'Myy'], init: { Mxx: 0.2, Myy: 0.2 } } },
 *   activation: '@npde/activations/tanh',
 * });
 * ```
 */
export const moments: KernelFamily<MomentsKernelOptions> = defineKernelFamily<MomentsKernelOptions>({
  id: ID,
  description: 'stencil parameterized by its moments W_α (amplitude, advection, diffusion, …) through the exact Vandermonde map, 1–3-D grids',
  options: MomentsKernelOptionsSchema,
  create: ({ field, layers, options, seed }): KernelInstance => {
    const grid = gridLayout(field, ID, { minExtent: 2 * options.radius + 1 });
    const dims = grid.shape.length;
    const S = field.sites;
    const offsets = footprint(dims, options.radius, options.footprint);
    const map = momentMap(offsets);
    const K = offsets.length;
    const labels = map.labels;
    const freeLabels = options.free ?? labels;
    freeLabels.forEach((label, i) => {
      if (!labels.includes(label)) {
        throw invalidOption(`kernel.options.free[${i}]`, `no moment '${label}' on this footprint`, `one of ${labels.join(', ')}`, `'${label}'`, 'The footprint fixes which moments exist: widen `radius` or use `footprint: box` for mixed moments.');
      }
    });
    if (new Set(freeLabels).size !== freeLabels.length) {
      throw invalidOption('kernel.options.free', 'a moment is listed twice', 'distinct labels', JSON.stringify(freeLabels), 'List each free moment once.');
    }
    for (const key of Object.keys(options.init)) {
      if (!labels.includes(key)) {
        throw invalidOption(`kernel.options.init.${key}`, `no moment '${key}' on this footprint`, `one of ${labels.join(', ')}`, `'${key}'`, 'Give initial values for the footprint\'s moments only.');
      }
    }
    const freeIndex = freeLabels.map((l) => labels.indexOf(l)).sort((a, b) => a - b);
    const F = freeIndex.length;
    const initial = labels.map((l, i) => options.init[l] ?? (map.alphas[i]!.every((a) => a === 0) ? 1 : 0));
    const fixedTaps = (() => {
      const m = initial.map((v, i) => (freeIndex.includes(i) ? 0 : v));
      return offsets.map((_, k) => m.reduce((s, v, i) => s + map.toTaps[k * K + i]! * v, 0));
    })();

    const perLayer = options.family === 'time-dependent';
    const lead = options.family === 'homogeneous' ? [] : options.family === 'heterogeneous' ? [S] : [layers, S];
    const shape = [...lead, F];
    const prefix = instancePrefix(ID, ['M']);
    const M: Variable = tf.tidy(() => {
      const cells = lead.reduce((a, b) => a * b, 1);
      const values = new Float32Array(cells * F);
      for (let i = 0; i < values.length; i++) values[i] = initial[freeIndex[i % F]!]!;
      let value: Tensor = tf.tensor(values, shape);
      if (options.noise > 0) value = tf.add(value, tf.randomNormal(shape, 0, options.noise, 'float32', seed));
      return tf.variable(value, true, `${prefix}/M`);
    });
    // taps = M_free · Bᵀ + fixed, B = the free columns of V⁻¹ ([F, K] as stored)
    const basis = tf.tensor2d(freeIndex.map((i) => offsets.map((_, k) => map.toTaps[k * K + i]!)), [F, K]);
    const fixed = tf.tensor1d(fixedTaps);
    const P = options.family === 'homogeneous' ? 1 : S;
    const tapTensor = (layer: number): Tensor => {
      const m = perLayer ? tf.reshape(tf.slice(M, [layer, 0, 0], [1, S, F]), [S, F]) : M;
      const t = tf.add(tf.matMul(tf.reshape(m, [P, F]), basis), fixed);
      return options.family === 'homogeneous' ? tf.reshape(t, [K]) : t;
    };
    const stencil: TapStencil = { offsets, boundary: options.boundary, channels: 'shared' };
    /** All moments of the footprint of one layer per site, float64, `[S][K]` flattened. */
    const momentValues = (layer: number): Float64Array => {
      const all = M.dataSync();
      const out = new Float64Array(S * K);
      for (let s = 0; s < S; s++) {
        const base = options.family === 'homogeneous' ? 0 : ((perLayer ? layer * S : 0) + s) * F;
        for (let i = 0; i < K; i++) out[s * K + i] = initial[i]!;
        freeIndex.forEach((i, f) => (out[s * K + i] = all[base + f]!));
      }
      return out;
    };
    const numericTaps = (layer: number): Float64Array => {
      const m = momentValues(layer);
      const out = new Float64Array(S * K);
      for (let s = 0; s < S; s++) {
        for (let k = 0; k < K; k++) {
          let v = 0;
          for (let i = 0; i < K; i++) v += map.toTaps[k * K + i]! * m[s * K + i]!;
          out[s * K + k] = v;
        }
      }
      return out;
    };
    const geometry = grid.channels === 1 ? fusedGeometry(grid, offsets, options.boundary) : undefined;
    const fusedB = fusedBoundary(options.boundary);

    const instance: KernelInstance = {
      params: { M },
      paramCount: M.size,
      apply(z: Tensor2D, layer: number): Tensor2D {
        assertLayer(layer, layers, ID);
        return applyTaps(z, grid, stencil, tapTensor(layer));
      },
      dense(layer: number): Tensor2D {
        assertLayer(layer, layers, ID);
        const n = S * grid.channels;
        return tf.tensor2d(tapsToDense(grid, stencil, numericTaps(layer), true, ID), [n, n]);
      },
      moments(layer: number, maxOrder: number): KernelMoments {
        assertLayer(layer, layers, ID);
        assertMaxOrder(maxOrder, ID);
        return tapKernelMoments(grid, stencil, numericTaps(layer), true, maxOrder);
      },
      physics(): PhysicalQuantity[] {
        const rows = Array.from({ length: layers }, (_, l) => momentValues(l));
        return labels.map((name, i) => {
          const order = map.alphas[i]!.reduce((s, a) => s + a, 0);
          return {
            name,
            description: `moment of order ${order} (${MEANING[order] ?? 'higher order'})${freeIndex.includes(i) ? '' : ', fixed'}`,
            values: rows.map((m) => Array.from({ length: S }, (_, s) => m[s * K + i]!)),
          };
        });
      },
      dispose(): void {
        M.dispose();
        basis.dispose();
        fixed.dispose();
      },
    };
    if (geometry && fusedB) {
      return {
        ...instance,
        stencil(layer: number): KernelStencil {
          assertLayer(layer, layers, ID);
          return { taps: siteTaps(tapTensor(layer), S), geometry, boundary: fusedB, sameForEveryLayer: !perLayer };
        },
      };
    }
    return instance;
  },
});
