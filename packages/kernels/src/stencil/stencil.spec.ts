import { STENCIL_OFFSETS_1D, STENCIL_OFFSETS_2D, ErrorCodes, ShapeError, UnsupportedFieldError, findMoment, resolveField, tf, type Tensor2D } from '@npde/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { kernelMomentsFromDense } from '../moments/dense-moments.js';
import { applyTaps, tapShape, type TapChannels, type TapStencil } from './apply.js';
import { tapsToDense } from './dense.js';
import { footprint, fusedGeometry } from './footprint.js';
import { axisSource, GRID_BOUNDARIES, gridLayout, neighbourSite, type GridLayout } from './grid.js';
import { offsetMoments, tapKernelMoments } from './moments.js';
import { shiftAxis, shiftField } from './shift.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('footprint', () => {
  it("is core's tap order where the fused op runs", () => {
    for (const r of [1, 2, 3] as const) expect(footprint(1, r).map((o) => [0, o[0]])).toEqual(STENCIL_OFFSETS_1D[r].map((o) => [...o]));
    expect(footprint(2, 1, 'box')).toEqual(STENCIL_OFFSETS_2D[9].map((o) => [...o]));
    expect(footprint(2, 1, 'cross')).toEqual(STENCIL_OFFSETS_2D[5].map((o) => [...o]));
  });

  it('has (2r+1)^d box and 2dr+1 cross offsets', () => {
    expect(footprint(3, 2, 'box')).toHaveLength(125);
    expect(footprint(3, 2, 'cross')).toHaveLength(13);
    expect(() => footprint(4, 1)).toThrow(RangeError);
  });

  it('reports a fused geometry only for 1 channel, zero/periodic, and the op footprints', () => {
    const g2: GridLayout = { shape: [4, 5], channels: 1 };
    expect(fusedGeometry(g2, footprint(2, 1, 'cross'), 'zero')).toEqual({ dims: 2, height: 4, width: 5, points: 5 });
    expect(fusedGeometry(g2, footprint(2, 1, 'box'), 'periodic')).toEqual({ dims: 2, height: 4, width: 5, points: 9 });
    expect(fusedGeometry(g2, footprint(2, 2, 'cross'), 'periodic')).toBeUndefined();
    expect(fusedGeometry(g2, footprint(2, 1), 'reflecting')).toBeUndefined();
    expect(fusedGeometry({ shape: [4, 5], channels: 2 }, footprint(2, 1), 'zero')).toBeUndefined();
    expect(fusedGeometry({ shape: [9], channels: 1 }, footprint(1, 3), 'zero')).toEqual({ dims: 1, sites: 9, radius: 3 });
    expect(fusedGeometry({ shape: [9], channels: 1 }, footprint(1, 4), 'zero')).toBeUndefined();
    expect(fusedGeometry({ shape: [2, 2, 2], channels: 1 }, footprint(3, 1), 'zero')).toBeUndefined();
  });
});

describe('grid', () => {
  it('maps reads outside the axis by boundary', () => {
    // n = 4, i + m from −9 to 12
    const got = (b: (typeof GRID_BOUNDARIES)[number]) => Array.from({ length: 22 }, (_, t) => axisSource(0, t - 9, 4, b));
    expect(got('periodic')).toEqual([3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0]);
    expect(got('reflecting')).toEqual([0, 0, 1, 2, 3, 3, 2, 1, 0, 0, 1, 2, 3, 3, 2, 1, 0, 0, 1, 2, 3, 3]);
    expect(axisSource(0, -1, 4, 'reflecting')).toBe(0);
    expect(axisSource(3, 2, 4, 'reflecting')).toBe(2);
    expect(got('zero').filter((j) => j >= 0)).toEqual([0, 1, 2, 3]);
    expect(neighbourSite([3, 4], 0, [-1, -1], 'periodic')).toBe(11);
  });

  it('refuses scattered points and grids missing the requirements', () => {
    expect(gridLayout(resolveField({ shape: [4, 3], channels: 2 }), 'a/b')).toEqual({ shape: [4, 3], channels: 2 });
    for (const [spec, req] of [
      [{ points: [[0], [1]] }, {}],
      [{ shape: [4], channels: 2 }, { maxChannels: 1 }],
      [{ shape: [4, 1] }, { minExtent: 2 }],
    ] as const) {
      let err: unknown;
      try {
        gridLayout(resolveField(spec), 'a/b', req);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UnsupportedFieldError);
      expect((err as UnsupportedFieldError).code).toBe(ErrorCodes.UNSUPPORTED_FIELD);
      expect((err as UnsupportedFieldError).path).toBe('field');
    }
  });
});

