// reaction: 'mixing' — W z = (per-channel stencil) + R z, R a trainable C × C matrix [out, in].
import { cpuBackend } from '@npde/backend-cpu';
import { wasmBackend } from '@npde/backend-wasm';
import { channelStencilPath, ErrorCodes, resolveField, tf, validate, ValidationError, type FieldSpec, type KernelInstance, type Tensor2D } from '@npde/core';
import { checkFusion, checkKernelFamily } from '@npde/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { channelBlockFusion, channelFormError } from '../testing/channel-form.test-util.js';
import { referenceModel } from '../testing/model-plugins.test-util.js';
import { convolution } from './convolution.js';
import type { ConvolutionOptionsInput } from './options.js';

// Taps and R far from the identity and from zero (noise 0.3), so a transposed R is off by O(0.1).
const init = { center: 0.8, noise: 0.3 };

function create(field: FieldSpec, options: ConvolutionOptionsInput, layers = 2, seed = 5): KernelInstance {
  return convolution.create({ field: resolveField(field), layers, options: validate(convolution.options, options, { path: 'kernel.options' }), seed });
}

const rValues = (k: KernelInstance, layer: number, C: number, perLayer = false): Float32Array =>
  (k.params['R']!.dataSync() as Float32Array).slice(perLayer ? layer * C * C : 0, (perLayer ? layer * C * C : 0) + C * C);

