import {
  ErrorCodes,
  UnsupportedFieldError,
  ValidationError,
  defineKernelFamily,
  momentLabel,
  monomial,
  multiIndices,
  tf,
  type KernelFamily,
  type KernelInstance,
  type KernelMoments,
  type MultiIndex,
  type PhysicalQuantity,
  type Tensor,
  type Tensor2D,
} from '@npde/core';
import { assertLayer, assertMaxOrder } from '../instance/layer-index.js';
import { instancePrefix } from '../instance/variable-name.js';
import { ClusterOptionsSchema, type ClusterOptions } from './options.js';
import { partitionPoints, type ClusterPartition } from './partition.js';

const ID = '@npde/kernels/cluster';

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

/** Every β ≤ α componentwise, with Π_a binom(α_a, β_a). */
function subIndices(alpha: MultiIndex): { beta: number[]; coef: number }[] {
  let out: { beta: number[]; coef: number }[] = [{ beta: [], coef: 1 }];
  for (const k of alpha) {
    const next: { beta: number[]; coef: number }[] = [];
    for (const e of out) for (let b = 0; b <= k; b++) next.push({ beta: [...e.beta, b], coef: e.coef * binomial(k, b) });
    out = next;
  }
  return out;
}

/**
 * Moments `W_α(i) = Σ_j (x_j − x_i)^α K[c(i), c(j)] p_j` of a cluster kernel in
 * O(N·C) per multi-index: per cluster c' the weighted power sums
 * `P_c'^β = Σ_{j∈c'} p_j (x_j − m_c')^β` about its centroid m_c', then the
 * binomial expansion of `((x_j − m_c') + (m_c' − x_i))^α`.
 *
 * @param K - The C × C matrix of one layer, row-major, already divided by V̄ (so `W_ij = K[c(i), c(j)] p_j`).
 * @param part - The partition (assignment, weights, centroids).
 * @param points - The points' coordinates.
 * @param maxOrder - Largest |α|.
 *
 * @example
 * ```ts
 * const part = clusterVolumes(points, labels);
 * const m = clusterMoments(kFlat, part, points, 2);
 * findMoment(m, 'Mxx')!.values; // one value per point
 * ```
 */
export function clusterMoments(K: ArrayLike<number>, part: ClusterPartition, points: readonly (readonly number[])[], maxOrder: number): KernelMoments {
  const C = part.clusters;
  const dims = points[0]!.length;
  const alphas = multiIndices(dims, maxOrder);
  const betas = multiIndices(dims, maxOrder);
  const betaKey = new Map(betas.map((b, i) => [b.join(), i]));
  // P[c][β]
  const P = Array.from({ length: C }, () => new Float64Array(betas.length));
  points.forEach((x, j) => {
    const c = part.assignment[j]!;
    const u = x.map((xa, a) => xa - part.centroids[c]![a]!);
    betas.forEach((b, k) => (P[c]![k]! += part.weights[j]! * monomial(u, b)));
  });
  const moments = alphas.map((alpha) => {
    const terms = subIndices(alpha).map((t) => ({ ...t, index: betaKey.get(t.beta.join())!, rest: alpha.map((a, i) => a - t.beta[i]!) }));
    const values = points.map((x, i) => {
      const ci = part.assignment[i]!;
      let w = 0;
      for (let c = 0; c < C; c++) {
        const k = K[ci * C + c]!;
        if (k === 0) continue;
        const d = part.centroids[c]!.map((m, a) => m - x[a]!);
        let s = 0;
        for (const t of terms) s += t.coef * P[c]![t.index]! * monomial(d, t.rest);
        w += k * s;
      }
      return w;
    });
    return { alpha, label: momentLabel(alpha), values };
  });
  return { dims, sites: points.length, order: maxOrder, moments };
}

/**
 * Cluster kernel for sparse, high-dimensional data (theory §5, eq. 25): the
 * field is a set of scattered points (`field: { points: [[x, y, …], …] }`).
 * At creation the points' coordinates are clustered by k-means (ml-kmeans,
 * k-means++ seeded by the model seed); point `j` of cluster c gets the
 * quadrature weight `p_j = V_c / N_c` (V_c: volume of the smallest
 * axis-aligned box holding the cluster, with sides clamped from below by the
 * data's mean spacing along each axis so that single points and flat clusters
 * keep a positive volume: see {@link clusterVolumes}). The kernel is piecewise
 * constant over clusters, with a trainable C × C matrix K per layer (parameter
 * `K`, `[layers, C, C]`, or `[C, C]` with `shared: true`):
 *
 *     W_ij = K[c(i), c(j)] · p_j / V̄
 *
 * with V̄ the mean cluster volume: K is stored in units of 1/V̄ so that its
 * entries are O(1) whatever the units of the coordinates (a step of Adam or
 * of a finite difference then means the same thing on any data set). With the
 * default `init: 'mean'`, `K = diag(V̄ / V_c)` and `W z` is the weighted mean of
 * z over each point's own cluster.
 *
 * `apply` never forms the N × N matrix: it sums `p_j z_j / V̄` per cluster
 * (an N × C matmul), mixes the C sums with K and gathers them back to the
 * points, O(N·C) per sample. Several channels are treated alike and
 * independently (no channel mixing). `moments(l, p)` are the coordinate
 * moments `Σ_j (x_j − x_i)^α W_ij` (computed per cluster, O(N·C));
 * `physics()` reports the weight `p` per point; `dense(l)` is `W_l`.
 * Grid fields throw `UNSUPPORTED_FIELD`.
 *
 * @example
 * ```ts
 * const model = NeuralPde.create({
 *   field: { points: data.map((row) => row.slice(0, 5)) }, // 5-D sites
 *   layers: 3,
 *   kernel: { id: '@npde/kernels/cluster', options: { clusters: 16 } },
 *   activation: '@npde/activations/tanh',
 * });
 * findMoment(model.kernel.moments!(0, 1), 'M')!.values; // row sums Σ_j W_ij
 * ```
 */