describe('shifts', () => {
  it('shiftAxis reads x[i + m] with every boundary, for |m| up to twice the extent', () => {
    const n = 5;
    const x = tf.tensor2d(Array.from({ length: 2 * n }, (_, i) => i + 1), [2, n]);
    for (const b of GRID_BOUNDARIES) {
      for (let m = -11; m <= 11; m++) {
        const got = tf.tidy(() => shiftAxis(x, 1, m, b).arraySync() as number[][]);
        const want = [0, 1].map((row) => Array.from({ length: n }, (_, i) => {
          const j = axisSource(i, m, n, b);
          return j < 0 ? 0 : row * n + j + 1;
        }));
        expect(got, `${b} m=${m}`).toEqual(want);
      }
    }
    x.dispose();
  });

  it('shiftField moves every channel of a 3-D field by an n-D offset', () => {
    const grid: GridLayout = { shape: [3, 4, 2], channels: 2 };
    const size = 3 * 4 * 2 * 2;
    const r = rng(1);
    const zv = Array.from({ length: 2 * size }, r);
    const z = tf.tensor2d(zv, [2, size]);
    for (const b of GRID_BOUNDARIES) {
      const got = tf.tidy(() => shiftField(z, grid, [1, -2, 1], b).dataSync());
      for (let bi = 0; bi < 2; bi++) {
        for (let s = 0; s < 24; s++) {
          const j = neighbourSite(grid.shape, s, [1, -2, 1], b);
          for (let c = 0; c < 2; c++) expect(got[bi * size + s * 2 + c]).toBeCloseTo(j < 0 ? 0 : zv[bi * size + j * 2 + c]!, 6);
        }
      }
    }
    z.dispose();
  });
});

describe('applyTaps', () => {
  const cases: { grid: GridLayout; stencil: TapStencil }[] = [];
  for (const boundary of GRID_BOUNDARIES) {
    for (const channels of ['shared', 'depthwise', 'mixing'] as TapChannels[]) {
      cases.push({ grid: { shape: [7], channels: 2 }, stencil: { offsets: footprint(1, 2), boundary, channels } });
      cases.push({ grid: { shape: [4, 3], channels: 2 }, stencil: { offsets: footprint(2, 1, 'box'), boundary, channels } });
      cases.push({ grid: { shape: [3, 2, 3], channels: 2 }, stencil: { offsets: footprint(3, 1, 'cross'), boundary, channels } });
    }
    cases.push({ grid: { shape: [3], channels: 1 }, stencil: { offsets: footprint(1, 3), boundary } }); // footprint wider than the grid
  }

  it('equals z · Wᵀ of the dense W, for every boundary, channel treatment, dims, homogeneous or per site', () => {
    const r = rng(3);
    for (const { grid, stencil } of cases) {
      for (const perSite of [false, true]) {
        const shape = tapShape(grid, stencil, perSite);
        const tv = Array.from({ length: shape.reduce((a, b) => a * b, 1) }, r);
        const size = grid.shape.reduce((a, b) => a * b, 1) * grid.channels;
        const W = tapsToDense(grid, stencil, tv, perSite, 'test');
        const err = tf.tidy(() => {
          const z = tf.randomNormal([3, size], 0, 1, 'float32', 5) as Tensor2D;
          const y = applyTaps(z, grid, stencil, tf.tensor(tv, shape));
          const ref = tf.matMul(z, tf.tensor2d(W, [size, size]), false, true);
          return maxAbsDiff(y.dataSync(), ref.dataSync());
        });
        // float32 sums of ≤ 27·2 terms of size ≤ 0.5·3: rounding ~1e-6
        expect(err, `${JSON.stringify(grid)} ${stencil.boundary} ${stencil.channels} perSite=${perSite}`).toBeLessThan(1e-5);
      }
    }
  });

  it('rejects taps of the wrong shape with a ShapeError', () => {
    const grid: GridLayout = { shape: [4, 4], channels: 1 };
    const z = tf.zeros([1, 16]) as Tensor2D;
    const t = tf.zeros([4]);
    expect(() => applyTaps(z, grid, { offsets: footprint(2, 1, 'cross'), boundary: 'zero' }, t)).toThrow(ShapeError);
    tf.dispose([z, t]);
  });

  it('leaks no tensors inside tidy', () => {
    const grid: GridLayout = { shape: [4, 4], channels: 2 };
    const stencil: TapStencil = { offsets: footprint(2, 1), boundary: 'reflecting', channels: 'mixing' };
    const z = tf.ones([2, 32]) as Tensor2D;
    const t = tf.ones(tapShape(grid, stencil, true));
    const before = tf.memory().numTensors;
    tf.tidy(() => applyTaps(z, grid, stencil, t)).dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([z, t]);
  });
});

