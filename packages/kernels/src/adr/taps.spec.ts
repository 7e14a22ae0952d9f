import { ErrorCodes, NpdeError } from '@npde/core';
import { describe, expect, it } from 'vitest';
import { adrToTaps, tapMoments, tapsToAdr } from './taps.js';

describe('ADR taps', () => {
  it('follows theory §6: A = −U/(2Δ) + D/Δ², B = U/(2Δ) + D/Δ², C = 1 − 2D/Δ² + R', () => {
    const { A, B, C } = adrToTaps({ U: [0.2, -0.4], D: [0.1, 0.05], R: [0, 0.3] }, 0.5);
    expect(A[0]).toBeCloseTo(-0.2 + 0.4, 15);
    expect(B[0]).toBeCloseTo(0.2 + 0.4, 15);
    expect(C[0]).toBeCloseTo(1 - 0.8, 15);
    expect(A[1]).toBeCloseTo(0.4 + 0.2, 15);
    expect(B[1]).toBeCloseTo(-0.4 + 0.2, 15);
    expect(C[1]).toBeCloseTo(1 - 0.4 + 0.3, 15);
  });

  it('round-trips (U, D, R) → (A, B, C) → (U, D, R) for any Δ', () => {
    const coefficients = { U: [0.3, -0.1, 0], D: [0.2, 0.01, 1e-4], R: [-0.05, 0, 0.7] };
    for (const dx of [1, 0.25, 3]) {
      const back = tapsToAdr(adrToTaps(coefficients, dx), dx);
      for (const name of ['U', 'D', 'R'] as const) {
        back[name].forEach((v, i) => expect(v).toBeCloseTo(coefficients[name][i]!, 12));
      }
    }
  });

  it('accepts typed arrays', () => {
    expect(tapsToAdr({ A: new Float32Array([0]), B: new Float32Array([0.25]), C: new Float32Array([0.75]) })).toEqual({
      U: [0.25],
      D: [0.125],
      R: [0],
    });
  });

  it('moments: W0 = A + B + C, odd orders B − A, even orders A + B', () => {
    expect(tapMoments({ A: [0.125], B: [0.375], C: [0.5] }, 4)).toEqual([[1], [0.25], [0.5], [0.25], [0.5]]);
    expect(tapMoments({ A: [1], B: [2], C: [3] }, 0)).toEqual([[6]]);
    expect(() => tapMoments({ A: [1], B: [2], C: [3] }, -1)).toThrow(RangeError);
  });

  it('rejects arrays of different lengths with SHAPE_MISMATCH naming the array', () => {
    expect(() => adrToTaps({ U: [0, 0], D: [0.1], R: [0, 0] })).toThrow(
      expect.objectContaining({ code: ErrorCodes.SHAPE_MISMATCH, path: 'D' }),
    );
    expect(() => tapsToAdr({ A: [0], B: [0], C: [] })).toThrow(NpdeError);
  });

  it('rejects a grid spacing ≤ 0', () => {
    expect(() => adrToTaps({ U: [0], D: [0], R: [0] }, 0)).toThrow(expect.objectContaining({ code: ErrorCodes.INVALID_OPTIONS, path: 'dx' }));
    expect(() => tapsToAdr({ A: [0], B: [0], C: [0] }, -1)).toThrow(expect.objectContaining({ path: 'dx' }));
  });
});
