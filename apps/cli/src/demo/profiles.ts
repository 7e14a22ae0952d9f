/**
 * The known heterogeneous ADR coefficients the demo generates data from:
 * smooth, non-constant profiles over a periodic grid of N sites, in grid
 * units (Δ = 1, coefficients of order 0.1; theory §8).
 */
export interface AdrProfiles {
  /** Advection speed U(q) per site. */
  readonly U: number[];
  /** Diffusion coefficient D(q) per site. */
  readonly D: number[];
  /** Reaction rate R(q) per site. */
  readonly R: number[];
}

/** The demo's true U(q), D(q), R(q) on N sites. */
export function trueProfiles(N: number): AdrProfiles {
  const q = Array.from({ length: N }, (_, i) => (2 * Math.PI * i) / N);
  return {
    U: q.map((t) => 0.3 + 0.2 * Math.sin(t)),
    D: q.map((t) => 0.2 + 0.1 * Math.cos(t)),
    R: q.map((t) => -0.1 + 0.05 * Math.sin(2 * t)),
  };
}

/** Relative L2 error ‖a − b‖ / ‖b‖. */
export function relL2(a: readonly number[], b: readonly number[]): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return Math.sqrt(num / den);
}
