import { kmeans } from 'ml-kmeans';

/**
 * The clusters of a set of scattered points and the quadrature weight of every
 * point (theory §5, last item): point `i` of cluster `c` gets `p_i = V_c / N_c`.
 */
export interface ClusterPartition {
  /** Number of (non-empty) clusters C. */
  readonly clusters: number;
  /** `assignment[i]`: the cluster of point `i`, in `0..C − 1`. */
  readonly assignment: readonly number[];
  /** `counts[c]`: N_c, the number of points in cluster `c` (every entry ≥ 1). */
  readonly counts: readonly number[];
  /** `sides[c][axis]`: side of cluster `c`'s box along each axis, after the degenerate-side rule. */
  readonly sides: readonly (readonly number[])[];
  /** `volumes[c]`: V_c, the product of the cluster's sides. */
  readonly volumes: readonly number[];
  /** `weights[i]`: p_i = V_{c(i)} / N_{c(i)}. */
  readonly weights: readonly number[];
  /** `centroids[c]`: mean coordinates of cluster `c`'s points. */
  readonly centroids: readonly (readonly number[])[];
  /** `minSide[axis]`: the smallest side a box may have along each axis (see {@link clusterVolumes}). */
  readonly minSide: readonly number[];
}

/**
 * Boxes, volumes and weights of given clusters of points.
 *
 * The box of cluster c is the smallest axis-aligned box holding its points,
 * with side `max_a − min_a` along axis a. A degenerate box (one point, or
 * points sharing a coordinate) would have volume 0 and give its points weight
 * 0, and a nearly flat one a weight out of all proportion to its neighbours',
 * so every side is clamped from below:
 *
 *     side_a(c) = max(max_a − min_a, h_a),   h_a = L_a / N
 *
 * where `L_a` is the extent of the whole point set along axis a and N the
 * number of points: `h_a` is the mean gap between neighbouring coordinates
 * along that axis, the resolution the data has there. An axis along which every
 * point has the same coordinate (`L_a = 0`) carries no volume (side 1).
 * Then `V_c = Π_a side_a(c)` and `p_i = V_{c(i)} / N_{c(i)}`.
 *
 * Clusters are renumbered `0..C − 1` in order of their first point, and empty
 * labels are dropped, so `C` may be smaller than the largest label + 1.
 *
 * @param points - Coordinates, one array of d numbers per point.
 * @param labels - A cluster label (any non-negative integer) per point.
 * @returns The partition.
 * @throws RangeError when `labels` and `points` differ in length or there are no points.
 *
 * @example
 * ```ts
 * // 5 points, L = (10, 10), so h = (2, 2): a 4 × 1 box clamped to 4 × 2, a lone point to 2 × 2
 * const p = clusterVolumes([[0, 0], [4, 1], [2, 0], [3, 1], [10, 10]], [0, 0, 0, 0, 1]);
 * p.volumes; // [8, 4]
 * p.weights; // [2, 2, 2, 2, 4]
 * ```
 */
export function clusterVolumes(points: readonly (readonly number[])[], labels: readonly number[]): ClusterPartition {
  const n = points.length;
  if (n === 0) throw new RangeError('clusterVolumes: no points');
  if (labels.length !== n) throw new RangeError(`clusterVolumes: ${labels.length} labels for ${n} points`);
  const dims = points[0]!.length;
  const renumber = new Map<number, number>();
  const assignment = labels.map((l) => {
    let c = renumber.get(l);
    if (c === undefined) {
      c = renumber.size;
      renumber.set(l, c);
    }
    return c;
  });
  const C = renumber.size;
  const lo = Array.from({ length: C }, () => new Array<number>(dims).fill(Infinity));
  const hi = Array.from({ length: C }, () => new Array<number>(dims).fill(-Infinity));
  const sum = Array.from({ length: C }, () => new Array<number>(dims).fill(0));
  const allLo = new Array<number>(dims).fill(Infinity);
  const allHi = new Array<number>(dims).fill(-Infinity);
  const counts = new Array<number>(C).fill(0);
  points.forEach((p, i) => {
    const c = assignment[i]!;
    counts[c]!++;
    for (let a = 0; a < dims; a++) {
      const x = p[a]!;
      lo[c]![a] = Math.min(lo[c]![a]!, x);
      hi[c]![a] = Math.max(hi[c]![a]!, x);
      sum[c]![a]! += x;
      allLo[a] = Math.min(allLo[a]!, x);
      allHi[a] = Math.max(allHi[a]!, x);
    }
  });
  const minSide = allLo.map((l, a) => (allHi[a]! - l) / n);
  const sides = lo.map((l, c) => l.map((x, a) => (minSide[a]! === 0 ? 1 : Math.max(hi[c]![a]! - x, minSide[a]!))));
  const volumes = sides.map((s) => s.reduce((v, x) => v * x, 1));
  const weights = assignment.map((c) => volumes[c]! / counts[c]!);
  const centroids = sum.map((s, c) => s.map((x) => x / counts[c]!));
  return { clusters: C, assignment, counts, sides, volumes, weights, centroids, minSide };
}

/**
 * Cluster scattered points with k-means (ml-kmeans, k-means++ initialization,
 * seeded) and weigh them with {@link clusterVolumes}.
 *
 * @param points - Coordinates, one array of d numbers per point.
 * @param clusters - Number of clusters asked for (≤ number of points); empty ones are dropped.
 * @param seed - Seed of the k-means++ initialization (deterministic partitions).
 * @param maxIterations - Iteration cap of Lloyd's algorithm.
 *
 * @example
 * ```ts
 * const p = partitionPoints(points, 8, 42);
 * p.weights[0]; // V_c / N_c of point 0's cluster
 * ```
 */
export function partitionPoints(points: readonly (readonly number[])[], clusters: number, seed: number, maxIterations = 100): ClusterPartition {
  if (clusters === 1) return clusterVolumes(points, points.map(() => 0));
  const result = kmeans(
    points.map((p) => [...p]),
    clusters,
    { seed, maxIterations, initialization: 'kmeans++' },
  );
  return clusterVolumes(points, result.clusters);
}