describe('moments of a tap set', () => {
  it('offsetMoments: 1-D 3-point and the 2-D 5-point Laplacian', () => {
    const m1 = offsetMoments(footprint(1, 1), [0.1, 0.6, 0.3], 3).map((m) => m.value);
    [1, 0.2, 0.4, 0.2].forEach((v, k) => expect(m1[k]).toBeCloseTo(v, 12));
    const r = 0.15;
    const m2 = offsetMoments(footprint(2, 1, 'cross'), [r, r, 1 - 4 * r, r, r], 2);
    expect(m2.map((m) => m.label)).toEqual(['M', 'Mx', 'My', 'Mxx', 'Mxy', 'Myy']);
    [1, 0, 0, 2 * r, 0, 2 * r].forEach((v, k) => expect(m2[k]!.value).toBeCloseTo(v, 12));
  });

  it('equal the moments of the dense W (zero, reflecting everywhere; periodic away from the edges), per channel pair', () => {
    const r = rng(9);
    for (const channels of ['shared', 'depthwise', 'mixing'] as TapChannels[]) {
      for (const boundary of GRID_BOUNDARIES) {
        const grid: GridLayout = { shape: [6, 7], channels: 2 };
        const stencil: TapStencil = { offsets: footprint(2, 1, 'box'), boundary, channels };
        const shape = tapShape(grid, stencil, true);
        const tv = Array.from({ length: shape.reduce((a, b) => a * b, 1) }, r);
        const got = tapKernelMoments(grid, stencil, tv, true, 3);
        const want = kernelMomentsFromDense(tapsToDense(grid, stencil, tv, true, 'test'), { shape: grid.shape, dims: 2, sites: 42, realChannels: 2 }, 3);
        const interior = (s: number) => boundary !== 'periodic' || (Math.floor(s / 7) % 5 !== 0 && (s % 7) % 6 !== 0);
        for (const w of want.moments) {
          if (channels === 'shared' && w.channels) continue;
          const g = got.moments.find((e) => e.label === w.label && String(e.channels) === String(w.channels));
          expect(g, `${channels} ${boundary} ${w.label} ${w.channels}`).toBeDefined();
          for (let s = 0; s < 42; s++) {
            if (interior(s) || w.alpha.every((a) => a === 0)) expect(g!.values[s]).toBeCloseTo(w.values[s]!, 5);
          }
        }
      }
    }
  });

  it('periodic moments count a wrapped tap at its ring offset', () => {
    const m = tapKernelMoments({ shape: [5], channels: 1 }, { offsets: footprint(1, 1), boundary: 'periodic' }, [0.1, 0.6, 0.3], false, 2);
    expect(findMoment(m, 'W1')!.values.map((x) => +x.toFixed(9))).toEqual([0.2, 0.2, 0.2, 0.2, 0.2]);
  });
});
