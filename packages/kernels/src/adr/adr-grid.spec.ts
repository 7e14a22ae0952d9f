import { NeuralPde, findMoment, resolveField, tf, validate, type FieldSpec, type KernelInstance } from '@npde/core';
import { checkFusion, checkKernelFamily, checkRoundTrip } from '@npde/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { kernelMomentsFromDense } from '../moments/dense-moments.js';
import { kernelTestRegistry } from '../testing/model-plugins.test-util.js';
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
import { adr } from './adr.js';
import type { AdrOptionsInput } from './options.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type Boundary = 'zero' | 'periodic' | 'reflecting';
type Family = 'homogeneous' | 'heterogeneous' | 'time-dependent';
type Diffusion = 'isotropic' | 'diagonal' | 'tensor';

function create(options: AdrOptionsInput, field: FieldSpec, layers = 3, seed = 7): KernelInstance {
  return adr.create({ field: resolveField(field), layers, options: validate(adr.options, options, { path: 'kernel.options' }), seed });
}

/** Where index i + m of an axis of n reads (independent of the package): −1 for a zero read. */
function source(i: number, m: number, n: number, boundary: Boundary): number {
  const j = i + m;
  if (j >= 0 && j < n) return j;
  if (boundary === 'zero') return -1;
  if (boundary === 'periodic') return (j + n) % n;
  return j < 0 ? -j - 1 : 2 * n - j - 1; // mirror at the faces: −1 → 0, n → n − 1
}

/** Per-site, per-channel coefficients: U[s][c][a], the full symmetric D[s][c][a][b], R[s][o][i]. */
interface Coefficients {
  U: number[][][];
  D: number[][][][];
  R: number[][][];
}

/**
 * Read one layer's coefficients from the flat parameter vector (U, D, R concatenated) with the
 * documented layout: leading `[]`, `[S]` or `[L, S]`, then `[C]` (if C > 1), then the components.
 */
function readCoefficients(p: readonly number[], sizes: readonly number[], family: Family, layer: number, S: number, C: number, dims: number, diffusion: Diffusion): Coefficients {
  const [nuTotal, ndTotal] = sizes as [number, number, number];
  const u = p.slice(0, nuTotal);
  const d = p.slice(nuTotal, nuTotal + ndTotal);
  const r = p.slice(nuTotal + ndTotal);
  const comps = dims === 1 || diffusion === 'isotropic' ? 1 : diffusion === 'diagonal' ? dims : (dims * (dims + 1)) / 2;
  const at = (arr: number[], per: number, s: number, i: number) => {
    const cell = family === 'homogeneous' ? 0 : family === 'heterogeneous' ? s : layer * S + s;
    return arr[cell * per + i]!;
  };
  // tensor component order: multiIndices(d, 2) restricted to |α| = 2: 2-D xx, xy, yy; 3-D xx, xy, xz, yy, yz, zz
  const pairs: [number, number][] = [];
  for (let a = 0; a < dims; a++) for (let b = a; b < dims; b++) pairs.push([a, b]);
  return {
    U: Array.from({ length: S }, (_, s) => Array.from({ length: C }, (_, c) => Array.from({ length: dims }, (_, a) => at(u, C * dims, s, c * dims + a)))),
    D: Array.from({ length: S }, (_, s) =>
      Array.from({ length: C }, (_, c) => {
        const m = Array.from({ length: dims }, () => new Array<number>(dims).fill(0));
        if (comps === 1) for (let a = 0; a < dims; a++) m[a]![a] = at(d, C, s, c);
        else if (diffusion === 'diagonal') for (let a = 0; a < dims; a++) m[a]![a] = at(d, C * comps, s, c * comps + a);
        else
          pairs.forEach(([a, b], q) => {
            m[a]![b] = at(d, C * comps, s, c * comps + q);
            m[b]![a] = m[a]![b]!;
          });
        return m;
      }),
    ),
    R: Array.from({ length: S }, (_, s) => Array.from({ length: C }, (_, o) => Array.from({ length: C }, (_, i) => at(r, C * C, s, o * C + i)))),
  };
}

