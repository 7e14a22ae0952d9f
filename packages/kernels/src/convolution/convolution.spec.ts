import { ErrorCodes, findMoment, resolveField, tf, validate, type FieldSpec, type KernelInstance, type Tensor2D } from '@npde/core';
import { checkFusion, checkKernelFamily } from '@npde/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { referenceModel } from '../testing/model-plugins.test-util.js';
import { footprint } from '../stencil/footprint.js';
import { neighbourSite } from '../stencil/grid.js';
import { convolution } from './convolution.js';
import type { ConvolutionOptionsInput } from './options.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function create(field: FieldSpec, options: ConvolutionOptionsInput = {}, layers = 2): KernelInstance {
  return convolution.create({ field: resolveField(field), layers, options: validate(convolution.options, options, { path: 'kernel.options' }), seed: 3 });
}

describe('conformance kit', () => {
  it.each([
    { field: { shape: [9] }, options: { radius: 2, boundary: 'zero' } },
    { field: { shape: [5, 6] }, options: { footprint: 'cross', boundary: 'periodic', init: { noise: 0.1 } } },
    { field: { shape: [4, 5] }, options: { boundary: 'zero', perLayer: true, init: { noise: 0.1 } } },
    { field: { shape: [4, 5], channels: 2 }, options: { channels: 'mixing', boundary: 'reflecting', init: { noise: 0.1 } } },
    { field: { shape: [3, 4, 3], channels: 2 }, options: { channels: 'depthwise', footprint: 'cross', boundary: 'zero', init: { noise: 0.1 } } },
    { field: { shape: [3, 3, 4] }, options: { radius: 1, boundary: 'periodic', perLayer: true, init: { noise: 0.1 } } },
    { field: { shape: [11] }, options: { radius: 4, boundary: 'reflecting', init: { noise: 0.1 } } },
  ] as { field: FieldSpec; options: ConvolutionOptionsInput }[])('$options on $field', async ({ field, options }) => {
    await checkKernelFamily(convolution, { field, layers: 2, options });
  });
});

describe('gradients in 1, 2 and 3 dimensions', () => {
  // W z is linear in the taps: dL/dT_k[out, in] = Σ_{b,s} g[b, (s, out)] · z[b, (s + o_k, in)] exactly, summed in float64
  // here. float32 autodiff sums ≤ 3·36 products of O(1) terms: rounding ≲ 1e-5, so 1e-4 separates a
  // correct gradient from a wrong tap, offset or channel (off by O(1)).
  it.each([
    { shape: [7], channels: 1, mode: 'shared', radius: 3, boundary: 'periodic' },
    { shape: [4, 5], channels: 2, mode: 'mixing', radius: 1, boundary: 'reflecting' },
    { shape: [3, 2, 3], channels: 2, mode: 'depthwise', radius: 1, boundary: 'zero' },
    { shape: [3, 3, 3], channels: 1, mode: 'shared', radius: 2, boundary: 'reflecting' },
  ] as const)('$shape $mode r=$radius $boundary', ({ shape, channels, mode, radius, boundary }) => {
    const k = create({ shape: [...shape], channels }, { radius, channels: mode, boundary, init: { noise: 0.3 } }, 1);
    const S = shape.reduce((a, b) => a * b, 1);
    const C = channels;
    const B = 3;
    const offsets = footprint(shape.length, radius);
    const z = tf.randomNormal([B, S * C], 0, 1, 'float32', 1) as Tensor2D;
    const g = tf.randomNormal([B, S * C], 0, 1, 'float32', 2);
    const grad = tf.tidy(() => {
      const r = tf.variableGrads(() => tf.sum(tf.mul(g, k.apply(z, 0))) as tf.Scalar, [k.params['taps']!]);
      return r.grads[k.params['taps']!.name]!.dataSync();
    });
    const zv = z.dataSync();
    const gv = g.dataSync();
    const per = mode === 'shared' ? 1 : mode === 'depthwise' ? C : C * C;
    const want = new Float64Array(offsets.length * per);
    offsets.forEach((o, kk) => {
      for (let s = 0; s < S; s++) {
        const j = neighbourSite(shape, s, o, boundary);
        if (j < 0) continue;
        for (let b = 0; b < B; b++) {
          for (let out = 0; out < C; out++) {
            for (let inp = 0; inp < C; inp++) {
              if (mode !== 'mixing' && inp !== out) continue;
              const idx = mode === 'shared' ? 0 : mode === 'depthwise' ? out : out * C + inp;
              want[kk * per + idx] += gv[b * S * C + s * C + out]! * zv[b * S * C + j * C + inp]!;
            }
          }
        }
      }
    });
    let worst = 0;
    let scale = 1;
    want.forEach((w, i) => {
      worst = Math.max(worst, Math.abs(w - grad[i]!));
      scale = Math.max(scale, Math.abs(w));
    });
    expect(worst / scale).toBeLessThan(1e-4);
    tf.dispose([z, g]);
    k.dispose();
  });
});

