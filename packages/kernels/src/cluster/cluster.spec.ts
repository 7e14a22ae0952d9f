import { ErrorCodes, NpdeError, findMoment, resolveField, tf, validate, type FieldSpec, type KernelInstance } from '@npde/core';
import { checkKernelFamily } from '@npde/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { kernelMomentsFromDense } from '../moments/dense-moments.js';
import {
  GRADIENT_TOLERANCE,
  finiteDifferences,
  flatParams,
  gradientError,
  mse64,
  randomMatrix,
  relax64,
  seededRandom,
  tfGradient,
  type Matrix64,
} from '../testing/relaxation-reference.test-util.js';
import { cluster } from './cluster.js';
import type { ClusterOptionsInput } from './options.js';
import { clusterVolumes, partitionPoints } from './partition.js';

// Three well-separated groups in 2-D (hand-made): a 10 × 6 box of 5 points, a vertical pair (flat in x), a lone point.
const A = [[0, 0], [10, 0], [0, 6], [10, 6], [5, 3]];
const B = [[20, 20], [20, 26]];
const C = [[40, 10]];
const POINTS = [...A, ...B, ...C];
const LABELS = [0, 0, 0, 0, 0, 1, 1, 2];

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function create(options: ClusterOptionsInput = {}, field: FieldSpec = { points: POINTS }, layers = 2, seed = 3): KernelInstance {
  return cluster.create({ field: resolveField(field), layers, options: validate(cluster.options, options, { path: 'kernel.options' }), seed });
}

describe('cluster: volumes and weights', () => {
  it('boxes, clamped sides, V_c and p_i = V_c / N_c on a hand-made set', () => {
    const p = clusterVolumes(POINTS, LABELS);
    // whole set: L = (40, 26), N = 8 → minimal sides h = (5, 3.25)
    expect(p.minSide).toEqual([5, 3.25]);
    expect(p.clusters).toBe(3);
    expect(p.counts).toEqual([5, 2, 1]);
    // A: 10 × 6 (no clamping); B: x side 0 → 5, y side 6; C: a point → 5 × 3.25
    expect(p.sides).toEqual([[10, 6], [5, 6], [5, 3.25]]);
    expect(p.volumes).toEqual([60, 30, 16.25]);
    expect(p.weights).toEqual([12, 12, 12, 12, 12, 15, 15, 16.25]);
    expect(p.centroids).toEqual([[5, 3], [20, 23], [40, 10]]);
  });

  it('renumbers labels by first appearance and drops empty ones; a constant axis carries no volume', () => {
    const p = clusterVolumes([[1, 5], [3, 5], [2, 5], [9, 5]], [7, 7, 2, 2]);
    expect(p.assignment).toEqual([0, 0, 1, 1]);
    // axis 1 is constant (L = 0): side 1; axis 0: L = 8, h = 2 → sides 2 (clamped) and 7
    expect(p.sides).toEqual([[2, 1], [7, 1]]);
    expect(p.weights).toEqual([1, 1, 3.5, 3.5]);
  });

  it('k-means finds the three groups, for several seeds, and is deterministic in the seed', () => {
    for (const seed of [1, 2, 3, 4]) {
      const p = partitionPoints(POINTS, 3, seed);
      expect(p.assignment).toEqual(LABELS);
      expect(p.volumes).toEqual([60, 30, 16.25]);
    }
    const rand = seededRandom(5);
    const cloud = Array.from({ length: 60 }, () => [rand(), rand(), rand()]);
    expect(partitionPoints(cloud, 6, 9).assignment).toEqual(partitionPoints(cloud, 6, 9).assignment);
  });
});

/** W_ij = K[c(i), c(j)] p_j / V̄ in float64 from a flat K (row-major), for the hand-made set. */
function clusterMatrix64(K: readonly number[], labels: readonly number[], weights: readonly number[], nc: number): Matrix64 {
  const meanVolume = (60 + 30 + 16.25) / 3; // W_ij = K[c(i), c(j)] p_j / V̄
  return labels.map((ci) => labels.map((cj, j) => (K[ci * nc + cj]! * weights[j]!) / meanVolume));
}

