import { ErrorCodes, NpdeError, findMoment, resolveField, tf, validate, type FieldSpec, type KernelInstance } from '@npde/core';
import { checkFusion, checkKernelFamily } from '@npde/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { adr } from '../adr/adr.js';
import { referenceModel } from '../testing/model-plugins.test-util.js';
import {
  GRADIENT_TOLERANCE,
  adrMatrix64,
  finiteDifferences,
  flatParams,
  gradientError,
  mse64,
  randomMatrix,
  relax64,
  seededRandom,
  tfGradient,
  type Matrix64,
} from '../testing/relaxation-reference.test-util.js';
import { footprint } from '../stencil/index.js';
import { moments } from './moments-kernel.js';
import type { MomentsKernelOptionsInput } from './options.js';
import { momentMap, momentsToTaps, tapsToMoments } from './vandermonde.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function create(options: MomentsKernelOptionsInput, field: FieldSpec, layers = 2, seed = 3): KernelInstance {
  return moments.create({ field: resolveField(field), layers, options: validate(moments.options, options, { path: 'kernel.options' }), seed });
}

describe('moments: the taps ↔ moments map', () => {
  it.each([
    [1, 1, 'cross'],
    [1, 2, 'cross'],
    [1, 3, 'cross'],
    [2, 1, 'cross'],
    [2, 1, 'box'],
    [2, 2, 'box'],
    [3, 1, 'cross'],
    [3, 1, 'box'],
  ] as const)('round trip to 1e-6 in %i-D, radius %i, %s', (dims, radius, shape) => {
    const map = momentMap(footprint(dims, radius, shape));
    const rand = seededRandom(dims * 10 + radius);
    const taps = map.offsets.map(() => 2 * rand() - 1);
    const back = momentsToTaps(map, tapsToMoments(map, taps));
    back.forEach((t, k) => expect(Math.abs(t - taps[k]!)).toBeLessThan(1e-6));
    const m = map.alphas.map(() => 2 * rand() - 1);
    const again = tapsToMoments(map, momentsToTaps(map, m));
    again.forEach((x, i) => expect(Math.abs(x - m[i]!)).toBeLessThan(1e-6 * Math.max(1, Math.abs(m[i]!))));
    expect(map.alphas).toHaveLength(map.offsets.length);
  });

  it('labels and taps by hand: 1-D r = 1 is W0, W1, W2 with [(W2 − W1)/2, W0 − W2, (W2 + W1)/2]; 2-D cross and box', () => {
    const one = momentMap(footprint(1, 1));
    expect(one.labels).toEqual(['W0', 'W1', 'W2']);
    const [w0, w1, w2] = [1.1, 0.3, 0.5];
    momentsToTaps(one, [w0, w1, w2]).forEach((t, k) => expect(t).toBeCloseTo([(w2 - w1) / 2, w0 - w2, (w2 + w1) / 2][k]!, 14));
    expect(momentMap(footprint(2, 1, 'cross')).labels).toEqual(['M', 'Mx', 'My', 'Mxx', 'Myy']);
    expect(momentMap(footprint(2, 1, 'box')).labels).toEqual(['M', 'Mx', 'My', 'Mxx', 'Mxy', 'Myy', 'Mxxy', 'Mxyy', 'Mxxyy']);
    // the 5-point Laplacian [[0,r,0],[r,1−4r,r],[0,r,0]] has M = 1, Mxx = Myy = 2r
    const r = 0.15;
    momentsToTaps(momentMap(footprint(2, 1, 'cross')), [1, 0, 0, 2 * r, 2 * r]).forEach((t, k) => expect(t).toBeCloseTo([r, r, 1 - 4 * r, r, r][k]!, 14));
  });
});

/** Taps of the 1-D r = 1 stencil and the 2-D 5-point cross / 9-point box from moments, by the closed forms (not the package's map). */
function axisTaps(m0: number, m1: number, m2: number): [number, number, number] {
  return [(m2 - m1) / 2, m0 - m2, (m2 + m1) / 2];
}
/** One-axis coefficients L[o][i]: tap at offset o = Σ_i L[o][i] m_i for exponents i = 0, 1, 2. */
const L: Record<number, [number, number, number]> = { [-1]: [0, -0.5, 0.5], 0: [1, 0, -1], 1: [0, 0.5, 0.5] };