describe('against tf.conv2d (cpu backend)', () => {
  it.each([
    { radius: 1, taps: [0.05, 0.2, 0.05, 0.2, 0.0, 0.2, 0.05, 0.2, 0.05] }, // isotropic 3×3
    { radius: 2, taps: Array.from({ length: 25 }, (_, i) => Math.sin(1 + 2.3 * i)) }, // 5×5 without symmetry: pins the orientation
  ])('a 2-D zero-boundary convolution of radius $radius equals conv2d with same padding', ({ radius, taps }) => {
    const H = 6;
    const W = 7;
    const k = create({ shape: [H, W] }, { radius, boundary: 'zero', init: { noise: 0 } }, 1);
    k.params['taps']!.assign(tf.tensor1d(taps));
    const err = tf.tidy(() => {
      const z = tf.randomNormal([2, H * W], 0, 1, 'float32', 4) as Tensor2D;
      const ours = k.apply(z, 0);
      const side = 2 * radius + 1;
      const filter = tf.reshape(tf.tensor1d(taps), [side, side, 1, 1]) as tf.Tensor4D;
      const ref = tf.conv2d(tf.reshape(z, [2, H, W, 1]) as tf.Tensor4D, filter, 1, 'same');
      return tf.max(tf.abs(tf.sub(ours, tf.reshape(ref, [2, H * W])))).dataSync()[0]!;
    });
    expect(err).toBeLessThan(1e-5);
    k.dispose();
  });
});

describe('moments and physics of the taps', () => {
  it('the 5-point Laplacian [[0,r,0],[r,1−4r,r],[0,r,0]] has M = 1, Mxx = Myy = 2r, no advection or cross term', () => {
    const r = 0.15;
    const k = create({ shape: [8, 8] }, { footprint: 'cross', boundary: 'periodic', init: { noise: 0 } }, 1);
    k.params['taps']!.assign(tf.tensor1d([r, r, 1 - 4 * r, r, r]));
    const m = k.moments!(0, 2);
    const at = (label: string) => findMoment(m, label)!.values;
    at('M').forEach((x) => expect(x).toBeCloseTo(1, 6));
    at('Mxx').forEach((x) => expect(x).toBeCloseTo(2 * r, 6));
    at('Myy').forEach((x) => expect(x).toBeCloseTo(2 * r, 6));
    for (const l of ['Mx', 'My', 'Mxy']) at(l).forEach((x) => expect(Math.abs(x)).toBeLessThan(1e-7));
    k.dispose();
  });

  it('a symmetric diffusion stencil with a reflecting boundary conserves Σ z (zero-flux walls), a zero one leaks', () => {
    const sums = (boundary: 'reflecting' | 'zero') => {
      const k = create({ shape: [5, 4] }, { radius: 2, boundary, init: { noise: 0 } }, 1);
      const w = footprint(2, 2).map((o) => Math.exp(-(o[0]! ** 2 + o[1]! ** 2)));
      const total = w.reduce((a, b) => a + b, 0);
      k.params['taps']!.assign(tf.tensor1d(w.map((x) => x / total)));
      const out = tf.tidy(() => {
        const z = tf.randomUniform([2, 20], 0, 1, 'float32', 8) as Tensor2D;
        return [tf.sum(z, 1).dataSync(), tf.sum(k.apply(z, 0), 1).dataSync()];
      });
      k.dispose();
      return out;
    };
    const [before, after] = sums('reflecting');
    before!.forEach((s, b) => expect(after![b]).toBeCloseTo(s, 5));
    const [b0, a0] = sums('zero');
    expect(a0![0]!).toBeLessThan(b0![0]! - 0.1);
  });
});

describe('fused stencil op', () => {
  it.each([
    { field: { shape: [10] }, options: { radius: 3, boundary: 'zero' } },
    { field: { shape: [5, 6] }, options: { footprint: 'cross', boundary: 'periodic' } },
    { field: { shape: [5, 6] }, options: { footprint: 'box', boundary: 'zero', perLayer: true } },
  ] as { field: FieldSpec; options: ConvolutionOptionsInput }[])('fuses and agrees with the unfused model: $options on $field', ({ field, options }) => {
    const model = referenceModel({ id: convolution.id, options: { init: { noise: 0.1 }, ...options } }, field);
    expect(model.fused).toBe(true);
    checkFusion(model);
    model.dispose();
  });

  it('does not offer stencil() where the op cannot run it', () => {
    for (const [field, options] of [
      [{ shape: [10] }, { radius: 4 }],
      [{ shape: [5, 6] }, { radius: 2 }],
      [{ shape: [5, 6] }, { boundary: 'reflecting' }],
      [{ shape: [5, 6], channels: 2 }, {}],
      [{ shape: [3, 3, 3] }, {}],
    ] as [FieldSpec, ConvolutionOptionsInput][]) {
      const k = create(field, options);
      expect(k.stencil).toBeUndefined();
      k.dispose();
    }
  });
});

describe('bad input', () => {
  it('reports options by path and unsupported fields', () => {
    expect(() => validate(convolution.options, { radius: 33 }, { path: 'kernel.options' })).toThrow(
      expect.objectContaining({ code: ErrorCodes.INVALID_OPTIONS, path: 'kernel.options.radius' }),
    );
    expect(() => create({ shape: [4, 4, 4] }, { radius: 9 })).toThrow(expect.objectContaining({ code: ErrorCodes.INVALID_OPTIONS, path: 'radius', plugin: convolution.id }));
    expect(() => create({ points: [[0], [1], [2]] })).toThrow(expect.objectContaining({ code: ErrorCodes.UNSUPPORTED_FIELD, path: 'field' }));
  });
});
