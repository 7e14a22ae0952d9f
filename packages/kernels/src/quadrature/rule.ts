/** The local basis φ of theory §5: `delta` (point values), `hat` (piecewise linear) or `gaussian`. */
export type QuadratureBasis = 'delta' | 'hat' | 'gaussian';

/** Gauss–Legendre quadrature order Q: nodes per axis. */
export type QuadratureOrder = 1 | 2 | 3;

/** A one-dimensional quadrature rule on the cell `[−½, ½]` (grid units). */
export interface QuadratureRule {
  /** Node displacements `d_k` from the data point, in grid units. */
  readonly nodes: readonly number[];
  /** Weights `p_k`, summing to the cell length 1. */
  readonly weights: readonly number[];
}

/**
 * The Q-node Gauss–Legendre rule on the cell `[−½, ½]` around a grid point
 * (exact for polynomials of degree 2Q − 1; weights sum to the cell length 1).
 * For odd Q the central node is `d_0 = 0`, as in the note.
 *
 * @param order - Q = 1, 2 or 3.
 *
 * @example
 * ```ts
 * gaussLegendreCell(3); // nodes [0, −0.387, 0.387], weights [4/9, 5/18, 5/18]
 * ```
 */
export function gaussLegendreCell(order: QuadratureOrder): QuadratureRule {
  switch (order) {
    case 1:
      return { nodes: [0], weights: [1] };
    case 2: {
      const d = 1 / (2 * Math.sqrt(3));
      return { nodes: [-d, d], weights: [0.5, 0.5] };
    }
    case 3: {
      const d = Math.sqrt(3 / 5) / 2;
      return { nodes: [0, -d, d], weights: [4 / 9, 5 / 18, 5 / 18] };
    }
  }
}

/** How far from its centre a Gaussian basis function is kept, in standard deviations (φ(4σ) ≈ 3.4e-4). */
export const GAUSSIAN_TRUNCATION = 4;

/**
 * The one-dimensional basis function φ(r), normalized to φ(0) = 1 so that a
 * node on a data point sees that point's value with weight 1:
 *
 * - `delta`: 1 at r = 0, else 0 (the ordinary layer: W sampled at the data points);
 * - `hat`: max(0, 1 − |r| / width) (width 1 = linear interpolation between neighbours);
 * - `gaussian`: exp(−r² / (2 width²)), cut to 0 beyond {@link GAUSSIAN_TRUNCATION} widths.
 *
 * @param basis - Which φ.
 * @param width - Hat half-width or Gaussian standard deviation, grid units.
 * @returns φ as a function and the radius outside which it vanishes.
 */
export function basisFunction(
  basis: QuadratureBasis,
  width: number,
): {
  /** φ(r), r in grid units. */
  readonly phi: (r: number) => number;
  /** Radius outside which φ is 0 (grid units). */
  readonly support: number;
} {
  switch (basis) {
    case 'delta':
      return { phi: (r) => (r === 0 ? 1 : 0), support: 0 };
    case 'hat':
      return { phi: (r) => Math.max(0, 1 - Math.abs(r) / width), support: width };
    case 'gaussian': {
      const cut = GAUSSIAN_TRUNCATION * width;
      return { phi: (r) => (Math.abs(r) > cut ? 0 : Math.exp(-(r * r) / (2 * width * width))), support: cut };
    }
  }
}

/** The taps of the per-axis quadrature operator R: `(R v)_i = Σ_m taps[m] v_{i+m}`. */
export interface AxisTaps {
  /** Integer offsets m (ascending). */
  readonly offsets: readonly number[];
  /** Tap c_m for each offset. */
  readonly taps: readonly number[];
}

/**
 * Taps of the one-axis operator R of the quadrature-augmented update:
 *
 *     c_m = Σ_k p_k φ(d_k) φ(d_k − m)
 *
 * (node weight `Φ^k = p_k φ(d_k)` times the basis function of the data point
 * at offset m, evaluated at node k), divided by `Σ_m c_m` when `normalize` is
 * set, so that R reproduces constants. Taps below 1e-12 of the largest are dropped.
 *
 * @param rule - Nodes and weights on the cell.
 * @param basis - The basis φ.
 * @param width - Hat half-width or Gaussian standard deviation, grid units.
 * @param normalize - Scale the taps to sum to 1.
 *
 * @example
 * ```ts
 * quadratureTaps(gaussLegendreCell(1), 'hat', 1, true); // { offsets: [0], taps: [1] }: the plain update
 * ```
 */
export function quadratureTaps(rule: QuadratureRule, basis: QuadratureBasis, width: number, normalize: boolean): AxisTaps {
  const { phi, support } = basisFunction(basis, width);
  const reach = Math.ceil(support + 0.5);
  const raw: { m: number; c: number }[] = [];
  for (let m = -reach; m <= reach; m++) {
    let c = 0;
    rule.nodes.forEach((d, k) => (c += rule.weights[k]! * phi(d) * phi(d - m)));
    raw.push({ m, c });
  }
  const largest = Math.max(...raw.map((e) => Math.abs(e.c)));
  const kept = raw.filter((e) => Math.abs(e.c) > 1e-12 * largest);
  const total = normalize ? kept.reduce((s, e) => s + e.c, 0) : 1;
  return { offsets: kept.map((e) => e.m), taps: kept.map((e) => e.c / total) };
}