function gridMatrix64(shape: readonly number[], taps: (s: number, o: number[]) => number, offsets: number[][], boundary: 'zero' | 'periodic'): Matrix64 {
  const S = shape.reduce((a, b) => a * b, 1);
  const W = Array.from({ length: S }, () => new Array<number>(S).fill(0));
  const coords = (s: number): number[] => {
    const c: number[] = [];
    for (let a = shape.length - 1; a >= 0; a--) {
      c[a] = s % shape[a]!;
      s = Math.floor(s / shape[a]!);
    }
    return c;
  };
  for (let s = 0; s < S; s++) {
    const x = coords(s);
    next: for (const o of offsets) {
      let t = 0;
      for (let a = 0; a < shape.length; a++) {
        let j = x[a]! + o[a]!;
        if (j < 0 || j >= shape[a]!) {
          if (boundary === 'zero') continue next;
          j = (j + shape[a]!) % shape[a]!;
        }
        t = t * shape[a]! + j;
      }
      W[s]![t]! += taps(s, o);
    }
  }
  return W;
}

describe('moments: gradients against float64 references', () => {
  const rand = seededRandom(11);

  it('1-D r = 1, heterogeneous, every moment free: gradient and prediction of the ADR reference with W0 = 1 + R, W1 = U, W2 = 2D', () => {
    const N = 8;
    const k = create({ family: 'heterogeneous', noise: 0.1, init: { W2: 0.2 } }, { shape: [N] }, 3);
    const x = randomMatrix(3, N, rand);
    const y = randomMatrix(3, N, rand, 0.5);
    const p = flatParams(k, ['M']);
    const W = (q: number[]) => {
      const at = (s: number, i: number) => q[s * 3 + i]!;
      const idx = Array.from({ length: N }, (_, s) => s);
      // the ADR matrix with U = W1, D = W2/2, R = W0 − 1 (Δ = 1)
      return adrMatrix64(idx.map((s) => at(s, 1)), idx.map((s) => at(s, 2) / 2), idx.map((s) => at(s, 0) - 1), 1, 'periodic');
    };
    const expected = finiteDifferences(p, (q) => mse64(relax64(() => W(q), x, 0.75, 3), y));
    const err = gradientError(tfGradient(k, ['M'], x, y, 0.75, 3), expected);
    expect(err.normwise).toBeLessThan(GRADIENT_TOLERANCE.normwise);
    expect(err.entrywise).toBeLessThan(GRADIENT_TOLERANCE.entrywise);
    k.dispose();
  });

  it.each([
    { footprint: 'cross', family: 'heterogeneous', boundary: 'zero', free: undefined },
    { footprint: 'box', family: 'time-dependent', boundary: 'periodic', free: undefined },
    { footprint: 'box', family: 'homogeneous', boundary: 'zero', free: ['Mx', 'My', 'Mxx', 'Mxy', 'Myy'] },
  ] as const)('2-D $footprint, $family, $boundary, free $free', ({ footprint: fp, family, boundary, free }) => {
    const shape = [3, 4];
    const S = 12;
    const layers = 2;
    const init: Record<string, number> = fp === 'box' ? { M: 0.9, Mxx: 0.3, Myy: 0.2, Mxxyy: 0.05 } : { M: 0.9, Mxx: 0.3, Myy: 0.2 };
    const k = create({ footprint: fp, family, boundary, free: free ? [...free] : undefined, init, noise: 0.1 }, { shape }, layers);
    const map = momentMap(footprint(2, 1, fp));
    const freeLabels = free ?? map.labels;
    const F = freeLabels.length;
    const offsets = map.offsets.map((o) => [...o]);
    const x = randomMatrix(3, S, rand);
    const y = randomMatrix(3, S, rand, 0.5);
    const p = flatParams(k, ['M']);
    const W = (q: number[], l: number) => {
      const momentOf = (s: number, label: string): number => {
        const f = freeLabels.indexOf(label);
        if (f < 0) return init[label] ?? (label === 'M' ? 1 : 0);
        const cell = family === 'homogeneous' ? 0 : family === 'heterogeneous' ? s : l * S + s;
        return q[cell * F + f]!;
      };
      // moment of exponents (i, j) → label, e.g. (2, 1) → Mxxy
      const label = (i: number, j: number) => 'M' + 'x'.repeat(i) + 'y'.repeat(j);
      const taps = (s: number, o: number[]): number => {
        if (fp === 'cross') {
          if (o[0] === 0 && o[1] === 0) return momentOf(s, 'M') - momentOf(s, 'Mxx') - momentOf(s, 'Myy');
          const a = o[0] !== 0 ? 'x' : 'y';
          const t = axisTaps(0, momentOf(s, `M${a}`), momentOf(s, `M${a}${a}`));
          return o[0]! + o[1]! < 0 ? t[0] : t[2];
        }
        let v = 0;
        for (let i = 0; i <= 2; i++) for (let j = 0; j <= 2; j++) v += L[o[0]!]![i]! * L[o[1]!]![j]! * momentOf(s, label(i, j));
        return v;
      };
      return gridMatrix64(shape, taps, offsets, boundary);
    };
    const expected = finiteDifferences(p, (q) => mse64(relax64((l) => W(q, l), x, 0.75, layers), y));
    const actual = tfGradient(k, ['M'], x, y, 0.75, layers);
    // dense() is the same W
    const w = k.dense!(1);
    const got = w.dataSync();
    w.dispose();
    W(p, 1).forEach((row, i) => row.forEach((v, j) => expect(Math.abs(got[i * S + j]! - v)).toBeLessThan(1e-5)));
    k.dispose();
    expect(Math.max(...expected.map(Math.abs))).toBeGreaterThan(1e-4);
    const err = gradientError(actual, expected);
    expect(err.normwise).toBeLessThan(GRADIENT_TOLERANCE.normwise);
    expect(err.entrywise).toBeLessThan(GRADIENT_TOLERANCE.entrywise);
  });
});