/** W = I + R + U·∇ + D:∇∇ by central differences on a grid, float64, state index = site · C + channel. */
function adrGridMatrix64(shape: readonly number[], C: number, k: Coefficients, dx: number, boundary: Boundary): Matrix64 {
  const dims = shape.length;
  const S = shape.reduce((a, b) => a * b, 1);
  const n = S * C;
  const W = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const coords = (s: number) => {
    const c: number[] = [];
    for (let a = dims - 1; a >= 0; a--) {
      c[a] = s % shape[a]!;
      s = Math.floor(s / shape[a]!);
    }
    return c;
  };
  const neighbour = (s: number, o: number[]): number => {
    const x = coords(s);
    let out = 0;
    for (let a = 0; a < dims; a++) {
      const j = source(x[a]!, o[a]!, shape[a]!, boundary);
      if (j < 0) return -1;
      out = out * shape[a]! + j;
    }
    return out;
  };
  const add = (s: number, c: number, o: number[], w: number) => {
    const t = neighbour(s, o);
    if (t >= 0) W[s * C + c]![t * C + c]! += w;
  };
  const e = (a: number, sgn: number) => Array.from({ length: dims }, (_, i) => (i === a ? sgn : 0));
  for (let s = 0; s < S; s++) {
    for (let c = 0; c < C; c++) {
      W[s * C + c]![s * C + c]! += 1;
      for (let a = 0; a < dims; a++) {
        const U = k.U[s]![c]![a]!;
        const D = k.D[s]![c]![a]![a]!;
        add(s, c, e(a, 1), U / (2 * dx) + D / (dx * dx));
        add(s, c, e(a, -1), -U / (2 * dx) + D / (dx * dx));
        W[s * C + c]![s * C + c]! -= (2 * D) / (dx * dx);
        for (let b = a + 1; b < dims; b++) {
          // 2 D_ab ∂a∂b ≈ 2 D_ab (z(+,+) − z(+,−) − z(−,+) + z(−,−)) / (4Δ²)
          const w = (2 * k.D[s]![c]![a]![b]!) / (4 * dx * dx);
          for (const sa of [1, -1]) for (const sb of [1, -1]) add(s, c, e(a, sa).map((v, i) => v + e(b, sb)[i]!), sa * sb * w);
        }
      }
      for (let i = 0; i < C; i++) W[s * C + c]![s * C + i]! += k.R[s]![c]![i]!;
    }
  }
  return W;
}

const init = { U: 0.1, D: 0.08, R: 0.02, noise: 0.05 };

