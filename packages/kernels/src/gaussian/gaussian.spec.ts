import { findMoment, resolveField, tf, validate, type FieldSpec, type KernelInstance, type Tensor2D } from '@npde/core';
import { checkFusion, checkKernelFamily } from '@npde/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { referenceModel } from '../testing/model-plugins.test-util.js';
import { momentsFromDense } from '../moments/dense-moments.js';
import { gaussian, gaussianMoments } from './gaussian.js';
import type { GaussianOptionsInput } from './options.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function create(field: FieldSpec, options: GaussianOptionsInput = {}, layers = 1): KernelInstance {
  return gaussian.create({ field: resolveField(field), layers, options: validate(gaussian.options, options, { path: 'kernel.options' }), seed: 3 });
}

describe('conformance kit', () => {
  it.each([
    { field: { shape: [12] }, options: { radius: 3, init: { sigma: 1.2, amplitude: 0.9 } } }, // fuses
    { field: { shape: [5, 6] }, options: { radius: 1, boundary: 'zero', perLayer: true } }, // fuses (9-point)
    { field: { shape: [5, 6], channels: 2 }, options: { radius: 2, boundary: 'reflecting', init: { sigma: 1.5 } } },
    { field: { shape: [3, 4, 3] }, options: { radius: 1, footprint: 'cross', boundary: 'periodic', perLayer: true } },
  ] as { field: FieldSpec; options: GaussianOptionsInput }[])('$options on $field', async ({ field, options }) => {
    await checkKernelFamily(gaussian, { field, layers: 2, options });
  });

  it('fuses in a 2-D model (5-point cross) and agrees with the unfused run', () => {
    const model = referenceModel({ id: gaussian.id, options: { radius: 1, footprint: 'cross', boundary: 'periodic', init: { sigma: 0.8 } } }, { shape: [5, 6] });
    expect(model.fused).toBe(true);
    checkFusion(model);
    model.dispose();
  });
});

describe('moments', () => {
  it('analytic moments: W0 = A, W2 = Aσ², W4 = 3Aσ⁴, odd ones 0', () => {
    expect(gaussianMoments(1, 2, 0.5, 4).map((m) => m.value)).toEqual([0.5, 0, 2, 0, 24]);
    const m2 = gaussianMoments(2, 1.5, 1, 4);
    expect(m2.find((m) => m.label === 'Mxxyy')!.value).toBeCloseTo(1.5 ** 4, 12);
    expect(m2.find((m) => m.label === 'Mxy')!.value).toBe(0);
  });

  // On a grid fine against σ (σ ≥ 1.5 cells) with the taps reaching ≥ 5.6σ, the lattice sums differ from the
  // integrals by ≤ e^{−2π²σ²} (< 1e-19) plus the truncated tail (≤ 1e-6 relative up to order 4, ≤ 1e-5 at
  // order 8 for 1-D); the float32 taps add ~1e-6 relative. 1e-4 of A·σ^|α| leaves margin; a wrong
  // normalization, width or offset is off by O(1).
  it.each([
    { shape: [8], sigma: 3, amplitude: 0.7, radius: 30, order: 8 },
    { shape: [4, 4], sigma: 2, amplitude: 1.3, radius: 14, order: 4 },
    { shape: [2, 2, 2], sigma: 1.5, amplitude: 1, radius: 8, order: 4 },
  ])('the taps of σ = $sigma in $shape.length-D have the analytic moments up to order $order', ({ shape, sigma, amplitude, radius, order }) => {
    const k = create({ shape }, { radius, boundary: 'periodic', init: { sigma, amplitude } });
    const got = k.moments!(0, order);
    for (const want of gaussianMoments(shape.length, sigma, amplitude, order)) {
      const scale = amplitude * sigma ** want.alpha.reduce((a, b) => a + b, 0);
      const values = findMoment(got, want.label)!.values;
      values.forEach((x) => expect(Math.abs(x - want.value) / scale, want.label).toBeLessThan(1e-4));
    }
    k.dispose();
  });

  it('a dense W sampled from the Gaussian kernel gives its analytic moments (interior rows)', () => {
    const sigma = 2.5;
    const k = create({ shape: [80] }, { radius: 20, boundary: 'zero', init: { sigma, amplitude: 1 } });
    const W = k.dense!(0);
    const m = momentsFromDense(W.dataSync(), 80, 6);
    const want = gaussianMoments(1, sigma, 1, 6).map((x) => x.value);
    for (let q = 0; q <= 6; q++) expect(Math.abs(m[q]![40]! - want[q]!) / sigma ** q).toBeLessThan(1e-4);
    W.dispose();
    k.dispose();
  });
});

describe('training', () => {
  it('recovers σ and A from data of a known Gaussian kernel', () => {
    const field = { shape: [24] };
    const truth = create(field, { radius: 5, init: { sigma: 1.7, amplitude: 0.8 } });
    const model = create(field, { radius: 5, init: { sigma: 1, amplitude: 1 } });
    const x = tf.randomNormal([4, 24], 0, 1, 'float32', 5) as Tensor2D;
    const y = tf.tidy(() => truth.apply(x, 0));
    const opt = tf.train.adam(0.05);
    for (let i = 0; i < 150; i++) {
      tf.tidy(() => {
        opt.minimize(() => tf.mean(tf.square(tf.sub(model.apply(x, 0), y))) as tf.Scalar, false, Object.values(model.params));
      });
    }
    const [sigma, amplitude] = model.physics!().map((q) => q.values[0]![0]!);
    // noiseless, identifiable (2 parameters, 24·4 equations): converges to the generating values
    expect(Math.abs(sigma! - 1.7)).toBeLessThan(1e-3);
    expect(Math.abs(amplitude! - 0.8)).toBeLessThan(1e-3);
    opt.dispose();
    tf.dispose([x, y]);
    truth.dispose();
    model.dispose();
  });
});
