import { describe, expect, it } from 'vitest';
import { findMoment } from '@npde/core';
import { kernelMomentsFromDense, momentsFromDense, siteCoordinates } from './dense-moments.js';

describe('momentsFromDense', () => {
  it('gives W_k(i) = Σ_j (j − i)^k W_ij for a 3-point stencil', () => {
    const [a, c, b] = [0.25, 0.5, 0.125];
    const m = momentsFromDense([c, b, 0, a, c, b, 0, a, c], 3, 3);
    expect(m.map((row) => row[1])).toEqual([a + b + c, b - a, a + b, b - a]);
    expect(m.map((row) => row[0])).toEqual([c + b, b, b, b]); // no neighbor on the left of site 0
  });

  it('counts a corner entry at its flat offset (no wrap)', () => {
    const m = momentsFromDense([0, 0, 1, 0, 0, 0, 0, 0, 0], 3, 2);
    expect(m.map((row) => row[0])).toEqual([1, 2, 4]);
  });

  it('uses site offsets and averages the receiving channels for several channels per site', () => {
    // 2 sites × 2 channels. Site 0: channel 0 couples to both channels of site 1 (offset 1) and to
    // its own channel 1 (offset 0); channel 1 only to itself.
    const w = new Array<number>(16).fill(0);
    w[0 * 4 + 2] = 1;
    w[0 * 4 + 3] = 2;
    w[0 * 4 + 1] = 5;
    w[1 * 4 + 1] = 2;
    const m = momentsFromDense(w, 4, 2, 2);
    expect(m.map((row) => row.length)).toEqual([2, 2, 2]);
    expect(m.map((row) => row[0])).toEqual([(8 + 2) / 2, 3 / 2, 3 / 2]);
    expect(m.map((row) => row[1])).toEqual([0, 0, 0]);
  });

  it('gives the common stencil for identical uncoupled channels', () => {
    // 3 sites × 2 channels, each channel the stencil [a, c, b] with zero boundary.
    const [a, c, b] = [0.25, 0.5, 0.125];
    const w = new Array<number>(36).fill(0);
    for (let s = 0; s < 3; s++) {
      for (let ch = 0; ch < 2; ch++) {
        const i = s * 2 + ch;
        w[i * 6 + i] = c;
        if (s > 0) w[i * 6 + i - 2] = a;
        if (s < 2) w[i * 6 + i + 2] = b;
      }
    }
    expect(momentsFromDense(w, 6, 2, 2).map((row) => row[1])).toEqual([a + b + c, b - a, a + b]);
  });

  it('rejects bad arguments', () => {
    expect(() => momentsFromDense([1, 2, 3], 2, 1)).toThrow(RangeError);
    expect(() => momentsFromDense([1], 1, -1)).toThrow(RangeError);
    expect(() => momentsFromDense(new Array(9).fill(0), 3, 1, 2)).toThrow(RangeError);
  });
});

describe('kernelMomentsFromDense', () => {
  it('gives the 1-D moments W0, W1, W2 of a 3-point stencil as KernelMoments', () => {
    const [a, c, b] = [0.25, 0.5, 0.125];
    const m = kernelMomentsFromDense([c, b, 0, a, c, b, 0, a, c], { shape: [3], dims: 1, sites: 3, realChannels: 1 }, 2);
    expect(m).toMatchObject({ dims: 1, sites: 3, order: 2 });
    expect(m.moments.map((e) => e.label)).toEqual(['W0', 'W1', 'W2']);
    expect(m.moments.map((e) => e.values[1])).toEqual([a + b + c, b - a, a + b]);
  });

  it('uses per-axis offsets from the row-major site index on a 2-D grid', () => {
    // 2×3 grid: site s = (s div 3, s mod 3). Site 1 = (0, 1) couples to site 5 = (1, 2) with 2 and to site 3 = (1, 0) with 7.
    const w = new Array<number>(36).fill(0);
    w[1 * 6 + 5] = 2;
    w[1 * 6 + 3] = 7;
    const m = kernelMomentsFromDense(w, { shape: [2, 3], dims: 2, sites: 6, realChannels: 1 }, 2);
    expect(m.moments.map((e) => e.label)).toEqual(['M', 'Mx', 'My', 'Mxx', 'Mxy', 'Myy']);
    const at = (label: string) => findMoment(m, label)!.values[1];
    expect(['M', 'Mx', 'My', 'Mxx', 'Mxy', 'Myy'].map(at)).toEqual([9, 9, 2 - 7, 9, 2 - 7, 2 + 7]);
    expect(m.moments.every((e) => e.values.every((v, s) => s === 1 || v === 0))).toBe(true);
  });

  it('computes site coordinates row-major, or takes the points', () => {
    expect(siteCoordinates({ shape: [2, 3], dims: 2, sites: 6, realChannels: 1 })).toEqual([[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2]]);
    expect(siteCoordinates({ shape: [2], dims: 2, sites: 2, realChannels: 1, points: [[0.5, 1], [2, 3]] })).toEqual([[0.5, 1], [2, 3]]);
    expect(() => siteCoordinates({ shape: [2, 2], dims: 2, sites: 5, realChannels: 1 })).toThrow(RangeError);
  });

  it('rejects bad arguments', () => {
    const g = { shape: [2], dims: 1, sites: 2, realChannels: 1 };
    expect(() => kernelMomentsFromDense([1, 2, 3], g, 1)).toThrow(RangeError);
    expect(() => kernelMomentsFromDense([1, 2, 3, 4], g, -1)).toThrow(RangeError);
  });
});
