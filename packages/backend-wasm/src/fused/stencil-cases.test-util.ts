/**
 * Shared cases and checks of the fused-kernel specs (zero-copy and copy mode run the
 * same ones, each in its own process).
 */
import { expect } from 'vitest';
import { STENCIL_ACTIVATIONS, STENCIL_BOUNDARIES, seededRandom, stencilOffsets, stencilRelax, stencilRelaxReference, tf } from '@npde/core';
import type { Scalar, StencilGeometry, StencilRelaxConfig, Tensor, Tensor2D } from '@npde/core';
import { stencilRelaxFloat64 } from './float64-reference.js';

/** Widths with SIMD bodies and scalar tails (W mod 4 ≠ 0), and several rows. */
export const GEOMETRIES: readonly StencilGeometry[] = [
  { dims: 1, sites: 11, radius: 1 },
  { dims: 1, sites: 37, radius: 2 },
  { dims: 1, sites: 13, radius: 3 },
  { dims: 2, height: 4, width: 9, points: 5 },
  { dims: 2, height: 5, width: 8, points: 9 },
];

/** Grids smaller than the stencil: periodic taps alias (several wraps), zero taps fall outside. */
export const EDGE_GEOMETRIES: readonly StencilGeometry[] = [
  { dims: 1, sites: 2, radius: 3 },
  { dims: 1, sites: 1, radius: 1 },
  { dims: 1, sites: 5, radius: 3 },
  { dims: 2, height: 1, width: 3, points: 9 },
  { dims: 2, height: 3, width: 1, points: 5 },
  { dims: 2, height: 2, width: 2, points: 9 },
];

export const BATCH = 3;

export function geometryName(g: StencilGeometry): string {
  return g.dims === 1 ? `1-D S=${g.sites} r=${g.radius}` : `2-D ${g.height}x${g.width} ${g.points}-point`;
}

/** Every geometry × boundary × activation. */
export function allConfigs(geometries: readonly StencilGeometry[]): StencilRelaxConfig[] {
  const out: StencilRelaxConfig[] = [];
  for (const geometry of geometries) for (const boundary of STENCIL_BOUNDARIES) for (const activation of STENCIL_ACTIVATIONS) out.push({ geometry, boundary, activation });
  return out;
}

export function sizesOf(g: StencilGeometry): { S: number; K: number } {
  return { S: g.dims === 1 ? g.sites : g.height * g.width, K: stencilOffsets(g).length };
}

export interface CaseData {
  readonly z: Float32Array;
  readonly taps: Float32Array;
  readonly omega: number;
  readonly bias: Float32Array;
  readonly dy: Float32Array;
}

/** Seeded float32 data: u spans both signs (relu's kink, softplus' two branches). */
export function caseData(g: StencilGeometry, seed: number, batch = BATCH): CaseData {
  const rand = seededRandom(seed);
  const { S, K } = sizesOf(g);
  const u = (n: number, scale: number) => Float32Array.from({ length: n }, () => (2 * rand() - 1) * scale);
  return { z: u(batch * S, 1.5), taps: u(S * K, 0.8), omega: Math.fround(0.3 + 0.6 * rand()), bias: u(S, 0.4), dy: u(batch * S, 1) };
}

export interface CaseTensors {
  readonly z: Tensor2D;
  readonly taps: Tensor2D;
  readonly omega: Scalar;
  readonly bias: tf.Tensor1D;
  readonly dy: Tensor2D;
}

export function caseTensors(g: StencilGeometry, d: CaseData, batch = BATCH): CaseTensors {
  const { S, K } = sizesOf(g);
  return {
    z: tf.tensor2d(d.z, [batch, S]),
    taps: tf.tensor2d(d.taps, [S, K]),
    omega: tf.scalar(d.omega),
    bias: tf.tensor1d(d.bias),
    dy: tf.tensor2d(d.dy, [batch, S]),
  };
}

/** Forward and the four gradients (through `tf.grads` with `dy` as the upstream gradient). */
export function forwardAndGrads(
  op: typeof stencilRelax,
  t: CaseTensors,
  config: StencilRelaxConfig,
): { out: Float32Array; dz: Float32Array; dtaps: Float32Array; domega: Float32Array; dbias: Float32Array } {
  return tf.tidy(() => {
    const out = op(t.z, t.taps, t.omega, t.bias, config);
    const f = (z: Tensor, taps: Tensor, omega: Tensor, bias: Tensor) => op(z as Tensor2D, taps as Tensor2D, omega as Scalar, bias as tf.Tensor1D, config);
    const [dz, dtaps, domega, dbias] = tf.grads(f)([t.z, t.taps, t.omega, t.bias], t.dy);
    const read = (x: Tensor) => x.dataSync() as Float32Array;
    return { out: read(out), dz: read(dz!), dtaps: read(dtaps!), domega: read(domega!), dbias: read(dbias!) };
  });
}

/** Largest |a − b|. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    m = Number.isNaN(d) ? Infinity : Math.max(m, d);
  }
  return m;
}

/**
 * The fused kernels (through `stencilRelax`) against the op path (`stencilRelaxReference`)
 * and against float64 JavaScript, forward and all four gradients, to 1e-5 absolute
 * (domega: 1e-5 relative to its size when that is above 1).
 */
export function expectFusedMatchesReferences(config: StencilRelaxConfig, seed: number): void {
  const d = caseData(config.geometry, seed);
  const t = caseTensors(config.geometry, d);
  try {
    const fused = forwardAndGrads(stencilRelax, t, config);
    const ops = forwardAndGrads(stencilRelaxReference, t, config);
    const f64 = stencilRelaxFloat64(d, config, BATCH, d.dy);
    const pairs: [string, ArrayLike<number>, ArrayLike<number>, ArrayLike<number>][] = [
      ['forward', fused.out, ops.out, f64.out],
      ['dz', fused.dz, ops.dz, f64.grads.dz],
      ['dtaps', fused.dtaps, ops.dtaps, f64.grads.dtaps],
      ['domega', fused.domega, ops.domega, [f64.grads.domega]],
      ['dbias', fused.dbias, ops.dbias, f64.grads.dbias],
    ];
    for (const [name, got, opPath, exact] of pairs) {
      // domega sums B·S terms: the op path adds them in float32, so its rounding grows with
      // the sum's size; compare it relative to its magnitude (1e-5 absolute below 1).
      const tol = name === 'domega' ? 1e-5 * Math.max(1, Math.abs(exact[0]!)) : 1e-5;
      expect(maxAbsDiff(got, opPath), `${name} vs op path`).toBeLessThanOrEqual(tol);
      expect(maxAbsDiff(got, exact), `${name} vs float64`).toBeLessThanOrEqual(tol);
    }
  } finally {
    tf.dispose(Object.values(t));
  }
}
