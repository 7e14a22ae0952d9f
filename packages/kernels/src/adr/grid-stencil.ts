import { multiIndices } from '@npde/core';
import { footprint, type GridOffset } from '../stencil/index.js';
import type { AdrDiffusion } from './options.js';

const AXES = ['x', 'y', 'z'] as const;

/**
 * The finite-difference form of the d-dimensional ADR operator on a grid of
 * spacing Δ, as constant tap weights per coefficient component: the tap of
 * offset k for one channel is
 *
 *     T_k = const_k + Σ_a U_a · uCoef[k][a] + Σ_c D_c · dCoef[k][c]  (+ R at the centre)
 *
 * with the 1-D family's conventions carried to each axis a (unit vector e_a):
 * advection `±e_a: ±U_a/(2Δ)` (so the first moment is `U_a/Δ`); diagonal
 * diffusion `±e_a: D_aa/Δ²`, centre `−2D_aa/Δ²`; a cross component D_ab
 * (a < b, standing for D_ab = D_ba) `o_a·o_b·D_ab/(2Δ²)` at the four corners
 * `o = ±e_a ± e_b`, i.e. `2D_ab ∂_a∂_b` by central differences (so the second
 * moments are `M_{e_a+e_b} = 2D_ab/Δ²`).
 */
export interface AdrGridStencil {
  /** Tap offsets in tap order (the `footprint` order: core's fused-op order where it fuses). */
  readonly offsets: readonly GridOffset[];
  /** Index of the centre tap in `offsets`. */
  readonly centre: number;
  /** Names of the advection components: `U` in 1-D, else `Ux`, `Uy`, `Uz`. */
  readonly uNames: readonly string[];
  /** Names of the diffusion components: `D` (1-D or isotropic), `Dxx`, `Dyy`, … (diagonal), `Dxx`, `Dxy`, … (tensor). */
  readonly dNames: readonly string[];
  /** Whether each diffusion component is on the diagonal of D (its initial value is `init.D`, else 0). */
  readonly dDiagonal: readonly boolean[];
  /** `uCoef[k * d + a]`. */
  readonly uCoef: Float64Array;
  /** `dCoef[k * nD + c]`. */
  readonly dCoef: Float64Array;
  /** `constant[k]`: 1 at the centre (the identity of W = I + …), else 0. */
  readonly constant: Float64Array;
}

/**
 * The {@link AdrGridStencil} of a d-dimensional grid: the 3-point stencil in
 * 1-D, the (2d + 1)-point cross for `isotropic` / `diagonal` diffusion, the 3^d
 * box for a `tensor` (cross terms need the corners).
 *
 * @param dims - 1, 2 or 3.
 * @param diffusion - Components of D.
 * @param dx - Grid spacing Δ.
 *
 * @example
 * ```ts
 * const st = adrGridStencil(2, 'isotropic', 1);
 * st.offsets; // [[-1, 0], [0, -1], [0, 0], [0, 1], [1, 0]]: the 5-point Laplacian's footprint
 * ```
 */
export function adrGridStencil(dims: number, diffusion: AdrDiffusion, dx: number): AdrGridStencil {
  const mode: AdrDiffusion = dims === 1 ? 'isotropic' : diffusion;
  const offsets = footprint(dims, 1, mode === 'tensor' ? 'box' : 'cross');
  const K = offsets.length;
  const key = (o: readonly number[]) => o.join(',');
  const index = new Map(offsets.map((o, k) => [key(o), k]));
  const at = (o: readonly number[]) => index.get(key(o))!;
  const unit = (a: number, s: number) => Array.from({ length: dims }, (_, i) => (i === a ? s : 0));
  const centre = at(new Array<number>(dims).fill(0));
  const uNames = dims === 1 ? ['U'] : AXES.slice(0, dims).map((x) => `U${x}`);
  // diffusion components as (a, b) pairs, a ≤ b
  let pairs: [number, number][][];
  let dNames: string[];
  if (mode === 'isotropic') {
    pairs = [Array.from({ length: dims }, (_, a) => [a, a] as [number, number])];
    dNames = ['D'];
  } else if (mode === 'diagonal') {
    pairs = Array.from({ length: dims }, (_, a) => [[a, a] as [number, number]]);
    dNames = AXES.slice(0, dims).map((x) => `D${x}${x}`);
  } else {
    const second = multiIndices(dims, 2).filter((alpha) => alpha.reduce((s, v) => s + v, 0) === 2);
    pairs = second.map((alpha) => {
      const axes = alpha.flatMap((k, a) => new Array<number>(k).fill(a));
      return [[axes[0]!, axes[1]!] as [number, number]];
    });
    dNames = pairs.map((p) => `D${AXES[p[0]![0]]}${AXES[p[0]![1]]}`);
  }
  const nD = pairs.length;
  const uCoef = new Float64Array(K * dims);
  const dCoef = new Float64Array(K * nD);
  const constant = new Float64Array(K);
  constant[centre] = 1;
  for (let a = 0; a < dims; a++) {
    uCoef[at(unit(a, 1)) * dims + a] = 1 / (2 * dx);
    uCoef[at(unit(a, -1)) * dims + a] = -1 / (2 * dx);
  }
  const h2 = dx * dx;
  pairs.forEach((component, c) => {
    for (const [a, b] of component) {
      if (a === b) {
        dCoef[at(unit(a, 1)) * nD + c] += 1 / h2;
        dCoef[at(unit(a, -1)) * nD + c] += 1 / h2;
        dCoef[centre * nD + c] -= 2 / h2;
      } else {
        for (const sa of [1, -1]) {
          for (const sb of [1, -1]) {
            const o = new Array<number>(dims).fill(0);
            o[a] = sa;
            o[b] = sb;
            dCoef[at(o) * nD + c] += (sa * sb) / (2 * h2);
          }
        }
      }
    }
  });
  const dDiagonal = pairs.map((component) => component.every(([a, b]) => a === b));
  return { offsets, centre, uNames, dNames, dDiagonal, uCoef, dCoef, constant };
}
