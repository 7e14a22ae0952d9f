import { momentLabel, multiIndices, type KernelMoments } from '@npde/core';
import { describe, expect, it } from 'vitest';
import { layerPhysics, stencilAmplification } from './layer-physics.js';

/** Homogeneous 2-D moments on one site from `c_α` (W_α = α! c_α); every α up to `order` not given is 0. */
function moments2d(order: number, c: Record<string, number>, missing: readonly string[] = []): KernelMoments {
  const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
  const moments = multiIndices(2, order)
    .map((alpha) => ({ alpha, label: momentLabel(alpha) }))
    .filter((e) => !missing.includes(e.label))
    .map((e) => ({ ...e, values: [(c[e.label] ?? 0) * e.alpha.reduce((p, k) => p * fact(k), 1)] }));
  return { dims: 2, sites: 1, order, moments };
}

describe('layerPhysics sign reading', () => {
  it('reads the 2-D biharmonic −K Δ²z as smoothing for K > 0, anti-smoothing for K < 0, and a saddle quartic as mixed', () => {
    // Δ² = ∂x⁴ + 2∂x²∂y² + ∂y⁴; momentLabel names the multi-index (4,0) Mxxxx, (2,2) Mxxyy, (0,4) Myyyy
    const K = 0.02;
    const labels = { xxxx: momentLabel([4, 0]), xxyy: momentLabel([2, 2]), yyyy: momentLabel([0, 4]), M: momentLabel([0, 0]) };
    const bi = (k: number): KernelMoments => moments2d(4, { [labels.M]: 1, [labels.xxxx]: -k, [labels.xxyy]: -2 * k, [labels.yyyy]: -k });
    expect(layerPhysics(bi(K)).hyperDiffusionReading).toEqual(['smoothing']);
    expect(layerPhysics(bi(-K)).hyperDiffusionReading).toEqual(['anti-smoothing']);
    // −K(∂x⁴ + ∂y⁴) + 6K ∂x²∂y²: the quartic form is −K along the axes, −K/4 − K/4 + 6K/4 = K > 0 on the diagonal
    const saddle = moments2d(4, { [labels.M]: 1, [labels.xxxx]: -K, [labels.yyyy]: -K, [labels.xxyy]: 6 * K });
    expect(layerPhysics(saddle).hyperDiffusionReading).toEqual(['mixed']);
    // the terms come back as c_α = W_α/α!
    const p = layerPhysics(bi(K));
    expect(p.hyperDiffusion.find((t) => t.label === labels.xxyy)!.coefficient[0]).toBeCloseTo(-2 * K, 14);
    expect(p.hyperDiffusion).toHaveLength(5);
  });

  it("reads a missing or diverging moment as NaN and 'undetermined', never as 0", () => {
    const Mxy = momentLabel([1, 1]);
    const Mx = momentLabel([1, 0]);
    const m = moments2d(2, { [momentLabel([0, 0])]: 1, [momentLabel([2, 0])]: 0.2, [momentLabel([0, 2])]: 0.2 }, [Mxy, Mx]);
    const p = layerPhysics(m);
    expect(Number.isNaN(p.advection[0]![0]!)).toBe(true);
    expect(p.advection[1]![0]).toBe(0);
    expect(Number.isNaN(p.diffusion[0]![1]![0]!)).toBe(true);
    expect(p.diffusionReading).toEqual(['undetermined']);
    const diverging = moments2d(2, { [momentLabel([0, 0])]: 1, [momentLabel([2, 0])]: Infinity, [momentLabel([0, 2])]: 0.2 });
    expect(layerPhysics(diverging).diffusionReading).toEqual(['undetermined']);
    expect(() => layerPhysics({ dims: 1, sites: 1, order: 1, moments: [] })).toThrow(RangeError);
  });
});

describe('stencilAmplification', () => {
  it('gives the heat step [r, 1 − 2r, r] amplification max(1, |1 − 4r|): stable exactly for r ≤ 1/2 (theory §7)', () => {
    for (const r of [0.1, 0.25, 0.5, 0.6, 0.8]) {
      const g = stencilAmplification(
        [
          { w: r, r: [-1] },
          { w: 1 - 2 * r, r: [0] },
          { w: r, r: [1] },
        ],
        1,
      );
      expect(g).toBeCloseTo(Math.max(1, Math.abs(1 - 4 * r)), 12);
    }
  });

  it('gives the 2-D 5-point step max(1, |1 − 8r|): stable for r ≤ 1/4; relaxation ω = 1/2 halves the excursion', () => {
    const five = (r: number) => [
      { w: 1 - 4 * r, r: [0, 0] },
      { w: r, r: [1, 0] },
      { w: r, r: [-1, 0] },
      { w: r, r: [0, 1] },
      { w: r, r: [0, -1] },
    ];
    expect(stencilAmplification(five(0.25), 2)).toBeCloseTo(1, 12);
    expect(stencilAmplification(five(0.3), 2)).toBeCloseTo(1.4, 12);
    // (1 − ω) + ω(1 − 8r) at k = (π, π): 0.5 + 0.5·(−1.4) = −0.2, and 1 at k = 0
    expect(stencilAmplification(five(0.3), 2, 0.5, 0.5)).toBeCloseTo(1, 12);
  });
});
