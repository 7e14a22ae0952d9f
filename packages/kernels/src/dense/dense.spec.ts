import { ErrorCodes, ValidationError, findMoment, resolveField, tf, validate, type FieldSpec, type KernelInstance } from '@npde/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { valuesByOrder } from '../testing/moments.test-util.js';
import { momentsFromDense } from '../moments/dense-moments.js';
import {
  GRADIENT_TOLERANCE,
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
import { dense } from './dense.js';
import type { DenseOptionsInput } from './options.js';

const N = 8;
const LAYERS = 3;
const OMEGA = 0.75;

function create(options: DenseOptionsInput = {}, field: FieldSpec = { shape: [N] }, layers = LAYERS, seed = 5): KernelInstance {
  return dense.create({ field: resolveField(field), layers, options: validate(dense.options, options, { path: 'kernel.options' }), seed });
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('dense: gradient against a float64 reference', () => {
  const rand = seededRandom(11);
  const x = randomMatrix(4, N, rand);
  const y = randomMatrix(4, N, rand, 0.5);

  /** The float64 loss as a function of the flat W (row-major, `W[l][i][j]`), optionally with W transposed. */
  function referenceLoss(shared: boolean, transpose = false) {
    return (p: number[]): number => {
      const w = (l: number): Matrix64 => {
        const base = shared ? 0 : l * N * N;
        return Array.from({ length: N }, (_, i) =>
          Array.from({ length: N }, (_, j) => (transpose ? p[base + j * N + i]! : p[base + i * N + j]!)),
        );
      };
      return mse64(relax64(w, x, OMEGA, LAYERS), y);
    };
  }

  it.each([
    { shared: false, init: 'identity', noise: 0.1 },
    { shared: true, init: 'identity', noise: 0.1 },
    { shared: false, init: 'glorot', noise: 0 },
  ] as const)('shared = $shared, init = $init', (options) => {
    const k = create(options);
    const p = flatParams(k, ['W']);
    const expected = finiteDifferences(p, referenceLoss(options.shared));
    const actual = tfGradient(k, ['W'], x, y, OMEGA, LAYERS);
    k.dispose();
    expect(Math.max(...expected.map(Math.abs))).toBeGreaterThan(1e-3);
    const err = gradientError(actual, expected);
    expect(err.normwise).toBeLessThan(GRADIENT_TOLERANCE.normwise);
    expect(err.entrywise).toBeLessThan(GRADIENT_TOLERANCE.entrywise);
  });

  it('the check can fail: a reference that applies Wᵀ instead of W is rejected', () => {
    const k = create({ noise: 0.1 });
    const p = flatParams(k, ['W']);
    const actual = tfGradient(k, ['W'], x, y, OMEGA, LAYERS);
    k.dispose();
    const err = gradientError(actual, finiteDifferences(p, referenceLoss(false, true)));
    expect(err.normwise).toBeGreaterThan(100 * GRADIENT_TOLERANCE.normwise);
  });
});

describe('dense: apply, dense and moments', () => {
  it.each([
    [{ shape: [N] }, false],
    [{ shape: [N] }, true],
    [{ shape: [3, 4], channels: 2 }, false],
    [{ points: [[0, 0], [1, 0], [0, 1]], complex: true }, false],
  ] as const)('dense(layer) as a matmul equals apply() for field %j, shared = %s', (field, shared) => {
    const k = create({ shared, init: 'glorot' }, field as FieldSpec);
    const size = resolveField(field as FieldSpec).size;
    const z = randomMatrix(3, size, seededRandom(1));
    for (let l = 0; l < LAYERS; l++) {
      const [viaApply, viaDense] = tf.tidy(() => {
        const zt = tf.tensor2d(z);
        const w = k.dense!(l);
        expect(w.shape).toEqual([size, size]);
        return [k.apply(zt, l).dataSync(), tf.matMul(zt, w, false, true).dataSync()];
      });
      expect(maxAbsDiff(viaApply!, viaDense!)).toBeLessThan(1e-6);
    }
    k.dispose();
  });

  it('applies (Wz)_i = Σ_j W_ij z_j, not Wᵀ', () => {
    const k = create({ noise: 0 });
    const w = new Float32Array(LAYERS * N * N);
    w[1 * N * N + 2 * N + 5] = 3; // layer 1: W_25 = 3
    k.params['W']!.assign(tf.tensor3d(w, [LAYERS, N, N]));
    const out = tf.tidy(() => Array.from(k.apply(tf.oneHot([5], N).asType('float32') as tf.Tensor2D, 1).dataSync()));
    expect(out[2]).toBe(3);
    expect(out.reduce((s, v) => s + Math.abs(v), 0)).toBe(3);
    k.dispose();
  });

  it('moments equal Σ_j (j − i)^k W_ij of dense()', () => {
    const k = create({ init: 'glorot' });
    for (let l = 0; l < LAYERS; l++) {
      const w = k.dense!(l);
      const values = w.dataSync();
      const m = valuesByOrder(k.moments!(l, 3));
      w.dispose();
      for (let order = 0; order <= 3; order++) {
        for (let i = 0; i < N; i++) {
          let expected = 0;
          for (let j = 0; j < N; j++) expected += (j - i) ** order * values[i * N + j]!;
          expect(m[order]![i]).toBeCloseTo(expected, 10);
        }
      }
    }
    k.dispose();
  });

  it('moments of a multi-channel field: a channel-blind entry (receiving channels averaged) and one per channel pair', () => {
    const k = create({ noise: 0.1 }, { shape: [4], channels: 2 }, 1);
    const m = k.moments!(0, 1);
    expect(m).toMatchObject({ dims: 1, sites: 4, order: 1 });
    expect(m.moments.map((e) => [e.label, e.channels ?? null])).toEqual([
      ['W0', null], ['W0', [0, 0]], ['W0', [0, 1]], ['W0', [1, 0]], ['W0', [1, 1]],
      ['W1', null], ['W1', [0, 0]], ['W1', [0, 1]], ['W1', [1, 0]], ['W1', [1, 1]],
    ]);
    const flat = momentsFromDense(tf.tidy(() => k.dense!(0).dataSync()), 8, 1, 2);
    for (const order of [0, 1]) {
      findMoment(m, `W${order}`)!.values.forEach((v, s) => expect(v).toBeCloseTo(flat[order]![s]!, 6));
      // the blind entry is the mean over receiving channels of the sum over input channels
      const pairs = [[0, 0], [0, 1], [1, 0], [1, 1]] as const;
      const sum = pairs.map((p) => findMoment(m, `W${order}`, p)!.values);
      findMoment(m, `W${order}`)!.values.forEach((v, s) => expect(v).toBeCloseTo(sum.reduce((a, r) => a + r[s]!, 0) / 2, 10));
    }
    k.params['W']!.assign(tf.eye(8, 8, [1]));
    const id = k.moments!(0, 1);
    expect(findMoment(id, 'W0')!.values).toEqual(new Array(4).fill(1));
    expect(findMoment(id, 'W0', [0, 1])!.values).toEqual(new Array(4).fill(0));
    expect(findMoment(id, 'W1')!.values).toEqual(new Array(4).fill(0));
    k.dispose();
  });

  it('moments of a 2-D field use per-axis offsets (M, Mx, My, Mxx, Mxy, Myy)', () => {
    // 3×3 grid (axis 0 = x, the slow row-major axis). Hand-made W: centre site 4 = (1, 1) couples to
    // (2, 1) = site 7 with 2, to (1, 2) = site 5 with 3, to (0, 0) = site 0 with 5; site 0 to site 8 = (2, 2) with 1.
    const k = create({ noise: 0 }, { shape: [3, 3] }, 1);
    const w = new Float32Array(81);
    w[4 * 9 + 7] = 2;
    w[4 * 9 + 5] = 3;
    w[4 * 9 + 0] = 5;
    w[0 * 9 + 8] = 1;
    k.params['W']!.assign(tf.tensor3d(w, [1, 9, 9]));
    const m = k.moments!(0, 2);
    expect(m).toMatchObject({ dims: 2, sites: 9, order: 2 });
    expect(m.moments.map((e) => e.label)).toEqual(['M', 'Mx', 'My', 'Mxx', 'Mxy', 'Myy']);
    expect(m.moments.map((e) => e.alpha)).toEqual([[0, 0], [1, 0], [0, 1], [2, 0], [1, 1], [0, 2]]);
    const at = (label: string, site: number) => findMoment(m, label)!.values[site];
    // site 4: offsets (1, 0)·2, (0, 1)·3, (−1, −1)·5
    expect([at('M', 4), at('Mx', 4), at('My', 4), at('Mxx', 4), at('Mxy', 4), at('Myy', 4)]).toEqual([10, 2 - 5, 3 - 5, 2 + 5, 5, 3 + 5]);
    // site 0: offset (2, 2)·1 (a flat-index moment would count it at 8)
    expect([at('M', 0), at('Mx', 0), at('My', 0), at('Mxx', 0), at('Mxy', 0), at('Myy', 0)]).toEqual([1, 2, 2, 4, 4, 4]);
    expect(findMoment(m, 'M')!.values.filter((_, s) => s !== 0 && s !== 4)).toEqual(new Array(7).fill(0));
    k.dispose();
  });

  it('moments of scattered points use coordinate differences', () => {
    const k = create({ noise: 0 }, { points: [[0, 0], [2, 0], [0, 3]] }, 1);
    const w = new Float32Array(9);
    w[0 * 3 + 1] = 1; // site 0 ← site 1 at offset (2, 0)
    w[0 * 3 + 2] = 2; // site 0 ← site 2 at offset (0, 3)
    k.params['W']!.assign(tf.tensor3d(w, [1, 3, 3]));
    const m = k.moments!(0, 2);
    expect(m.moments.map((e) => e.values[0])).toEqual([3, 2, 6, 4, 0, 18]);
    k.dispose();
  });

  it('rejects an out-of-range layer', () => {
    const k = create();
    const z = tf.zeros([1, N]) as tf.Tensor2D;
    expect(() => k.apply(z, LAYERS)).toThrow(RangeError);
    expect(() => k.dense!(1.5)).toThrow(RangeError);
    z.dispose();
    k.dispose();
  });
});

describe('dense: parameters and initialization', () => {
  it.each([
    [false, [LAYERS, N, N], LAYERS * N * N],
    [true, [N, N], N * N],
  ] as const)('shared = %s: W has shape %j and paramCount %i', (shared, shape, count) => {
    const k = create({ shared });
    expect(Object.keys(k.params)).toEqual(['W']);
    expect(k.params['W']!.shape).toEqual(shape);
    expect(k.params['W']!.trainable).toBe(true);
    expect(k.paramCount).toBe(count);
    expect(k.physics).toBeUndefined();
    k.dispose();
  });

  it('identity init without noise is exactly the identity in every layer', () => {
    const k = create({ noise: 0 });
    for (let l = 0; l < LAYERS; l++) {
      const w = tf.tidy(() => Array.from(k.dense!(l).dataSync()));
      w.forEach((v, idx) => expect(v).toBe(Math.floor(idx / N) === idx % N ? 1 : 0));
    }
    k.dispose();
  });

  it('noise has the requested spread and is deterministic in the seed', () => {
    const read = (seed: number, options: DenseOptionsInput) => {
      const k = create(options, { shape: [16] }, LAYERS, seed);
      const values = Array.from(k.params['W']!.dataSync());
      k.dispose();
      return values;
    };
    const a = read(1, { noise: 0.05 });
    expect(read(1, { noise: 0.05 })).toEqual(a);
    expect(read(2, { noise: 0.05 })).not.toEqual(a);
    const offDiagonal = a.filter((_, idx) => Math.floor(idx / 16) % 16 !== idx % 16);
    const std = Math.sqrt(offDiagonal.reduce((s, v) => s + v * v, 0) / offDiagonal.length);
    expect(std).toBeGreaterThan(0.04);
    expect(std).toBeLessThan(0.06);
  });

  it('glorot init is uniform within ±√(3/size)', () => {
    const k = create({ init: 'glorot', noise: 0 }, { shape: [12] });
    const w = Array.from(k.params['W']!.dataSync());
    const limit = Math.sqrt(3 / 12);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.9 * limit);
    expect(Math.abs(w.reduce((s, v) => s + v, 0) / w.length)).toBeLessThan(0.05);
    k.dispose();
  });
});

describe('dense: options', () => {
  it('fills defaults', () => {
    expect(validate(dense.options, {})).toEqual({ shared: false, init: 'identity', noise: 0.01 });
  });

  it.each([
    [{ init: 'zeros' }, 'kernel.options.init'],
    [{ noise: -1 }, 'kernel.options.noise'],
    [{ shared: 'yes' }, 'kernel.options.shared'],
    [{ size: 4 }, 'kernel.options.size'],
  ])('rejects %j at %s', (options, path) => {
    let err: unknown;
    try {
      validate(dense.options, options, { path: 'kernel.options' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).code).toBe(ErrorCodes.INVALID_OPTIONS);
    expect((err as ValidationError).path).toBe(path);
  });
});

describe('dense: memory', () => {
  it('leaks no tensors in apply, dense, moments or dispose', () => {
    const before = tf.memory().numTensors;
    for (const shared of [false, true]) {
      const k = create({ shared });
      const z = tf.ones([2, N]) as tf.Tensor2D;
      const afterCreate = tf.memory().numTensors;
      for (let rep = 0; rep < 3; rep++) {
        tf.tidy(() => {
          for (let l = 0; l < LAYERS; l++) k.apply(z, l);
        });
        expect(tf.memory().numTensors).toBe(afterCreate);
      }
      const w = k.dense!(0);
      expect(tf.memory().numTensors).toBe(afterCreate + 1);
      w.dispose();
      k.moments!(2, 2);
      expect(tf.memory().numTensors).toBe(afterCreate);
      z.dispose();
      k.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
  });
});