export const cluster: KernelFamily<ClusterOptions> = defineKernelFamily<ClusterOptions>({
  id: ID,
  description: 'piecewise-constant kernel over k-means clusters of scattered points, weights V_c/N_c (theory §5, eq. 25)',
  options: ClusterOptionsSchema,
  create: ({ field, layers, options, seed }): KernelInstance => {
    const points = field.points;
    if (!points) {
      throw new UnsupportedFieldError(ErrorCodes.UNSUPPORTED_FIELD, 'the cluster kernel needs a field of scattered points', {
        path: 'field',
        expected: 'a field { points: [[x, y, …], …] }',
        received: `a ${field.dims}-D grid [${field.shape.join(', ')}]`,
        plugin: ID,
        hook: 'create',
        hint: 'Give the field as `points`, or use a grid kernel (`@npde/kernels/dense`, `@npde/kernels/adr`) for grids.',
      });
    }
    const N = field.sites;
    if (options.clusters > N) {
      throw new ValidationError(ErrorCodes.INVALID_OPTIONS, 'more clusters than points', {
        path: 'kernel.options.clusters',
        expected: `an integer in 1..${N} (the number of points)`,
        received: String(options.clusters),
        plugin: ID,
        hook: 'create',
        hint: `Ask for at most ${N} clusters.`,
      });
    }
    const part = partitionPoints(points, options.clusters, seed, options.maxIterations);
    const C = part.clusters;
    const R = field.realChannels;
    const { shared } = options;
    const meanVolume = part.volumes.reduce((a, b) => a + b, 0) / C;
    const unit = part.weights.map((p) => p / meanVolume); // p_j / V̄
    const prefix = instancePrefix(ID, ['K']);
    const shape = shared ? [C, C] : [layers, C, C];
    const K = tf.tidy(() => {
      let value: Tensor =
        options.init === 'mean'
          ? tf.mul(tf.eye(C, C, shared ? undefined : [layers]), tf.tensor1d(part.volumes.map((vc) => meanVolume / vc)).reshape([C, 1]))
          : tf.randomUniform(shape, -Math.sqrt(3 / C), Math.sqrt(3 / C), 'float32', seed);
      if (options.noise > 0) value = tf.add(value, tf.randomNormal(shape, 0, options.noise, 'float32', seed + 1));
      return tf.variable(value, true, `${prefix}/K`);
    });
    // A[j, c] = (p_j / V̄) [c(j) = c]: sums p_j z_j / V̄ per cluster.
    const aggregate = tf.tidy(() => {
      const a = new Float32Array(N * C);
      part.assignment.forEach((c, j) => (a[j * C + c] = unit[j]!));
      return tf.tensor2d(a, [N, C]);
    });
    const gatherIndex = tf.tensor1d([...part.assignment], 'int32');
    const matrix = (layer: number): Tensor2D => (shared ? K : tf.reshape(tf.slice(K, [layer, 0, 0], [1, C, C]), [C, C])) as Tensor2D;
    const applyRows = (rows: Tensor2D, layer: number): Tensor2D => {
      const sums = tf.matMul(rows, aggregate); // [rows, C]
      const mixed = tf.matMul(sums, matrix(layer), false, true); // y_c = Σ_c' K[c, c'] s_c'
      return tf.gather(mixed, gatherIndex, 1) as Tensor2D;
    };
    const apply = (z: Tensor2D, layer: number): Tensor2D => {
      assertLayer(layer, layers, ID);
      if (R === 1) return applyRows(z, layer);
      const B = z.shape[0];
      const rows = tf.reshape(tf.transpose(tf.reshape(z, [B, N, R]), [0, 2, 1]), [B * R, N]) as Tensor2D;
      const out = applyRows(rows, layer);
      return tf.reshape(tf.transpose(tf.reshape(out, [B, R, N]), [0, 2, 1]), [B, N * R]) as Tensor2D;
    };

    return {
      params: { K },
      paramCount: shared ? C * C : layers * C * C,
      apply,
      dense(layer: number): Tensor2D {
        assertLayer(layer, layers, ID);
        return tf.tidy(() => tf.transpose(apply(tf.eye(N * R) as Tensor2D, layer)) as Tensor2D);
      },
      moments(layer: number, maxOrder: number): KernelMoments {
        assertLayer(layer, layers, ID);
        assertMaxOrder(maxOrder, ID);
        const k = tf.tidy(() => Array.from(matrix(layer).dataSync(), (x) => x / meanVolume));
        return clusterMoments(k, part, points, maxOrder);
      },
      physics(): PhysicalQuantity[] {
        const row = [...part.weights];
        return [{ name: 'p', description: 'quadrature weight V_c / N_c of each point', values: Array.from({ length: layers }, () => row) }];
      },
      dispose(): void {
        K.dispose();
        aggregate.dispose();
        gatherIndex.dispose();
      },
    };
  },
});