describe('moments: 3-D gradient against a float64 reference', () => {
  it('3-D cross, heterogeneous, periodic: taps (M_aa ± M_a)/2 on ±e_a, M − Σ_a M_aa at the centre', () => {
    const shape = [3, 3, 3];
    const S = 27;
    const k = create({ family: 'heterogeneous', noise: 0.1, init: { Mxx: 0.2, Myy: 0.1, Mzz: 0.15 } }, { shape }, 2);
    const map = momentMap(footprint(3, 1, 'cross'));
    expect(map.labels).toEqual(['M', 'Mx', 'My', 'Mz', 'Mxx', 'Myy', 'Mzz']);
    const rand = seededRandom(23);
    const x = randomMatrix(2, S, rand);
    const y = randomMatrix(2, S, rand, 0.5);
    const p = flatParams(k, ['M']);
    const W = (q: number[]) => {
      const m = (s: number, label: string) => q[s * 7 + map.labels.indexOf(label)]!;
      const taps = (s: number, o: number[]): number => {
        const a = o.findIndex((v) => v !== 0);
        if (a < 0) return m(s, 'M') - m(s, 'Mxx') - m(s, 'Myy') - m(s, 'Mzz');
        const n = 'xyz'[a]!;
        return (m(s, `M${n}${n}`) + o[a]! * m(s, `M${n}`)) / 2;
      };
      return gridMatrix64(shape, taps, map.offsets.map((o) => [...o]), 'periodic');
    };
    const expected = finiteDifferences(p, (q) => mse64(relax64(() => W(q), x, 0.75, 2), y));
    const err = gradientError(tfGradient(k, ['M'], x, y, 0.75, 2), expected);
    k.dispose();
    expect(Math.max(...expected.map(Math.abs))).toBeGreaterThan(1e-4);
    expect(err.normwise).toBeLessThan(GRADIENT_TOLERANCE.normwise);
    expect(err.entrywise).toBeLessThan(GRADIENT_TOLERANCE.entrywise);
  });
});