describe('adr on 1–3-D grids with channels: gradient and dense() against a float64 reference', () => {
  const cases: { shape: number[]; channels: number; family: Family; diffusion: Diffusion; boundary: Boundary; dx: number }[] = [
    { shape: [3, 5], channels: 1, family: 'heterogeneous', diffusion: 'tensor', boundary: 'periodic', dx: 1 },
    { shape: [3, 4], channels: 1, family: 'time-dependent', diffusion: 'diagonal', boundary: 'reflecting', dx: 0.8 },
    { shape: [3, 4], channels: 2, family: 'heterogeneous', diffusion: 'isotropic', boundary: 'zero', dx: 1 },
    { shape: [3, 3, 4], channels: 1, family: 'homogeneous', diffusion: 'tensor', boundary: 'zero', dx: 1 },
    { shape: [3, 3, 3], channels: 1, family: 'heterogeneous', diffusion: 'diagonal', boundary: 'reflecting', dx: 1.5 },
    { shape: [8], channels: 1, family: 'heterogeneous', diffusion: 'tensor', boundary: 'reflecting', dx: 1 },
    { shape: [7], channels: 3, family: 'time-dependent', diffusion: 'tensor', boundary: 'periodic', dx: 1 },
  ];
  it.each(cases)('$shape × $channels ch, $family, $diffusion, $boundary, dx $dx', ({ shape, channels, family, diffusion, boundary, dx }) => {
    const layers = 3;
    const S = shape.reduce((a, b) => a * b, 1);
    const n = S * channels;
    const k = create({ family, diffusion, boundary, dx, init: { ...init, noise: 0.1 } }, { shape, channels }, layers);
    const sizes = ['U', 'D', 'R'].map((name) => k.params[name]!.size);
    const p = flatParams(k, ['U', 'D', 'R']);
    const W = (q: readonly number[], l: number) => adrGridMatrix64(shape, channels, readCoefficients(q, sizes, family, l, S, channels, shape.length, diffusion), dx, boundary);
    // dense() is the reference W at every layer
    for (let l = 0; l < layers; l++) {
      const w = k.dense!(l);
      const got = w.dataSync();
      w.dispose();
      W(p, l).forEach((row, i) => row.forEach((v, j) => expect(Math.abs(got[i * n + j]! - v)).toBeLessThan(1e-5)));
    }
    const rand = seededRandom(31);
    const x = randomMatrix(3, n, rand);
    const y = randomMatrix(3, n, rand, 0.5);
    const expected = finiteDifferences(p, (q) => mse64(relax64((l) => W(q, l), x, 0.75, layers), y));
    const actual = tfGradient(k, ['U', 'D', 'R'], x, y, 0.75, layers);
    k.dispose();
    expect(Math.max(...expected.map(Math.abs))).toBeGreaterThan(1e-4);
    const err = gradientError(actual, expected);
    expect(err.normwise).toBeLessThan(GRADIENT_TOLERANCE.normwise);
    expect(err.entrywise).toBeLessThan(GRADIENT_TOLERANCE.entrywise);
  });

  it('the reference can fail: a transposed cross term or the wrong boundary is rejected', () => {
    const shape = [4, 5];
    const k = create({ family: 'heterogeneous', diffusion: 'tensor', boundary: 'reflecting', init: { ...init, noise: 0.1 } }, { shape });
    const sizes = ['U', 'D', 'R'].map((name) => k.params[name]!.size);
    const p = flatParams(k, ['U', 'D', 'R']);
    const rand = seededRandom(5);
    const x = randomMatrix(3, 20, rand);
    const y = randomMatrix(3, 20, rand, 0.5);
    const actual = tfGradient(k, ['U', 'D', 'R'], x, y, 0.75, 3);
    k.dispose();
    const loss = (b: Boundary, flipCross: boolean) => (q: number[]) =>
      mse64(
        relax64(() => {
          const c = readCoefficients(q, sizes, 'heterogeneous', 0, 20, 1, 2, 'tensor');
          if (flipCross) c.D.forEach((site) => site.forEach((m) => ((m[0]![1] = -m[0]![1]!), (m[1]![0] = -m[1]![0]!))));
          return adrGridMatrix64(shape, 1, c, 1, b);
        }, x, 0.75, 3),
        y,
      );
    expect(gradientError(actual, finiteDifferences(p, loss('reflecting', false))).normwise).toBeLessThan(GRADIENT_TOLERANCE.normwise);
    expect(gradientError(actual, finiteDifferences(p, loss('zero', false))).normwise).toBeGreaterThan(100 * GRADIENT_TOLERANCE.normwise);
    expect(gradientError(actual, finiteDifferences(p, loss('reflecting', true))).normwise).toBeGreaterThan(100 * GRADIENT_TOLERANCE.normwise);
  });
});

