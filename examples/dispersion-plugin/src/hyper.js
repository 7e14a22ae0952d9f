// A kernel family written as a third party writes one: plain ES modules with
// JSDoc types (no build step), importing npde only through `@npde/core`'s public entry.
import { ErrorCodes, TooLargeError, UnsupportedFieldError, defineKernelFamily, momentLabel, multiIndices, tf, v } from '@npde/core';

/** Plugin id of {@link hyper}: `<npm package name>/<name>`. */
export const HYPER_ID = '@acme/npde-dispersion/hyper';

/** Tap offsets of the 5-point stencil, in the fused op's tap order (tap k reads z[i + k − 2]). */
export const OFFSETS = Object.freeze([-2, -1, 0, 1, 2]);

/** Most entries `dense()` materializes (N ≤ 4096). */
const MAX_DENSE_ENTRIES = 2 ** 24;

/** Options of {@link hyper}. */
export const HyperOptionsSchema = v.strictObject({
  /** `homogeneous`: one c3 and one c4 (2 parameters); `heterogeneous`: one of each per site (2N). */
  family: v.optional(v.picklist(['homogeneous', 'heterogeneous']), 'homogeneous'),
  /** `periodic` wraps the grid; `zero` reads 0 outside it. */
  boundary: v.optional(v.picklist(['periodic', 'zero']), 'periodic'),
  /** Grid spacing Δ > 0 (default 1). */
  dx: v.optional(v.pipe(v.number(), v.finite(), v.gtValue(0)), 1),
  /** Initial values. */
  init: v.optional(
    v.strictObject({
      /** Initial dispersion coefficient c3 (default 0). */
      c3: v.optional(v.pipe(v.number(), v.finite()), 0),
      /** Initial hyper-diffusion coefficient c4 (default 0; < 0 smooths). */
      c4: v.optional(v.pipe(v.number(), v.finite()), 0),
      /** Standard deviation of Gaussian noise added to the initial values, ≥ 0 (default 0). */
      noise: v.optional(v.pipe(v.number(), v.minValue(0)), 0),
    }),
    {},
  ),
});

/**
 * The taps of `W = I + c3 ∂³ + c4 ∂⁴` on the 5-point stencil, as numbers, for
 * a = c3/Δ³ and b = c4/Δ⁴: the central differences δ³ = [−½, 1, 0, −1, ½] and
 * δ⁴ = [1, −4, 6, −4, 1], whose moments are exactly (0, 0, 0, 6, 0) and
 * (0, 0, 0, 0, 24).
 *
 * @param {number} a - c3 / Δ³
 * @param {number} b - c4 / Δ⁴
 * @returns {number[]} the five taps, offsets −2 … 2
 */
export function hyperTaps(a, b) {
  return [-a / 2 + b, a - 4 * b, 1 + 6 * b, -a - 4 * b, a / 2 + b];
}

/**
 * z shifted so that entry i holds z[i + offset] (wrapped, or 0 outside a zero boundary).
 *
 * @param {import('@npde/core').Tensor2D} z
 * @param {number} offset
 * @param {'periodic' | 'zero'} boundary
 * @returns {import('@npde/core').Tensor2D}
 */
function shift(z, offset, boundary) {
  const [batch, n] = z.shape;
  if (offset === 0) return z;
  const k = Math.abs(offset);
  if (offset > 0) {
    const tail = boundary === 'periodic' ? tf.slice(z, [0, 0], [batch, k]) : tf.zeros([batch, k]);
    return /** @type {import('@npde/core').Tensor2D} */ (tf.concat([tf.slice(z, [0, k], [batch, n - k]), tail], 1));
  }
  const head = boundary === 'periodic' ? tf.slice(z, [0, n - k], [batch, k]) : tf.zeros([batch, k]);
  return /** @type {import('@npde/core').Tensor2D} */ (tf.concat([head, tf.slice(z, [0, 0], [batch, n - k])], 1));
}

/**
 * Dispersion / hyper-diffusion kernel (theory §2, moments W3 and W4): on a 1-D
 * grid of spacing Δ,
 *
 *     W z = z + c3 ∂³z + c4 ∂⁴z
 *
 * discretized on the 5-point stencil (see {@link hyperTaps}), with trainable
 * coefficients c3 (dispersion: a scale-dependent propagation speed) and c4
 * (hyper-diffusion: smooths when c4 < 0), shared by every site
 * (`homogeneous`, 2 parameters) or one per site (`heterogeneous`, 2N), shared
 * by every layer. Its moments are exact, in grid units: W0 = 1, W1 = W2 = 0,
 * W3 = 6 c3/Δ³, W4 = 24 c4/Δ⁴ at every interior site (with `zero`, the taps
 * that fall outside the grid are left out at the two edge sites on each side).
 * Offers `dense`, `stencil` (so a model runs it fused), `moments` and
 * `physics` (c3, c4 per layer and site). Needs a 1-D grid with one channel
 * and at least 5 sites; anything else throws `UNSUPPORTED_FIELD`.
 *
 * @example
 * ```js
 * import { NeuralPde, createDefaultRegistry } from 'npde';
 * import { plugins } from '@acme/npde-dispersion';
 * const registry = createDefaultRegistry().register(plugins);
 * const model = NeuralPde.create({
 *   field: { shape: [32] }, layers: 4, omega: 0.5,
 *   kernel: { id: '@acme/npde-dispersion/hyper', options: { init: { c4: -0.02 } } },
 *   activation: '@npde/activations/identity',
 * }, { registry });
 * ```
 *
 * @type {import('@npde/core').KernelFamily<import('./index.js').HyperOptions>}
 */