describe('reaction: mixing on the cpu backend', () => {
  beforeAll(async () => {
    await cpuBackend.setup({});
  });

  it('adds a parameter R [C, C] (or [layers, C, C]) seeded like the taps; reaction none keeps the taps alone', () => {
    const plain = create({ shape: [4, 5], channels: 3 }, { channels: 'depthwise', init });
    expect(Object.keys(plain.params)).toEqual(['taps']);
    expect(plain.paramCount).toBe(9 * 3);
    plain.dispose();
    const k = create({ shape: [4, 5], channels: 3 }, { channels: 'depthwise', reaction: 'mixing', init });
    expect(Object.keys(k.params).sort()).toEqual(['R', 'taps']);
    expect(k.params['R']!.shape).toEqual([3, 3]);
    expect(k.paramCount).toBe(9 * 3 + 3 * 3);
    const r = Array.from(k.params['R']!.dataSync());
    // zeros plus N(0, 0.3²) noise
    expect(Math.max(...r.map(Math.abs))).toBeGreaterThan(0.05);
    expect(Math.max(...r.map(Math.abs))).toBeLessThan(2);
    k.dispose();
    const quiet = create({ shape: [4, 5], channels: 2 }, { channels: 'shared', reaction: 'mixing', init: { noise: 0 } });
    expect(Array.from(quiet.params['R']!.dataSync())).toEqual([0, 0, 0, 0]);
    expect(quiet.paramCount).toBe(9 + 4);
    quiet.dispose();
    const layered = create({ shape: [6], channels: 2 }, { channels: 'depthwise', reaction: 'mixing', perLayer: true, init }, 3);
    expect(layered.params['R']!.shape).toEqual([3, 2, 2]);
    expect(layered.paramCount).toBe(3 * (3 * 2 + 4));
    layered.dispose();
  });

  it('apply adds R z at every site with R read [out, in]', () => {
    // taps zero: W z is R z alone, computed here by hand
    const C = 3;
    const S = 20;
    const k = create({ shape: [4, 5], channels: C }, { channels: 'depthwise', reaction: 'mixing', boundary: 'zero', init }, 1);
    tf.tidy(() => k.params['taps']!.assign(tf.zerosLike(k.params['taps']!)));
    const R = rValues(k, 0, C);
    const z = tf.randomNormal([2, S * C], 0, 1, 'float32', 3) as Tensor2D;
    const got = tf.tidy(() => k.apply(z, 0).dataSync());
    const zv = z.dataSync();
    let worst = 0;
    for (let b = 0; b < 2; b++) {
      for (let s = 0; s < S; s++) {
        for (let o = 0; o < C; o++) {
          let want = 0;
          for (let i = 0; i < C; i++) want += R[o * C + i]! * zv[(b * S + s) * C + i]!;
          worst = Math.max(worst, Math.abs(got[(b * S + s) * C + o]! - want));
        }
      }
    }
    // float32 sums of 3 O(1) products: ~1e-7; a transposed R is off by O(0.3)
    expect(worst).toBeLessThan(1e-5);
    z.dispose();
    k.dispose();
  });

  const GEOMETRIES = [
    { field: { shape: [4, 5], channels: 3 }, options: { channels: 'depthwise', boundary: 'zero' } },
    { field: { shape: [4, 5], channels: 2 }, options: { channels: 'shared', footprint: 'cross', boundary: 'periodic' } },
    { field: { shape: [7], channels: 2 }, options: { channels: 'depthwise', radius: 2, boundary: 'reflecting' } },
    { field: { shape: [3, 2, 3], channels: 2 }, options: { channels: 'depthwise', boundary: 'zero', perLayer: true } },
  ] as { field: FieldSpec & { shape: number[]; channels: number }; options: ConvolutionOptionsInput }[];

  it.each(GEOMETRIES)('dense is apply, and dense(R) − dense(R = 0) is I_S ⊗ R: $options on $field', ({ field, options }) => {
    const before = tf.memory().numTensors;
    const k = create(field, { ...options, reaction: 'mixing', init });
    const C = field.channels;
    const S = field.shape.reduce((a, b) => a * b, 1);
    const n = S * C;
    for (const layer of [0, 1]) {
      const z = tf.randomNormal([3, n], 0, 1, 'float32', 7 + layer) as Tensor2D;
      const err = tf.tidy(() => {
        const viaDense = tf.matMul(z, k.dense!(layer), false, true);
        return tf.max(tf.abs(tf.sub(viaDense, k.apply(z, layer)))).dataSync()[0]!;
      });
      // float32 sums of ≤ 9·C + C O(1) products in another order: ~1e-6
      expect(err).toBeLessThan(1e-5);
      z.dispose();
      const withR = tf.tidy(() => k.dense!(layer).dataSync());
      const saved = tf.clone(k.params['R']!);
      tf.tidy(() => k.params['R']!.assign(tf.zerosLike(saved)));
      const withoutR = tf.tidy(() => k.dense!(layer).dataSync());
      k.params['R']!.assign(saved);
      saved.dispose();
      const R = rValues(k, layer, C, options.perLayer);
      let worst = 0;
      for (let row = 0; row < n; row++) {
        for (let col = 0; col < n; col++) {
          const same = Math.floor(row / C) === Math.floor(col / C);
          const want = same ? R[(row % C) * C + (col % C)]! : 0;
          worst = Math.max(worst, Math.abs(withR[row * n + col]! - withoutR[row * n + col]! - want));
        }
      }
      expect(worst).toBeLessThan(1e-6);
    }
    k.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each(GEOMETRIES)('R adds to the zeroth moment of every channel pair and to no other: $options on $field', ({ field, options }) => {
    const k = create(field, { ...options, reaction: 'mixing', init });
    const C = field.channels;
    const withR = k.moments!(1, 2);
    const saved = tf.clone(k.params['R']!);
    tf.tidy(() => k.params['R']!.assign(tf.zerosLike(saved)));
    const withoutR = k.moments!(1, 2);
    k.params['R']!.assign(saved);
    saved.dispose();
    const R = rValues(k, 1, C, options.perLayer);
    expect(withR.moments.map((m) => [m.label, m.channels])).toEqual(withoutR.moments.map((m) => [m.label, m.channels]));
    withR.moments.forEach((m, i) => {
      const base = withoutR.moments[i]!;
      const zeroth = m.alpha.every((a) => a === 0);
      const add = !zeroth ? 0 : m.channels ? R[m.channels[0] * C + m.channels[1]]! : R.reduce((a, b) => a + b, 0) / C;
      m.values.forEach((x, s) => expect(Math.abs(x - base.values[s]! - add), `${m.label} ${String(m.channels)} site ${s}`).toBeLessThan(1e-6));
    });
    k.dispose();
  });

  // L = Σ g · tanh(W z) in float64 over float32 outputs; central differences with h = 1e-2:
  // truncation h²/6 · |L'''| ≲ 2e-5 · √(B·S), rounding ≲ √(B·S·C) · 6e-8 / (2h) ≈ 4e-5, both ≲ 1e-4
  // of the gradients' scale √(B·S) ≈ 8; a transposed R or a missing reaction gradient is off by O(1).
  it.each(GEOMETRIES)('gradients of R and the taps match central finite differences: $options on $field', ({ field, options }) => {
    const k = create(field, { ...options, reaction: 'mixing', init });
    const n = field.shape.reduce((a, b) => a * b, 1) * field.channels;
    const layer = 1;
    const z = tf.randomNormal([3, n], 0, 1, 'float32', 11) as Tensor2D;
    const g = tf.randomNormal([3, n], 0, 1, 'float32', 12);
    const gv = g.dataSync();
    const loss = (): number => {
      const y = tf.tidy(() => tf.tanh(k.apply(z, layer)).dataSync());
      let sum = 0;
      for (let i = 0; i < y.length; i++) sum += gv[i]! * y[i]!;
      return sum;
    };
    const vars = [k.params['R']!, k.params['taps']!];
    const grads = tf.tidy(() => {
      const r = tf.variableGrads(() => tf.sum(tf.mul(g, tf.tanh(k.apply(z, layer)))) as tf.Scalar, vars);
      return vars.map((v) => r.grads[v.name]!.dataSync());
    });
    const h = 1e-2;
    vars.forEach((variable, vi) => {
      const values = variable.dataSync().slice();
      let worst = 0;
      let scale = 1;
      for (let i = 0; i < values.length; i++) {
        const at = (d: number) => {
          const p = values.slice();
          p[i] = values[i]! + d;
          tf.tidy(() => variable.assign(tf.tensor(p, variable.shape)));
          return loss();
        };
        const fd = (at(h) - at(-h)) / (2 * h);
        worst = Math.max(worst, Math.abs(fd - grads[vi]![i]!));
        scale = Math.max(scale, Math.abs(fd));
      }
      tf.tidy(() => variable.assign(tf.tensor(values, variable.shape)));
      expect(worst / scale, variable.name).toBeLessThan(1e-3);
    });
    tf.dispose([z, g]);
    k.dispose();
  });

  it('passes the kernel conformance kit (dense, moments, finite-difference gradients, no leaks)', async () => {
    for (const { field, options } of GEOMETRIES) await checkKernelFamily(convolution, { field, layers: 2, options: { ...options, reaction: 'mixing', init: { noise: 0.1 } } });
  });

  it('refuses a reaction on mixing taps or one channel, and an unknown reaction', () => {
    const refused = (field: FieldSpec, options: ConvolutionOptionsInput, received: string) => {
      try {
        create(field, options).dispose();
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(ValidationError);
        const err = e as ValidationError;
        expect({ code: err.code, path: err.path, plugin: err.plugin }).toEqual({ code: ErrorCodes.INVALID_OPTIONS, path: 'kernel.options.reaction', plugin: convolution.id });
        expect(err.expected).toMatch(/depthwise.*shared/);
        expect(err.received).toBe(received);
        expect(err.hint).toBeTruthy();
      }
    };
    refused({ shape: [4, 4], channels: 2 }, { channels: 'mixing', reaction: 'mixing' }, "'mixing' with channels 'mixing' on 2 channels");
    refused({ shape: [4, 4] }, { channels: 'depthwise', reaction: 'mixing' }, "'mixing' with channels 'depthwise' on 1 channel");
    refused({ shape: [6] }, { reaction: 'mixing' }, "'mixing' with channels 'shared' on 1 channel");
    expect(() => validate(convolution.options, { reaction: 'diagonal' }, { path: 'kernel.options' })).toThrow(
      expect.objectContaining({ code: ErrorCodes.INVALID_OPTIONS, path: 'kernel.options.reaction' }),
    );
  });
});

// The fused multi-channel form: channelStencil() hands R to the op as its mixing [out, in].
const FUSING: { options: ConvolutionOptionsInput; shape: [number, number]; channels: number }[] = [
  { options: { channels: 'depthwise', footprint: 'box', boundary: 'zero', reaction: 'mixing', init }, shape: [5, 6], channels: 3 },
  { options: { channels: 'depthwise', footprint: 'cross', boundary: 'periodic', reaction: 'mixing', perLayer: true, init }, shape: [4, 5], channels: 4 },
  { options: { channels: 'shared', footprint: 'box', boundary: 'periodic', reaction: 'mixing', init }, shape: [5, 4], channels: 2 },
];
const label = ({ options, shape, channels }: (typeof FUSING)[number]) =>
  `${options.channels} ${options.footprint} ${options.boundary}${options.perLayer ? ' perLayer' : ''} on [${shape.join(', ')}] × ${channels}`;

function fusionSuite(backend: 'cpu' | 'wasm', setup: () => Promise<void>): void {
  describe(`reaction: mixing through channelStencil() on the ${backend} backend`, () => {
    beforeAll(setup);

    it('runs the fused channel-stencil kernels', () => {
      expect(channelStencilPath()).toEqual({ path: 'fused', backend });
    });

    it.each(FUSING.map((c) => [label(c), c] as const))('%s: the op mixing is R, and the channel form is W as apply() computes it', (_, { options, shape, channels }) => {
      const before = tf.memory().numTensors;
      const k = create({ shape, channels }, options);
      for (const layer of [0, 1]) {
        const mixing = tf.tidy(() => k.channelStencil!(layer).mixing.dataSync());
        expect(Array.from(mixing)).toEqual(Array.from(rValues(k, layer, channels, options.perLayer)));
      }
      // float32 sums of ≤ 9 + C O(1) terms in another order: ~1e-7 relative; a transposed R is O(0.1)
      const err = channelFormError(k, shape[0] * shape[1] * channels, channels, 2, 9);
      expect(err.reference).toBeLessThan(2e-6);
      expect(err.fused).toBeLessThan(2e-6);
      k.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });

    it.each(FUSING.map((c) => [label(c), c] as const))('%s: fused block steps equal the composition (states and every gradient, R included)', (_, { options, shape, channels }) => {
      const kernel = create({ shape, channels }, options);
      const report = channelBlockFusion(kernel, { shape, channels }, backend, `convolution reaction ${backend}`);
      expect(report.variables.length).toBe(5); // z0, ω, bias, the taps and R
      expect(report.variables).toEqual(expect.arrayContaining([expect.stringMatching(/\/R$/), expect.stringMatching(/taps$/)]));
      kernel.dispose();
    });

    it.each(FUSING.map((c) => [label(c), c] as const))('%s: a model fuses and checkFusion holds', (_, { options, shape, channels }) => {
      const model = referenceModel({ id: convolution.id, options }, { shape, channels });
      expect(model.fused).toBe(true);
      checkFusion(model, { label: `convolution reaction model ${backend}` });
      model.dispose();
    });
  });
}

fusionSuite('cpu', async () => {
  await cpuBackend.setup({});
});

fusionSuite('wasm', async () => {
  await wasmBackend.setup({});
  expect(await tf.setBackend('wasm')).toBe(true);
});
