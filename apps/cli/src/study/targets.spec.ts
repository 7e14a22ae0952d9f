import { describe, expect, it } from 'vitest';
import { initialState, lightCone, lightConeFloor, makeTarget, relativeDistance, ringDistance, seedHalfWidth, TARGET_NAMES } from './targets.js';

describe('targets', () => {
  it.each(TARGET_NAMES)('%s stays inside (−1, 1), the range of tanh, and is not zero', (name) => {
    for (const N of [16, 32, 64]) {
      const y = makeTarget(name, N, 1);
      expect(y).toHaveLength(N);
      expect(Math.max(...y.map(Math.abs))).toBeLessThan(1);
      expect(Math.max(...y.map(Math.abs))).toBeGreaterThan(0.2);
    }
  });

  it('random targets are fixed by the seed and change with it; the shapes do not depend on it', () => {
    for (const name of ['random-smooth', 'white-noise'] as const) {
      expect(makeTarget(name, 32, 7)).toEqual(makeTarget(name, 32, 7));
      expect(makeTarget(name, 32, 7)).not.toEqual(makeTarget(name, 32, 8));
    }
    expect(makeTarget('step', 32, 7)).toEqual(makeTarget('step', 32, 8));
    // random-smooth has no Fourier content above k = 4; white noise has plenty.
    const highPower = (y: number[]) => {
      let p = 0;
      for (let k = 6; k <= 16; k++) {
        let re = 0;
        let im = 0;
        y.forEach((v, q) => ((re += v * Math.cos((2 * Math.PI * k * q) / 32)), (im += v * Math.sin((2 * Math.PI * k * q) / 32))));
        p += re * re + im * im;
      }
      return p;
    };
    expect(highPower(makeTarget('random-smooth', 32, 3))).toBeLessThan(1e-3);
    expect(highPower(makeTarget('white-noise', 32, 3))).toBeGreaterThan(1);
  });

  it('the seed has compact support of 2w − 1 sites, and the light cone grows by one site per side per layer', () => {
    const N = 64;
    const z0 = initialState(N);
    const w = seedHalfWidth(N);
    expect(z0.filter((v) => v > 0)).toHaveLength(2 * w - 1);
    expect(lightCone(N, 0).filter(Boolean)).toHaveLength(2 * w - 1);
    expect(lightCone(N, 3).filter(Boolean)).toHaveLength(2 * w - 1 + 6);
    expect(lightCone(N, N).every(Boolean)).toBe(true);
    expect(ringDistance(1, N - 1, N)).toBe(2);
  });

  it('the cone floor is the distance of the best state that is 0 outside the cone', () => {
    const N = 32;
    const y = makeTarget('shifted-bump', N, 1);
    const cone = lightCone(N, 2);
    const best = y.map((v, q) => (cone[q] ? v : 0));
    expect(lightConeFloor(y, 2)).toBeCloseTo(relativeDistance(best, y), 12);
    expect(lightConeFloor(y, 2)).toBeGreaterThan(0.9);
    expect(lightConeFloor(y, 64)).toBe(0);
    expect(relativeDistance(y, y)).toBe(0);
  });
});
