import { gridShape, siteCount, stencilOffsets, tapCount, type StencilBoundary, type StencilGeometry } from './config.js';

const mod = (a: number, n: number): number => ((a % n) + n) % n;

/**
 * The neighbour table of a stencil: entry `s·K + k` is the site that tap k of site s
 * reads, or −1 where a `zero` boundary reads 0 (outside the grid). A `periodic`
 * boundary wraps each axis (modulo its length, so on grids narrower than the
 * stencil several taps may read the same site). Length S·K.
 */
export function stencilNeighbourTable(geometry: StencilGeometry, boundary: StencilBoundary): Int32Array {
  const [H, W] = gridShape(geometry);
  const S = siteCount(geometry);
  const K = tapCount(geometry);
  const offsets = stencilOffsets(geometry);
  const table = new Int32Array(S * K);
  for (let i = 0; i < H; i++) {
    for (let j = 0; j < W; j++) {
      const s = i * W + j;
      for (let k = 0; k < K; k++) {
        const [di, dj] = offsets[k]!;
        let ni = i + di;
        let nj = j + dj;
        if (boundary === 'periodic') {
          ni = mod(ni, H);
          nj = mod(nj, W);
          table[s * K + k] = ni * W + nj;
        } else {
          table[s * K + k] = ni >= 0 && ni < H && nj >= 0 && nj < W ? ni * W + nj : -1;
        }
      }
    }
  }
  return table;
}
