import { ErrorCodes, NpdeError, TooLargeError, ValidationError, findMoment, resolveField, tf, validate, type FieldSpec, type KernelInstance } from '@npde/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { valuesByOrder } from '../testing/moments.test-util.js';
import { momentsFromDense } from '../moments/dense-moments.js';
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
} from '../testing/relaxation-reference.test-util.js';
import { adr } from './adr.js';
import type { AdrOptionsInput } from './options.js';
import { adrToTaps, tapMoments } from './taps.js';

const N = 8;
const LAYERS = 3;
const OMEGA = 0.75; // exact in float32, so tfjs and the reference use the same ω

function create(options: AdrOptionsInput = {}, field: FieldSpec = { shape: [N] }, layers = LAYERS, seed = 7): KernelInstance {
  return adr.create({ field: resolveField(field), layers, options: validate(adr.options, options, { path: 'kernel.options' }), seed });
}

/** U, D, R of one layer as float64 arrays of length N, read straight from the parameters. */
function coefficients(k: KernelInstance, family: string, layer: number): { U: number[]; D: number[]; R: number[] } {
  const row = (name: string): number[] => {
    const all = Array.from(k.params[name]!.dataSync());
    if (family === 'homogeneous') return new Array<number>(N).fill(all[0]!);
    return family === 'time-dependent' ? all.slice(layer * N, (layer + 1) * N) : all;
  };
  return { U: row('U'), D: row('D'), R: row('R') };
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

const NAMES = ['U', 'D', 'R'] as const;
const FAMILIES = ['homogeneous', 'heterogeneous', 'time-dependent'] as const;
const init = { U: 0.1, D: 0.15, R: 0.02, noise: 0.05 };

describe('adr: gradient against a float64 reference', () => {
  const rand = seededRandom(42);
  const x = randomMatrix(4, N, rand);
  const y = randomMatrix(4, N, rand, 0.5);

  /** The float64 loss as a function of the flat parameter vector (U, D, R in that order). */
  function referenceLoss(family: string, dx: number, boundary: 'periodic' | 'zero') {
    const per = family === 'homogeneous' ? 1 : family === 'heterogeneous' ? N : N * LAYERS;
    return (p: number[]): number => {
      const row = (offset: number, layer: number): number[] => {
        const all = p.slice(offset * per, (offset + 1) * per);
        if (family === 'homogeneous') return new Array<number>(N).fill(all[0]!);
        return family === 'time-dependent' ? all.slice(layer * N, (layer + 1) * N) : all;
      };
      const w = (l: number) => adrMatrix64(row(0, l), row(1, l), row(2, l), dx, boundary);
      return mse64(relax64(w, x, OMEGA, LAYERS), y);
    };
  }

  const cases = [
    { family: 'homogeneous', dx: 1, boundary: 'periodic' },
    { family: 'homogeneous', dx: 0.5, boundary: 'zero' },
    { family: 'heterogeneous', dx: 0.5, boundary: 'periodic' },
    { family: 'heterogeneous', dx: 1, boundary: 'zero' },
    { family: 'time-dependent', dx: 1, boundary: 'periodic' },
    { family: 'time-dependent', dx: 2, boundary: 'zero' },
  ] as const;

  it.each(cases)('$family, dx = $dx, $boundary', ({ family, dx, boundary }) => {
    const k = create({ family, dx, boundary, init });
    const p = flatParams(k, NAMES);
    const expected = finiteDifferences(p, referenceLoss(family, dx, boundary));
    const actual = tfGradient(k, NAMES, x, y, OMEGA, LAYERS);
    k.dispose();
    expect(Math.max(...expected.map(Math.abs))).toBeGreaterThan(1e-3); // a gradient worth comparing
    const err = gradientError(actual, expected);
    expect(err.normwise).toBeLessThan(GRADIENT_TOLERANCE.normwise);
    expect(err.entrywise).toBeLessThan(GRADIENT_TOLERANCE.entrywise);
  });

  it('the check can fail: a reference with the other boundary, or with A and B swapped, is rejected', () => {
    const k = create({ family: 'heterogeneous', boundary: 'periodic', init });
    const p = flatParams(k, NAMES);
    const actual = tfGradient(k, NAMES, x, y, OMEGA, LAYERS);
    k.dispose();
    const wrongBoundary = gradientError(actual, finiteDifferences(p, referenceLoss('heterogeneous', 1, 'zero')));
    const flipU = (q: number[]) => q.map((v, i) => (i < N ? -v : v)); // U → −U swaps A and B
    const swapped = referenceLoss('heterogeneous', 1, 'periodic');
    const swappedGrad = finiteDifferences(p, (q) => swapped(flipU(q)));
    const wrongTaps = gradientError(actual, swappedGrad);
    expect(wrongBoundary.normwise).toBeGreaterThan(100 * GRADIENT_TOLERANCE.normwise);
    expect(wrongTaps.normwise).toBeGreaterThan(100 * GRADIENT_TOLERANCE.normwise);
  });
});

describe('adr: dense, moments and physics agree with apply', () => {
  const rand = seededRandom(3);
  const z = randomMatrix(5, N, rand);

  for (const family of FAMILIES) {
    for (const boundary of ['periodic', 'zero'] as const) {
      it(`dense(layer) as a matmul equals apply(): ${family}, ${boundary}`, () => {
        const k = create({ family, boundary, dx: 0.8, init });
        for (let l = 0; l < LAYERS; l++) {
          const [viaApply, viaDense] = tf.tidy(() => {
            const zt = tf.tensor2d(z);
            const w = k.dense!(l);
            return [k.apply(zt, l).dataSync(), tf.matMul(zt, w, false, true).dataSync()];
          });
          expect(maxAbsDiff(viaApply!, viaDense!)).toBeLessThan(1e-6);
        }
        k.dispose();
      });
    }

    it(`moments from taps equal moments of dense() at interior sites: ${family}`, () => {
      const k = create({ family, dx: 0.8, init });
      for (let l = 0; l < LAYERS; l++) {
        const fromTaps = valuesByOrder(k.moments!(l, 4));
        const w = k.dense!(l);
        const fromDense = momentsFromDense(w.dataSync(), N, 4);
        w.dispose();
        expect(fromTaps).toHaveLength(5);
        for (let order = 0; order <= 4; order++) {
          for (let i = 1; i < N - 1; i++) expect(fromTaps[order]![i]).toBeCloseTo(fromDense[order]![i]!, 6);
        }
      }
      k.dispose();
    });

    it(`physics() values equal the parameters: ${family}`, () => {
      const k = create({ family, init });
      const physics = k.physics!();
      expect(physics.map((q) => q.name)).toEqual(['U', 'D', 'R']);
      expect(physics.map((q) => q.description)).toEqual(['advection speed', 'diffusion coefficient', 'reaction rate']);
      for (const q of physics) {
        expect(q.values).toHaveLength(LAYERS);
        q.values.forEach((row, l) => {
          expect(row).toHaveLength(N);
          expect(row).toEqual(coefficients(k, family, l)[q.name as 'U' | 'D' | 'R']);
        });
      }
      k.dispose();
    });
  }

  it('moments are KernelMoments labelled W0, W1, …: W0 = A + B + C, odd orders B − A, even orders A + B', () => {
    const k = create({ family: 'heterogeneous', boundary: 'periodic', dx: 0.8, init });
    const m = k.moments!(1, 3);
    expect(m).toMatchObject({ dims: 1, sites: N, order: 3 });
    expect(m.moments.map((e) => [e.label, e.alpha, e.channels])).toEqual([
      ['W0', [0], undefined],
      ['W1', [1], undefined],
      ['W2', [2], undefined],
      ['W3', [3], undefined],
    ]);
    const { A, B, C } = adrToTaps(coefficients(k, 'heterogeneous', 1), 0.8);
    for (let i = 0; i < N; i++) {
      expect(findMoment(m, 'W0')!.values[i]).toBe(A[i]! + B[i]! + C[i]!);
      expect(findMoment(m, 'W1')!.values[i]).toBe(B[i]! - A[i]!);
      expect(findMoment(m, 'W2')!.values[i]).toBe(A[i]! + B[i]!);
      expect(findMoment(m, 'W3')!.values[i]).toBe(B[i]! - A[i]!);
    }
    k.dispose();
  });

  it('dense() refuses a matrix past 2^26 entries with TooLargeError before allocating', () => {
    const n = 8193; // 8193² > 2²⁶
    const k = create({ family: 'homogeneous' }, { shape: [n] });
    let caught: unknown;
    try {
      k.dense!(0);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(TooLargeError);
    expect(caught).toMatchObject({ code: ErrorCodes.TOO_LARGE, path: 'field.shape', received: `${n * n} entries (N = ${n})` });
    expect((caught as TooLargeError).expected).toContain(String(2 ** 26));
    expect((caught as TooLargeError).hint).toBeTruthy();
    expect(findMoment(k.moments!(0, 1), 'W1')!.values).toHaveLength(n); // moments stay available
    k.dispose();
  });

  it('moments are the ADR coefficients: W0 = 1 + R, W1 = U/Δ, W2 = 2D/Δ², higher orders repeat', () => {
    const dx = 0.5;
    const k = create({ family: 'homogeneous', dx, init: { U: 0.25, D: 0.125, R: 0.0625 } });
    const m = valuesByOrder(k.moments!(0, 4));
    const expected = [1 + 0.0625, 0.25 / dx, (2 * 0.125) / (dx * dx), 0.25 / dx, (2 * 0.125) / (dx * dx)];
    m.forEach((row, order) => row.forEach((value) => expect(value).toBeCloseTo(expected[order]!, 6)));
    k.dispose();
  });

  it('edge-site moments: periodic counts the wrapped neighbor at ±1, zero leaves out the padding taps', () => {
    for (const boundary of ['periodic', 'zero'] as const) {
      const k = create({ family: 'heterogeneous', boundary, init });
      const taps = adrToTaps(coefficients(k, 'heterogeneous', 0));
      const m = valuesByOrder(k.moments!(0, 3));
      const w = k.dense!(0);
      const fromDense = momentsFromDense(w.dataSync(), N, 3);
      w.dispose();
      for (const i of [0, N - 1]) {
        const a = boundary === 'zero' && i === 0 ? 0 : taps.A[i]!;
        const b = boundary === 'zero' && i === N - 1 ? 0 : taps.B[i]!;
        const expected = tapMoments({ A: [a], B: [b], C: [taps.C[i]!] }, 3);
        for (let order = 0; order <= 3; order++) expect(m[order]![i]).toBeCloseTo(expected[order]![0]!, 12);
        expect(m[0]![i]).toBeCloseTo(fromDense[0]![i]!, 6); // W_0 = row sum of dense() in both cases
      }
      if (boundary === 'zero') {
        for (let order = 0; order <= 3; order++) fromDense[order]!.forEach((d, i) => expect(m[order]![i]).toBeCloseTo(d, 6));
      } else {
        // dense() puts A_0 at offset N − 1 instead of −1: W_1 differs by N·A_0 at site 0.
        expect(fromDense[1]![0]).toBeCloseTo(m[1]![0]! + N * taps.A[0]!, 5);
      }
      k.dispose();
    }
  });
});

describe('adr: boundaries', () => {
  function response(boundary: 'periodic' | 'zero', site: number): { out: number[]; taps: ReturnType<typeof adrToTaps>; dense: number[] } {
    const k = create({ family: 'heterogeneous', boundary, init });
    const taps = adrToTaps(coefficients(k, 'heterogeneous', 0));
    const [out, dense] = tf.tidy(() => {
      const delta = tf.oneHot([site], N).asType('float32') as tf.Tensor2D;
      return [Array.from(k.apply(delta, 0).dataSync()), Array.from(k.dense!(0).dataSync())];
    });
    k.dispose();
    return { out: out!, taps, dense: dense! };
  }

  it('a delta at site 0 reaches site N − 1 only when periodic', () => {
    const p = response('periodic', 0);
    expect(p.out[0]).toBeCloseTo(p.taps.C[0]!, 6);
    expect(p.out[1]).toBeCloseTo(p.taps.A[1]!, 6);
    expect(p.out[N - 1]).toBeCloseTo(p.taps.B[N - 1]!, 6);
    expect(p.out.slice(2, N - 1).every((v) => v === 0)).toBe(true);
    const z = response('zero', 0);
    expect(z.out[0]).toBeCloseTo(z.taps.C[0]!, 6);
    expect(z.out[1]).toBeCloseTo(z.taps.A[1]!, 6);
    expect(z.out[N - 1]).toBe(0);
  });

  it('a delta at site N − 1 reaches site 0 only when periodic', () => {
    const p = response('periodic', N - 1);
    expect(p.out[0]).toBeCloseTo(p.taps.A[0]!, 6);
    expect(p.out[N - 2]).toBeCloseTo(p.taps.B[N - 2]!, 6);
    expect(response('zero', N - 1).out[0]).toBe(0);
  });

  it('dense() holds the wrap-around corners for periodic and is tridiagonal for zero', () => {
    const p = response('periodic', 0);
    expect(p.dense[0 * N + N - 1]).toBeCloseTo(p.taps.A[0]!, 6);
    expect(p.dense[(N - 1) * N + 0]).toBeCloseTo(p.taps.B[N - 1]!, 6);
    const z = response('zero', 0);
    expect(z.dense[0 * N + N - 1]).toBe(0);
    expect(z.dense[(N - 1) * N + 0]).toBe(0);
    z.dense.forEach((v, idx) => {
      const i = Math.floor(idx / N);
      const j = idx % N;
      if (Math.abs(i - j) > 1) expect(v).toBe(0);
    });
  });
});

describe('adr: parameters', () => {
  it.each([
    ['homogeneous', [], 3],
    ['heterogeneous', [N], 3 * N],
    ['time-dependent', [LAYERS, N], 3 * N * LAYERS],
  ] as const)('%s: shapes %j, paramCount %i', (family, shape, count) => {
    const k = create({ family });
    expect(Object.keys(k.params).sort()).toEqual(['D', 'R', 'U']);
    for (const p of Object.values(k.params)) {
      expect(p.shape).toEqual(shape);
      expect(p.trainable).toBe(true);
    }
    expect(k.paramCount).toBe(count);
    expect(Object.values(k.params).reduce((s, p) => s + p.size, 0)).toBe(count);
    k.dispose();
  });

  it('initializes to init.U, init.D, init.R (defaults 0, 0.1, 0) without noise', () => {
    const k = create({ family: 'heterogeneous' });
    expect(Array.from(k.params['U']!.dataSync())).toEqual(new Array(N).fill(0));
    expect(Array.from(k.params['D']!.dataSync())).toEqual(new Array(N).fill(Math.fround(0.1)));
    expect(Array.from(k.params['R']!.dataSync())).toEqual(new Array(N).fill(0));
    k.dispose();
  });

  it('noise is deterministic in the seed', () => {
    const read = (seed: number) => {
      const k = create({ family: 'time-dependent', init: { noise: 0.1 } }, { shape: [N] }, LAYERS, seed);
      const values = NAMES.map((n) => Array.from(k.params[n]!.dataSync()));
      k.dispose();
      return values;
    };
    const a = read(1);
    expect(read(1)).toEqual(a);
    expect(read(2)).not.toEqual(a);
    expect(a[0]).not.toEqual(a[1]!.map((v) => v - 0.1)); // U and D get different perturbations
    const spread = Math.sqrt(a[0]!.reduce((s, v) => s + v * v, 0) / a[0]!.length);
    expect(spread).toBeGreaterThan(0.05);
    expect(spread).toBeLessThan(0.2);
  });

  it('rejects an out-of-range layer', () => {
    const k = create({ family: 'time-dependent' });
    const z = tf.zeros([1, N]) as tf.Tensor2D;
    expect(() => k.apply(z, LAYERS)).toThrow(RangeError);
    expect(() => k.dense!(-1)).toThrow(RangeError);
    expect(() => k.moments!(0, -1)).toThrow(RangeError);
    z.dispose();
    k.dispose();
  });
});

describe('adr: options and fields', () => {
  it('fills defaults', () => {
    expect(validate(adr.options, {})).toEqual({
      family: 'heterogeneous',
      dx: 1,
      boundary: 'periodic',
      init: { U: 0, D: 0.1, R: 0, noise: 0 },
    });
  });

  it('reports a negative dx at kernel.options.dx', () => {
    let err: unknown;
    try {
      validate(adr.options, { dx: -1 }, { path: 'kernel.options', plugin: adr.id });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    const v = err as ValidationError;
    expect(v.code).toBe(ErrorCodes.INVALID_OPTIONS);
    expect(v.path).toBe('kernel.options.dx');
    expect(v.received).toBe('-1');
    expect(v.message).toContain('kernel.options.dx');
  });

  it.each([
    [{ dx: 0 }, 'kernel.options.dx'],
    [{ family: 'constant' }, 'kernel.options.family'],
    [{ boundary: 'mirror' }, 'kernel.options.boundary'],
    [{ diffusion: 'full' }, 'kernel.options.diffusion'],
    [{ init: { D: 'big' } }, 'kernel.options.init.D'],
    [{ init: { noise: -0.1 } }, 'kernel.options.init.noise'],
    [{ dX: 1 }, 'kernel.options.dX'],
  ])('rejects %j at %s', (options, path) => {
    expect(() => validate(adr.options, options, { path: 'kernel.options' })).toThrow(
      expect.objectContaining({ code: ErrorCodes.INVALID_OPTIONS, path }),
    );
  });

  it.each([
    [{ shape: [8, 2] }, '2-D grid [8, 2]'],
    [{ shape: [8], complex: true }, 'complex values, 2 real channels'],
    [{ points: [[0], [1], [2]] }, 'scattered points'],
    [{ shape: [2] }, '[2]'],
  ] as const)('throws UNSUPPORTED_FIELD for %j', (field, received) => {
    let err: unknown;
    try {
      create({}, field as FieldSpec);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NpdeError);
    const e = err as NpdeError;
    expect(e.code).toBe(ErrorCodes.UNSUPPORTED_FIELD);
    expect(e.path).toBe('field');
    expect(e.plugin).toBe('@npde/kernels/adr');
    expect(e.received).toContain(received);
    expect(e.hint).toMatch(/dense/);
  });
});

describe('adr: memory', () => {
  it('leaks no tensors in apply, dense, moments, physics or dispose', () => {
    const before = tf.memory().numTensors;
    for (const family of FAMILIES) {
      for (const boundary of ['periodic', 'zero'] as const) {
        const k = create({ family, boundary, init });
        const z = tf.ones([2, N]) as tf.Tensor2D;
        const afterCreate = tf.memory().numTensors;
        for (let rep = 0; rep < 3; rep++) {
          tf.tidy(() => {
            for (let l = 0; l < LAYERS; l++) k.apply(z, l);
          });
          expect(tf.memory().numTensors).toBe(afterCreate);
        }
        const w = k.dense!(1);
        expect(tf.memory().numTensors).toBe(afterCreate + 1);
        w.dispose();
        k.moments!(1, 3);
        k.physics!();
        expect(tf.memory().numTensors).toBe(afterCreate);
        z.dispose();
        k.dispose();
        expect(tf.memory().numTensors).toBe(before);
      }
    }
  });
});
