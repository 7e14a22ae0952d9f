import { findMoment, resolveField, tf, validate, type FieldSpec, type KernelInstance, type Tensor2D } from '@npde/core';
import { checkFusion, checkKernelFamily } from '@npde/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { referenceModel } from '../testing/model-plugins.test-util.js';
import type { PowerLawOptionsInput } from './options.js';
import { powerLaw, powerLawDivergent, type PowerLawMoments } from './power-law.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function create(field: FieldSpec, options: PowerLawOptionsInput = {}, layers = 1): KernelInstance {
  return powerLaw.create({ field: resolveField(field), layers, options: validate(powerLaw.options, options, { path: 'kernel.options' }), seed: 3 });
}

describe('conformance kit', () => {
  it.each([
    { field: { shape: [12] }, options: { radius: 3 } }, // fuses
    { field: { shape: [5, 6] }, options: { radius: 1, boundary: 'zero', perLayer: true } }, // fuses (9-point)
    { field: { shape: [5, 6], channels: 2 }, options: { radius: 2, boundary: 'reflecting', init: { exponent: 2 } } },
    { field: { shape: [3, 4, 3] }, options: { radius: 2, footprint: 'cross', boundary: 'zero', perLayer: true } },
  ] as { field: FieldSpec; options: PowerLawOptionsInput }[])('$options on $field', async ({ field, options }) => {
    await checkKernelFamily(powerLaw, { field, layers: 2, options });
  });

  it('fuses in a model and agrees with the unfused run', () => {
    const model = referenceModel({ id: powerLaw.id, options: { radius: 2, boundary: 'zero', init: { center: 0.6 } } }, { shape: [10] });
    expect(model.fused).toBe(true);
    checkFusion(model);
    model.dispose();
  });
});

describe('divergent moments', () => {
  it('taps are c at the centre and A·|o|^(−p) elsewhere', () => {
    const k = create({ shape: [3, 3] }, { radius: 2, init: { exponent: 2.5, amplitude: 0.3, center: 0.7 } });
    const m = k.moments!(0, 0);
    // Σ over the 5×5 box: 4 at |o| = 1, 4 at √2, 4 at 2, 8 at √5, 4 at √8
    const want = 0.7 + 0.3 * (4 + 4 * 2 ** -1.25 + 4 * 2 ** -2.5 + 8 * 5 ** -1.25 + 4 * 8 ** -1.25);
    findMoment(m, 'M')!.values.forEach((x) => expect(x).toBeCloseTo(want, 5));
    k.dispose();
  });

  // The flag says whether the moment of the untruncated kernel grows with the domain. Measured: the moment's
  // increments from radius 8 → 16 and 16 → 32 shrink by ~2^(|α| + d − p) for a convergent moment (≤ 0.71 for
  // the exponents here) and do not shrink (ratio ≥ 1, log growth at equality) for a divergent one.
  it.each([
    { dims: 1, exponent: 2.5 },
    { dims: 1, exponent: 3 },
    { dims: 1, exponent: 4 },
    { dims: 2, exponent: 3 },
    { dims: 2, exponent: 4.5 },
  ])('the flags of p = $exponent in $dims-D match how the truncated moments grow with the radius', ({ dims, exponent }) => {
    const shape = dims === 1 ? [4] : [2, 2];
    const at = (radius: number): PowerLawMoments => {
      const k = create({ shape }, { radius, init: { exponent, amplitude: 1, center: 1 } });
      const m = k.moments!(0, 4) as PowerLawMoments;
      k.dispose();
      return m;
    };
    const [m8, m16, m32] = [at(8), at(16), at(32)];
    let divergentSeen = 0;
    m32.moments.forEach((e, i) => {
      expect(e.divergent).toBe(powerLawDivergent(dims, exponent, e.alpha));
      const inc1 = m16.moments[i]!.values[0]! - m8.moments[i]!.values[0]!;
      const inc2 = e.values[0]! - m16.moments[i]!.values[0]!;
      const grows = Math.abs(inc1) > 1e-6 && inc2 / inc1 >= 0.9;
      expect(grows, `${e.label}: increments ${inc1}, ${inc2}`).toBe(e.divergent);
      if (e.divergent) divergentSeen++;
    });
    expect(divergentSeen).toBeGreaterThan(0);
    expect(m32.exponent).toBeCloseTo(exponent, 6);
  });
});

describe('training', () => {
  it('recovers the exponent, amplitude and centre of a known power-law kernel', () => {
    const field = { shape: [24] };
    const truth = create(field, { radius: 4, init: { exponent: 2.2, amplitude: 0.3, center: 0.5 } });
    const model = create(field, { radius: 4, init: { exponent: 3, amplitude: 0.1, center: 1 } });
    const x = tf.randomNormal([4, 24], 0, 1, 'float32', 5) as Tensor2D;
    const y = tf.tidy(() => truth.apply(x, 0));
    const opt = tf.train.adam(0.05);
    for (let i = 0; i < 200; i++) {
      tf.tidy(() => {
        opt.minimize(() => tf.mean(tf.square(tf.sub(model.apply(x, 0), y))) as tf.Scalar, false, Object.values(model.params));
      });
    }
    const [p, a, c] = model.physics!().map((q) => q.values[0]![0]!);
    // noiseless, 3 parameters against 96 equations with 4 distinct distances: identifiable
    expect(Math.abs(p! - 2.2)).toBeLessThan(1e-2);
    expect(Math.abs(a! - 0.3)).toBeLessThan(1e-3);
    expect(Math.abs(c! - 0.5)).toBeLessThan(1e-3);
    opt.dispose();
    tf.dispose([x, y]);
    truth.dispose();
    model.dispose();
  });
});