describe('cluster: apply, dense and moments', () => {
  it('apply is Σ_j K[c(i), c(j)] p_j z_j (float64 reference), also with two channels', () => {
    const k = create({ clusters: 3, init: 'random', noise: 0.1 }, { points: POINTS, channels: 2 });
    const K = Array.from(k.params['K']!.dataSync());
    const w = clusterMatrix64(K.slice(9, 18), LABELS, [12, 12, 12, 12, 12, 15, 15, 16.25], 3); // layer 1
    const z = randomMatrix(3, 16, seededRandom(2));
    const out = tf.tidy(() => Array.from(k.apply(tf.tensor2d(z), 1).dataSync()));
    let scale = 0;
    let err = 0;
    for (let b = 0; b < 3; b++) {
      for (let i = 0; i < 8; i++) {
        for (let ch = 0; ch < 2; ch++) {
          let ref = 0;
          for (let j = 0; j < 8; j++) ref += w[i]![j]! * z[b]![j * 2 + ch]!;
          scale = Math.max(scale, Math.abs(ref));
          err = Math.max(err, Math.abs(out[b * 16 + i * 2 + ch]! - ref));
        }
      }
    }
    expect(scale).toBeGreaterThan(0.1);
    expect(err).toBeLessThan(1e-5 * scale);
    k.dispose();
  });

  it('mean init: W z is the weighted mean of z over each point\'s cluster', () => {
    const k = create({ clusters: 3, noise: 0 });
    const z = [[1, 2, 3, 4, 5, 10, 20, 7]];
    const out = tf.tidy(() => Array.from(k.apply(tf.tensor2d(z), 0).dataSync()));
    const expected = [3, 3, 3, 3, 3, 15, 15, 7];
    out.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
    k.dispose();
  });

  it('moments equal the coordinate moments of dense() (per-cluster power sums vs the N² sum)', () => {
    const rand = seededRandom(4);
    const cloud = Array.from({ length: 30 }, () => [3 * rand(), rand() - 5, 2 * rand()]);
    const field = resolveField({ points: cloud });
    const k = create({ clusters: 5, init: 'random' }, { points: cloud }, 1);
    const w = k.dense!(0);
    const ref = kernelMomentsFromDense(w.dataSync(), field, 3);
    w.dispose();
    const m = k.moments!(0, 3);
    expect(m.moments.map((e) => e.label)).toEqual(ref.moments.map((e) => e.label));
    m.moments.forEach((e, idx) => {
      const r = ref.moments[idx]!.values;
      const scale = Math.max(1, ...r.map(Math.abs));
      e.values.forEach((v, s) => expect(Math.abs(v - r[s]!)).toBeLessThan(1e-5 * scale));
    });
    expect(findMoment(m, 'Mxyz')).toBeDefined();
    k.dispose();
  });

  it('physics() reports the weight p of every point', () => {
    const k = create({ clusters: 3 });
    expect(k.physics!()).toEqual([expect.objectContaining({ name: 'p', values: [[12, 12, 12, 12, 12, 15, 15, 16.25], [12, 12, 12, 12, 12, 15, 15, 16.25]] })]);
    k.dispose();
  });
});

describe('cluster: gradient against a float64 reference', () => {
  const rand = seededRandom(21);
  const x = randomMatrix(4, 8, rand);
  const y = randomMatrix(4, 8, rand, 0.5);
  const weights = [12, 12, 12, 12, 12, 15, 15, 16.25];

  it.each([false, true])('through 3 relaxation steps, shared = %s', (shared) => {
    const layers = 3;
    const k = create({ clusters: 3, shared, init: 'random' }, { points: POINTS }, layers);
    const p = flatParams(k, ['K']);
    const loss = (q: number[]): number =>
      mse64(relax64((l) => clusterMatrix64(q.slice(shared ? 0 : l * 9, shared ? 9 : (l + 1) * 9), LABELS, weights, 3), x, 0.75, layers), y);
    const expected = finiteDifferences(p, loss);
    const actual = tfGradient(k, ['K'], x, y, 0.75, layers);
    k.dispose();
    expect(Math.max(...expected.map(Math.abs))).toBeGreaterThan(1e-3);
    const err = gradientError(actual, expected);
    expect(err.normwise).toBeLessThan(GRADIENT_TOLERANCE.normwise);
    expect(err.entrywise).toBeLessThan(GRADIENT_TOLERANCE.entrywise);
  });
});

describe('cluster: conformance and errors', () => {
  it.each([
    { options: { clusters: 3 }, field: { points: POINTS } },
    { options: { clusters: 2, shared: true, init: 'random' }, field: { points: POINTS, channels: 2 } },
  ])('conforms: $options', async ({ options, field }) => {
    await checkKernelFamily(cluster, { field, layers: 2, options });
  });

  it('rejects grid fields with UNSUPPORTED_FIELD and too many clusters with INVALID_OPTIONS', () => {
    const codes: unknown[] = [];
    for (const [options, field] of [[{}, { shape: [8] }], [{ clusters: 9 }, { points: POINTS }]] as const) {
      try {
        create(options, field);
      } catch (e) {
        expect(e).toBeInstanceOf(NpdeError);
        codes.push((e as NpdeError).code);
      }
    }
    expect(codes).toEqual([ErrorCodes.UNSUPPORTED_FIELD, ErrorCodes.INVALID_OPTIONS]);
  });
});