describe('adr in 2-D: the 5-point Laplacian', () => {
  it('isotropic diffusion only equals tf.conv2d with [[0,r,0],[r,1−4r,r],[0,r,0]] (cpu backend, zero padding)', () => {
    const r = 0.15;
    const k = create({ family: 'homogeneous', diffusion: 'isotropic', boundary: 'zero', init: { D: r } }, { shape: [6, 7] }, 1);
    expect(k.params['U']!.shape).toEqual([2]);
    expect(k.params['D']!.shape).toEqual([]);
    const z = randomMatrix(4, 42, seededRandom(2));
    const [viaKernel, viaConv] = tf.tidy(() => {
      const zt = tf.tensor2d(z);
      const filter = tf.tensor4d([0, r, 0, r, 1 - 4 * r, r, 0, r, 0], [3, 3, 1, 1]);
      const conv = tf.conv2d(zt.reshape([4, 6, 7, 1]) as tf.Tensor4D, filter, 1, 'same');
      return [Array.from(k.apply(zt, 0).dataSync()), Array.from(conv.dataSync())];
    });
    k.dispose();
    expect(viaConv).toHaveLength(168);
    viaKernel!.forEach((v, i) => expect(Math.abs(v - viaConv![i]!)).toBeLessThan(1e-6));
    const shifted = tf.tidy(() => {
      const filter = tf.tensor4d([0, r, 0, r, 1 - 4 * r, r, 0, 0, r], [3, 3, 1, 1]); // a misplaced tap
      return Array.from(tf.conv2d(tf.tensor2d(z).reshape([4, 6, 7, 1]) as tf.Tensor4D, filter, 1, 'same').dataSync());
    });
    expect(Math.max(...viaKernel!.map((v, i) => Math.abs(v - shifted[i]!)))).toBeGreaterThan(1e-2);
  });

  it('moments: M = 1 + R, Mx = Ux/Δ, My = Uy/Δ, Mxx = 2Dxx/Δ², Mxy = 2Dxy/Δ², Myy = 2Dyy/Δ² (periodic, every site)', () => {
    const dx = 0.5;
    const k = create({ family: 'heterogeneous', diffusion: 'tensor', dx, init: { ...init, noise: 0.1 } }, { shape: [4, 4] }, 1);
    const m = k.moments!(0, 2);
    const [Ux, Uy, Dxx, Dxy, Dyy, R] = k.physics!().map((q) => q.values[0]!);
    expect(k.physics!().map((q) => q.name)).toEqual(['Ux', 'Uy', 'Dxx', 'Dxy', 'Dyy', 'R']);
    for (let s = 0; s < 16; s++) {
      expect(findMoment(m, 'M')!.values[s]).toBeCloseTo(1 + R![s]!, 5);
      expect(findMoment(m, 'Mx')!.values[s]).toBeCloseTo(Ux![s]! / dx, 5);
      expect(findMoment(m, 'My')!.values[s]).toBeCloseTo(Uy![s]! / dx, 5);
      expect(findMoment(m, 'Mxx')!.values[s]).toBeCloseTo((2 * Dxx![s]!) / (dx * dx), 5);
      expect(findMoment(m, 'Mxy')!.values[s]).toBeCloseTo((2 * Dxy![s]!) / (dx * dx), 5);
      expect(findMoment(m, 'Myy')!.values[s]).toBeCloseTo((2 * Dyy![s]!) / (dx * dx), 5);
    }
    k.dispose();
  });

  it('zero and reflecting boundaries: moments equal those of dense() at every site; with channels per pair', () => {
    for (const [boundary, channels] of [['zero', 1], ['reflecting', 2]] as const) {
      const field = resolveField({ shape: [3, 4], channels });
      const k = create({ family: 'heterogeneous', boundary, init: { ...init, noise: 0.1 } }, { shape: [3, 4], channels }, 1);
      const w = k.dense!(0);
      const ref = kernelMomentsFromDense(w.dataSync(), field, 3);
      w.dispose();
      const m = k.moments!(0, 3);
      expect(m.moments.map((e) => [e.label, e.channels])).toEqual(ref.moments.map((e) => [e.label, e.channels]));
      m.moments.forEach((e, i) => e.values.forEach((v, s) => expect(v).toBeCloseTo(ref.moments[i]!.values[s]!, 5)));
      k.dispose();
    }
  });

  it('reflecting walls conserve Σ z under symmetric diffusion; zero walls leak', () => {
    const sum = (boundary: Boundary) => {
      const k = create({ family: 'homogeneous', diffusion: 'isotropic', boundary, init: { D: 0.2 } }, { shape: [5, 5] }, 1);
      const out = tf.tidy(() => tf.sum(k.apply(tf.ones([1, 25]) as tf.Tensor2D, 0)).dataSync()[0]!);
      k.dispose();
      return out;
    };
    expect(sum('reflecting')).toBeCloseTo(25, 4);
    expect(sum('zero')).toBeLessThan(24);
  });
});