export const hyper = defineKernelFamily({
  id: HYPER_ID,
  description: '1-D dispersion / hyper-diffusion stencil W = I + c3∂³ + c4∂⁴ on 5 points (2 or 2N parameters)',
  options: HyperOptionsSchema,
  create: ({ field, layers, options, seed }) => {
    if (field.points || field.dims !== 1 || field.realChannels !== 1 || field.sites < 5) {
      throw new UnsupportedFieldError(ErrorCodes.UNSUPPORTED_FIELD, 'the 5-point dispersion stencil needs a 1-D grid', {
        path: 'field',
        expected: 'a 1-D grid with one real channel and at least 5 sites, e.g. { shape: [64] }',
        received: `shape [${field.shape.join(', ')}] with ${field.realChannels} real channel(s)`,
        plugin: HYPER_ID,
        hook: 'create',
      });
    }
    const n = field.sites;
    const { family, boundary, dx, init } = options;
    const shape = family === 'homogeneous' ? [] : [n];
    /** @param {number} value @param {number} k */
    const make = (value, k) =>
      tf.tidy(() => {
        let t = tf.fill(shape, value);
        if (init.noise > 0) t = tf.add(t, tf.randomNormal(shape, 0, init.noise, 'float32', seed + k));
        return tf.variable(t, true);
      });
    const c3 = make(init.c3, 0);
    const c4 = make(init.c4, 1);
    const scale3 = 1 / dx ** 3;
    const scale4 = 1 / dx ** 4;

    /** The five taps as tensors ([] or [N]), differentiable in c3 and c4. */
    const tapTensors = () => {
      const a = tf.mul(c3, scale3);
      const b = tf.mul(c4, scale4);
      return [
        tf.add(tf.mul(a, -0.5), b),
        tf.sub(a, tf.mul(b, 4)),
        tf.add(1, tf.mul(b, 6)),
        tf.sub(tf.neg(a), tf.mul(b, 4)),
        tf.add(tf.mul(a, 0.5), b),
      ];
    };
    /** @param {number} layer */
    const checkLayer = (layer) => {
      if (!Number.isInteger(layer) || layer < 0 || layer >= layers) throw new RangeError(`${HYPER_ID}: layer ${layer} is not in 0..${layers - 1}`);
    };
    /** Per-site taps as float64 numbers: taps[i][k] for offset OFFSETS[k]. */
    const siteTaps = () => {
      const a = c3.dataSync();
      const b = c4.dataSync();
      return Array.from({ length: n }, (_, i) => {
        const j = family === 'homogeneous' ? 0 : i;
        return hyperTaps(a[j] * scale3, b[j] * scale4);
      });
    };
    /** Whether tap `k` of site `i` reads inside the grid (always, when periodic). */
    const inside = (i, k) => boundary === 'periodic' || (i + OFFSETS[k] >= 0 && i + OFFSETS[k] < n);
    /** @param {Float32Array} values */
    const perSite = (values) => (family === 'homogeneous' ? new Array(n).fill(values[0]) : Array.from(values));

    return {
      params: { c3, c4 },
      paramCount: family === 'homogeneous' ? 2 : 2 * n,
      apply(z, layer) {
        checkLayer(layer);
        const taps = tapTensors();
        let out = tf.mul(taps[2], z);
        OFFSETS.forEach((o, k) => {
          if (o !== 0) out = tf.add(out, tf.mul(taps[k], shift(z, o, boundary)));
        });
        return /** @type {import('@npde/core').Tensor2D} */ (out);
      },
      stencil(layer) {
        checkLayer(layer);
        const taps = tf.stack(tapTensors().map((t) => tf.broadcastTo(t, [n])), 1);
        return { taps: /** @type {import('@npde/core').Tensor2D} */ (taps), geometry: { dims: 1, sites: n, radius: 2 }, boundary };
      },
      dense(layer) {
        checkLayer(layer);
        if (n * n > MAX_DENSE_ENTRIES) {
          throw new TooLargeError(ErrorCodes.TOO_LARGE, `${HYPER_ID}: dense() would materialize a ${n}×${n} matrix`, {
            path: 'field.shape',
            expected: `at most ${MAX_DENSE_ENTRIES} entries`,
            received: `${n * n} entries (N = ${n})`,
            hint: 'Read the kernel through moments(), physics() or stencil() instead.',
            plugin: HYPER_ID,
            hook: 'dense',
          });
        }
        const w = new Float32Array(n * n);
        siteTaps().forEach((t, i) => {
          t.forEach((tap, k) => {
            if (inside(i, k)) w[i * n + ((i + OFFSETS[k] + n) % n)] += tap;
          });
        });
        return tf.tensor2d(w, [n, n]);
      },
      moments(layer, maxOrder) {
        checkLayer(layer);
        const taps = siteTaps();
        return {
          dims: 1,
          sites: n,
          order: maxOrder,
          moments: multiIndices(1, maxOrder).map((alpha) => ({
            alpha,
            label: momentLabel(alpha),
            values: taps.map((t, i) => t.reduce((s, tap, k) => (inside(i, k) ? s + OFFSETS[k] ** alpha[0] * tap : s), 0)),
          })),
        };
      },
      physics() {
        const a = perSite(c3.dataSync());
        const b = perSite(c4.dataSync());
        return [
          { name: 'c3', description: 'dispersion coefficient', values: Array.from({ length: layers }, () => [...a]) },
          { name: 'c4', description: 'hyper-diffusion coefficient', values: Array.from({ length: layers }, () => [...b]) },
        ];
      },
      dispose() {
        c3.dispose();
        c4.dispose();
      },
    };
  },
});