describe('moments: physics, free moments, agreement with adr', () => {
  it('equals the adr kernel with the same coefficients (2-D, 9-point, zero boundary)', () => {
    const a = adr.create({ field: resolveField({ shape: [4, 5] }), layers: 1, options: validate(adr.options, { family: 'homogeneous', boundary: 'zero', init: { U: 0.1, D: 0.07, R: 0.03, noise: 0.05 } }), seed: 1 });
    const [Ux, Uy, Dxx, Dxy, Dyy, R] = a.physics!().map((q) => q.values[0]![0]!);
    const k = create(
      { family: 'homogeneous', footprint: 'box', boundary: 'zero', free: ['M', 'Mx', 'My', 'Mxx', 'Mxy', 'Myy'], init: { M: 1 + R!, Mx: Ux!, My: Uy!, Mxx: 2 * Dxx!, Mxy: 2 * Dxy!, Myy: 2 * Dyy! } },
      { shape: [4, 5] },
      1,
    );
    const z = randomMatrix(3, 20, seededRandom(4));
    const [viaAdr, viaMoments] = tf.tidy(() => [Array.from(a.apply(tf.tensor2d(z), 0).dataSync()), Array.from(k.apply(tf.tensor2d(z), 0).dataSync())]);
    viaAdr!.forEach((v, i) => expect(Math.abs(v - viaMoments![i]!)).toBeLessThan(1e-5));
    a.dispose();
    k.dispose();
  });

  it('free: ["W1", "W2"] trains advection and diffusion only; W0 stays at its init; physics reports all moments', () => {
    const k = create({ free: ['W2', 'W1'], init: { W0: 1.05, W2: 0.3 } }, { shape: [6] }, 2);
    expect(k.params['M']!.shape).toEqual([6, 2]);
    expect(k.paramCount).toBe(12);
    const q = k.physics!();
    expect(q.map((e) => e.name)).toEqual(['W0', 'W1', 'W2']);
    expect(q[0]!.description).toContain('fixed');
    q[0]!.values.forEach((row) => row.forEach((v) => expect(v).toBeCloseTo(1.05, 6)));
    q[2]!.values.forEach((row) => row.forEach((v) => expect(v).toBeCloseTo(0.3, 6)));
    // gradient reaches only the free moments; moments() reports them exactly (periodic: every site)
    const m = k.moments!(0, 4);
    findMoment(m, 'W0')!.values.forEach((v) => expect(v).toBeCloseTo(1.05, 6));
    findMoment(m, 'W2')!.values.forEach((v) => expect(v).toBeCloseTo(0.3, 6));
    findMoment(m, 'W4')!.values.forEach((v) => expect(v).toBeCloseTo(0.3, 6)); // even orders repeat W2 on 3 taps
    k.dispose();
  });

  it('per-site moments on a reflecting 3-D grid: moments() agree with dense() where no tap is mirrored', () => {
    const k = create({ family: 'heterogeneous', boundary: 'reflecting', noise: 0.1 }, { shape: [3, 3, 3] }, 1);
    const m = k.moments!(0, 2);
    const physics = k.physics!();
    expect(physics.map((e) => e.name)).toEqual(['M', 'Mx', 'My', 'Mz', 'Mxx', 'Myy', 'Mzz']);
    // the centre site (1, 1, 1) reads no mirrored tap: its moments are the parameters
    for (const e of physics) expect(findMoment(m, e.name)!.values[13]).toBeCloseTo(e.values[0]![13]!, 5);
    k.dispose();
  });

  it.each([
    { field: { shape: [9] }, options: { radius: 2, noise: 0.1 } },
    { field: { shape: [4, 5] }, options: { footprint: 'box', family: 'time-dependent', noise: 0.1 } },
    { field: { shape: [3, 4], channels: 2 }, options: { boundary: 'reflecting', free: ['Mx', 'Mxx'], noise: 0.1 } },
    { field: { shape: [3, 3, 3] }, options: { family: 'homogeneous', boundary: 'zero', noise: 0.1 } },
  ])('conforms on $field with $options', async ({ field, options }) => {
    await checkKernelFamily(moments, { field, layers: 2, options });
  });

  it.each([
    [[5, 6], { family: 'heterogeneous', init: { Mxx: 0.2, Myy: 0.2 }, noise: 0.05 }],
    [[5, 6], { family: 'time-dependent', footprint: 'box', boundary: 'zero', init: { Mxx: 0.2, Myy: 0.2 }, noise: 0.05 }],
    [[12], { radius: 2, init: { W2: 0.3 }, noise: 0.05 }],
  ] as const)('runs through the fused op on %j with %j and agrees with the unfused path', (shape, options) => {
    const model = referenceModel({ id: '@npde/kernels/moments', options }, { shape: [...shape] }, { seed: 2 });
    checkFusion(model);
    model.dispose();
  });

  it('errors: an unknown free moment or init key, a grid too small for the radius', () => {
    const caught = (fn: () => unknown): NpdeError => {
      try {
        fn();
      } catch (e) {
        expect(e).toBeInstanceOf(NpdeError);
        return e as NpdeError;
      }
      throw new Error('expected a throw');
    };
    const free = caught(() => create({ free: ['Mx', 'Mxy'] }, { shape: [4, 4] }));
    expect([free.code, free.path]).toEqual([ErrorCodes.INVALID_OPTIONS, 'kernel.options.free[1]']);
    const init = caught(() => create({ init: { W3: 1 } }, { shape: [8] }));
    expect([init.code, init.path]).toEqual([ErrorCodes.INVALID_OPTIONS, 'kernel.options.init.W3']);
    expect(caught(() => create({ radius: 3 }, { shape: [5] })).code).toBe(ErrorCodes.UNSUPPORTED_FIELD);
    expect(caught(() => create({}, { points: [[0], [1], [2]] })).code).toBe(ErrorCodes.UNSUPPORTED_FIELD);
  });
});