describe('adr on grids: fused op, conformance, parameters', () => {
  const model = (shape: number[], options: AdrOptionsInput, layers = 3) =>
    NeuralPde.create(
      {
        field: { shape },
        layers,
        kernel: { id: '@npde/kernels/adr', options },
        activation: '@npde/core/testing/tanh',
        integrator: '@npde/core/testing/euler',
        reservoir: '@npde/core/testing/none',
        omega: 0.5,
        seed: 2,
      },
      { registry: kernelTestRegistry() },
    );

  it.each([
    [{ family: 'heterogeneous', diffusion: 'isotropic', boundary: 'periodic' }, 5],
    [{ family: 'homogeneous', diffusion: 'diagonal', boundary: 'zero' }, 5],
    [{ family: 'time-dependent', diffusion: 'tensor', boundary: 'periodic' }, 9],
  ] as const)('2-D %j runs through the fused op (%i-point) and agrees with the unfused path', (options, points) => {
    const k = create({ ...options, init }, { shape: [5, 6] }, 2);
    const st = k.stencil!(1);
    expect(st.geometry).toEqual({ dims: 2, height: 5, width: 6, points });
    expect(st.taps.shape).toEqual([30, points]);
    st.taps.dispose();
    k.dispose();
    const m = model([5, 6], { ...options, init });
    checkFusion(m);
    m.dispose();
  });

  it('no stencil() where the fused op has no footprint: reflecting, 3-D, several channels', () => {
    for (const [options, field] of [
      [{ boundary: 'reflecting' }, { shape: [5, 5] }],
      [{ boundary: 'reflecting' }, { shape: [6] }],
      [{}, { shape: [3, 3, 3] }],
      [{}, { shape: [5, 5], channels: 2 }],
    ] as const) {
      const k = create(options, field);
      expect(k.stencil).toBeUndefined();
      k.dispose();
    }
  });

  it.each([
    { field: { shape: [3, 4] }, options: { family: 'time-dependent', init } },
    { field: { shape: [3, 4], channels: 2 }, options: { family: 'heterogeneous', diffusion: 'diagonal', boundary: 'reflecting', init } },
    { field: { shape: [3, 3, 3] }, options: { family: 'homogeneous', boundary: 'periodic', init } },
    { field: { shape: [6] }, options: { boundary: 'reflecting', init } },
  ])('conforms on $field with $options', async ({ field, options }) => {
    await checkKernelFamily(adr, { field, layers: 2, options });
  });

  it('parameter shapes: leading [] / [S] / [L, S], then channels, then components', () => {
    const shapes = (options: AdrOptionsInput, field: FieldSpec) => {
      const k = create(options, field, 4);
      const out = ['U', 'D', 'R'].map((n) => k.params[n]!.shape);
      expect(k.paramCount).toBe(['U', 'D', 'R'].reduce((s, n) => s + k.params[n]!.size, 0));
      k.dispose();
      return out;
    };
    expect(shapes({ family: 'homogeneous' }, { shape: [4, 4] })).toEqual([[2], [3], []]);
    expect(shapes({ family: 'heterogeneous', diffusion: 'diagonal' }, { shape: [3, 3, 3] })).toEqual([[27, 3], [27, 3], [27]]);
    expect(shapes({ family: 'time-dependent', diffusion: 'isotropic' }, { shape: [4, 5], channels: 2 })).toEqual([[4, 20, 2, 2], [4, 20, 2], [4, 20, 2, 2]]);
    expect(shapes({ family: 'heterogeneous' }, { shape: [6], channels: 3 })).toEqual([[6, 3], [6, 3], [6, 3, 3]]);
    expect(shapes({ family: 'heterogeneous', boundary: 'reflecting' }, { shape: [6] })).toEqual([[6], [6], [6]]);
  });

  it('initial values: D on the diagonal only, R as init.R · I', () => {
    const k = create({ family: 'homogeneous', init: { D: 0.1, R: 0.3 } }, { shape: [3, 3], channels: 2 }, 1);
    expect(Array.from(k.params['D']!.dataSync())).toEqual([0.1, 0, 0.1, 0.1, 0, 0.1].map(Math.fround));
    expect(Array.from(k.params['R']!.dataSync())).toEqual([0.3, 0, 0, 0.3].map(Math.fround));
    k.dispose();
  });

  it('save → load round trip of a 2-D model', async () => {
    await checkRoundTrip(
      {
        field: { shape: [4, 4], channels: 2 }, layers: 2,
        kernel: { id: '@npde/kernels/adr', options: { family: 'heterogeneous', boundary: 'reflecting', init } },
        activation: '@npde/core/testing/tanh', integrator: '@npde/core/testing/euler', reservoir: '@npde/core/testing/none', omega: 0.5, seed: 3,
      },
      kernelTestRegistry(),
    );
  });
});
