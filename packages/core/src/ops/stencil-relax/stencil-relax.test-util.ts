/**
 * Test helpers for the stencil-relaxation op: the cases, seeded data, and two
 * references that share no code with the op (a float64 plain-JavaScript loop over the
 * offset table, and a dense W [S, S] run through tfjs matMul).
 */
import { seededRandom } from '../../random/seeded-random.js';
import { tf, type Scalar, type Tensor, type Tensor2D } from '../../tensor/tf.js';
import { STENCIL_ACTIVATIONS, STENCIL_BOUNDARIES, stencilOffsets, type StencilActivation, type StencilGeometry, type StencilRelaxConfig } from './config.js';

export const GEOMETRIES: readonly StencilGeometry[] = [
  { dims: 1, sites: 11, radius: 1 },
  { dims: 1, sites: 11, radius: 2 },
  { dims: 1, sites: 9, radius: 3 },
  { dims: 2, height: 4, width: 5, points: 5 },
  { dims: 2, height: 4, width: 5, points: 9 },
];

/** Grids smaller than the stencil: periodic taps alias, zero taps fall wholly outside. */
export const EDGE_GEOMETRIES: readonly StencilGeometry[] = [
  { dims: 1, sites: 2, radius: 3 },
  { dims: 1, sites: 5, radius: 3 },
  { dims: 2, height: 1, width: 3, points: 9 },
  { dims: 2, height: 2, width: 2, points: 5 },
];

export const BATCH = 3;

export function describeGeometry(g: StencilGeometry): string {
  return g.dims === 1 ? `1-D S=${g.sites} r=${g.radius}` : `2-D ${g.height}x${g.width} ${g.points}-point`;
}

/** Every geometry × boundary × activation. */
export function allConfigs(geometries: readonly StencilGeometry[] = GEOMETRIES): StencilRelaxConfig[] {
  const out: StencilRelaxConfig[] = [];
  for (const geometry of geometries) for (const boundary of STENCIL_BOUNDARIES) for (const activation of STENCIL_ACTIVATIONS) out.push({ geometry, boundary, activation });
  return out;
}

export function dims(g: StencilGeometry): { H: number; W: number; S: number; K: number } {
  const [H, W] = g.dims === 1 ? [1, g.sites] : [g.height, g.width];
  return { H, W, S: H * W, K: stencilOffsets(g).length };
}

/** Seeded float32 data for one case, as plain arrays (exactly the tensors' values). */
export interface CaseData {
  z: number[];
  taps: number[];
  bias: number[];
  w: number[];
}

export function caseData(g: StencilGeometry, seed: number, batch = BATCH): CaseData {
  const rand = seededRandom(seed);
  const { S, K } = dims(g);
  const u = (n: number, scale: number) => Array.from({ length: n }, () => Math.fround((2 * rand() - 1) * scale));
  return { z: u(batch * S, 1.5), taps: u(S * K, 0.8), bias: u(S, 0.4), w: u(batch * S, 1) };
}

export interface CaseTensors {
  z: Tensor2D;
  taps: Tensor2D;
  omega: Scalar;
  bias: tf.Tensor1D;
  w: Tensor2D;
}

export function caseTensors(g: StencilGeometry, d: CaseData, omega: number, batch = BATCH): CaseTensors {
  const { S, K } = dims(g);
  return {
    z: tf.tensor2d(d.z, [batch, S]),
    taps: tf.tensor2d(d.taps, [S, K]),
    omega: tf.scalar(omega),
    bias: tf.tensor1d(d.bias),
    w: tf.tensor2d(d.w, [batch, S]),
  };
}

const mod = (a: number, n: number): number => ((a % n) + n) % n;

/** The site tap k of site (i, j) reads, or −1 (outside, zero boundary). Written independently of the op. */
function neighbour(cfg: StencilRelaxConfig, i: number, j: number, k: number): number {
  const { H, W } = dims(cfg.geometry);
  const [di, dj] = stencilOffsets(cfg.geometry)[k]!;
  const ni = i + di;
  const nj = j + dj;
  if (cfg.boundary === 'periodic') return mod(ni, H) * W + mod(nj, W);
  return ni < 0 || ni >= H || nj < 0 || nj >= W ? -1 : ni * W + nj;
}

function f64(activation: StencilActivation, u: number): number {
  switch (activation) {
    case 'identity':
      return u;
    case 'tanh':
      return Math.tanh(u);
    case 'relu':
      return Math.max(0, u);
    case 'sigmoid':
      return 1 / (1 + Math.exp(-u));
    case 'softplus':
      return Math.log(1 + Math.exp(u));
  }
}

/** z' in float64 plain JavaScript, explicit loops over the offset table. */
export function naiveStencilRelax(cfg: StencilRelaxConfig, d: CaseData, omega: number, batch = BATCH): Float64Array {
  const { H, W, S, K } = dims(cfg.geometry);
  const out = new Float64Array(batch * S);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < H; i++) {
      for (let j = 0; j < W; j++) {
        const s = i * W + j;
        let u = -d.bias[s]!;
        for (let k = 0; k < K; k++) {
          const n = neighbour(cfg, i, j, k);
          if (n >= 0) u += d.taps[s * K + k]! * d.z[b * S + n]!;
        }
        out[b * S + s] = (1 - omega) * d.z[b * S + s]! + omega * f64(cfg.activation, u);
      }
    }
  }
  return out;
}

/** W as a dense [S, S] matrix: W[s, n] = Σ of the taps of site s that read site n. */
export function denseW(cfg: StencilRelaxConfig, taps: readonly number[]): Float32Array {
  const { H, W, S, K } = dims(cfg.geometry);
  const m = new Float64Array(S * S);
  for (let i = 0; i < H; i++) {
    for (let j = 0; j < W; j++) {
      const s = i * W + j;
      for (let k = 0; k < K; k++) {
        const n = neighbour(cfg, i, j, k);
        if (n >= 0) m[s * S + n] += taps[s * K + k]!;
      }
    }
  }
  return new Float32Array(m);
}

/** (1 − ω) z + ω f(z Wᵀ − b) with tfjs ops on the dense W. */
export function denseStencilRelax(cfg: StencilRelaxConfig, t: CaseTensors, wDense: Float32Array): Tensor {
  return tf.tidy(() => {
    const S = t.z.shape[1];
    const Wm = tf.tensor2d(wDense, [S, S]);
    const u = tf.sub(tf.matMul(t.z, Wm, false, true), t.bias);
    const a =
      cfg.activation === 'identity'
        ? u
        : cfg.activation === 'tanh'
          ? tf.tanh(u)
          : cfg.activation === 'relu'
            ? tf.relu(u)
            : cfg.activation === 'sigmoid'
              ? tf.sigmoid(u)
              : tf.softplus(u);
    return tf.add(tf.mul(tf.sub(1, t.omega), t.z), tf.mul(t.omega, a));
  });
}

/** max |a − b| / max(max |b|, floor). */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-3): number {
  let diff = 0;
  let scale = floor;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  if (a.length !== b.length) return Infinity;
  return diff / scale;
}

/** max |a − b|. */
export function absError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0;
  for (let i = 0; i < b.length; i++) diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
  return diff;
}
