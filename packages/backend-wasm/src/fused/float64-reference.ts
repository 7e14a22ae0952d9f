import { stencilNeighbourTable, type StencilActivation, type StencilRelaxConfig } from '@npde/core';

/** Plain arrays of one stencil-relaxation step (row-major, as the tensors hold them). */
export interface StencilArrays {
  /** `[B, S]`. */
  readonly z: ArrayLike<number>;
  /** `[S, K]`. */
  readonly taps: ArrayLike<number>;
  /** ω. */
  readonly omega: number;
  /** `[S]`. */
  readonly bias: ArrayLike<number>;
}

/** The four gradients of one step. */
export interface StencilGradArrays {
  /** `[B, S]`. */
  readonly dz: Float64Array;
  /** `[S, K]`. */
  readonly dtaps: Float64Array;
  /** Scalar. */
  readonly domega: number;
  /** `[S]`. */
  readonly dbias: Float64Array;
}

function act(a: StencilActivation, u: number): number {
  switch (a) {
    case 'identity':
      return u;
    case 'tanh':
      return Math.tanh(u);
    case 'relu':
      return u > 0 ? u : 0;
    case 'sigmoid':
      return 1 / (1 + Math.exp(-u));
    case 'softplus':
      return Math.max(u, 0) + Math.log1p(Math.exp(-Math.abs(u)));
  }
}

function dact(a: StencilActivation, u: number, y: number): number {
  switch (a) {
    case 'identity':
      return 1;
    case 'tanh':
      return 1 - y * y;
    case 'relu':
      return u > 0 ? 1 : 0;
    case 'sigmoid':
      return y * (1 - y);
    case 'softplus':
      return 1 / (1 + Math.exp(-u));
  }
}

/**
 * The contract's forward and backward formulas in plain float64 JavaScript, through
 * core's neighbour table: an independent check of the WASM kernels (their self-test
 * at load time uses it) and of the op path. `dy` defaults to all ones.
 */
export function stencilRelaxFloat64(
  x: StencilArrays,
  config: StencilRelaxConfig,
  batch: number,
  dy?: ArrayLike<number>,
): { out: Float64Array; grads: StencilGradArrays } {
  const table = stencilNeighbourTable(config.geometry, config.boundary);
  const S = x.bias.length;
  const K = table.length / S;
  const out = new Float64Array(batch * S);
  const dz = new Float64Array(batch * S);
  const dtaps = new Float64Array(S * K);
  const dbias = new Float64Array(S);
  let domega = 0;
  const w = x.omega;
  for (let b = 0; b < batch; b++) {
    const row = b * S;
    for (let s = 0; s < S; s++) {
      let u = 0;
      for (let k = 0; k < K; k++) {
        const n = table[s * K + k]!;
        if (n >= 0) u += x.taps[s * K + k]! * x.z[row + n]!;
      }
      u -= x.bias[s]!;
      const a = act(config.activation, u);
      const zs = x.z[row + s]!;
      out[row + s] = (1 - w) * zs + w * a;
      const d = dy ? dy[row + s]! : 1;
      const g = w * d * dact(config.activation, u, a);
      domega += (a - zs) * d;
      dbias[s] -= g;
      dz[row + s] += (1 - w) * d;
      for (let k = 0; k < K; k++) {
        const n = table[s * K + k]!;
        if (n < 0) continue;
        dtaps[s * K + k] += g * x.z[row + n]!;
        dz[row + n] += x.taps[s * K + k]! * g;
      }
    }
  }
  return { out, grads: { dz, dtaps, domega, dbias } };
}
