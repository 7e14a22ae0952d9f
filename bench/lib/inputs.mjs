/**
 * Deterministic float32 inputs of one benchmark case, shared by every column,
 * and the neighbour table the JavaScript loop uses (core's).
 */

// The seeded generator is core's `seededRandom` (mulberry32), from the built 'npde'
// (the neighbour table from its internal entry, `@npde/core/internal`).
// Imported here without failing when 'npde' is not built, so that bench/run.js can
// still say so (and how to build it) when its own import of 'npde' fails.
const { seededRandom, stencilOffsets, gridShape } = await import('npde').catch(() => ({}));
const { stencilNeighbourTable } = await import('@npde/core/internal').catch(() => ({}));

/** The neighbour table, tap offsets and grid shape are core's (`stencilNeighbourTable`, `stencilOffsets`, `gridShape`). */
export const neighbourTable = (geometry, boundary) => stencilNeighbourTable(geometry, boundary);

/**
 * One case: `{ dims: 1, B, sites }` (heterogeneous 3-tap, radius 1) or
 * `{ dims: 2, B, height, width }` (5-point), periodic, tanh, ω = 0.5.
 */
export function makeCase(spec, seed = 12345) {
  const geometry =
    spec.dims === 1 ? { dims: 1, sites: spec.sites, radius: 1 } : { dims: 2, height: spec.height, width: spec.width, points: 5 };
  const config = { geometry, boundary: 'periodic', activation: 'tanh' };
  const [H, W] = gridShape(geometry);
  const S = H * W;
  const offsets = stencilOffsets(geometry);
  const K = offsets.length;
  const B = spec.B;
  const name = spec.dims === 1 ? `1d-3tap ${B}x${S}` : `2d-5pt ${B}x${H}x${W}`;
  const r = seededRandom(seed + 7919 * S + B);
  const z = new Float32Array(B * S);
  for (let i = 0; i < z.length; i++) z[i] = 2 * r() - 1;
  // Heterogeneous taps: a diffusion-like stencil whose coefficients vary by site,
  // so that u = W z − b stays O(1) and tanh is not saturated.
  const taps = new Float32Array(S * K);
  const centre = offsets.findIndex(([di, dj]) => di === 0 && dj === 0);
  for (let s = 0; s < S; s++) {
    for (let k = 0; k < K; k++) {
      taps[s * K + k] = k === centre ? 0.2 + 0.6 * r() : 0.1 + 0.4 * r();
    }
  }
  const bias = new Float32Array(S);
  for (let s = 0; s < S; s++) bias[s] = 0.2 * r() - 0.1;
  const dy = new Float32Array(B * S); // the weights w of the loss sum(w ⊙ output)
  for (let i = 0; i < dy.length; i++) dy[i] = 2 * r() - 1;
  const omega = 0.5;
  return { name, spec, geometry, config, H, W, S, K, B, offsets, z, taps, bias, dy, omega };
}

/** W as a dense [S, S] row-major matrix (W[s, nb(s,k)] += taps[s,k]). */
export function denseMatrix(c) {
  const nb = neighbourTable(c.geometry, c.config.boundary);
  const Wd = new Float32Array(c.S * c.S);
  for (let s = 0; s < c.S; s++) {
    for (let k = 0; k < c.K; k++) {
      const n = nb[s * c.K + k];
      if (n >= 0) Wd[s * c.S + n] += c.taps[s * c.K + k];
    }
  }
  return Wd;
}
