/**
 * The conformance kit of the fused stencil-relaxation op (`docs/design/stencil-relax.md`):
 * the geometries and seeded cases every backend's kernels are tested on, a float64
 * plain-JavaScript reference of the forward step and its four gradients, and
 * {@link checkStencilRelaxKernels}, which runs them all on the active backend.
 */
import { fusedActivation } from '../ops/stencil-relax/activations.js';
import { STENCIL_ACTIVATIONS, STENCIL_BOUNDARIES, type StencilActivation, type StencilGeometry, type StencilRelaxConfig } from '../ops/stencil-relax/config.js';
import { stencilRelaxPath, type StencilRelaxMode } from '../ops/stencil-relax/path.js';
import { stencilRelaxReference } from '../ops/stencil-relax/reference.js';
import { stencilRelax } from '../ops/stencil-relax/stencil-relax.js';
import { seededRandom } from '../random/seeded-random.js';
import { tf, type Scalar, type Tensor, type Tensor2D } from '../tensor/tf.js';
import { ConformanceError } from './conformance-error.js';

// ---------------------------------------------------------------------------
// Geometries and cases
// ---------------------------------------------------------------------------

/**
 * The geometries {@link checkStencilRelaxKernels} runs by default: every 1-D radius and
 * both 2-D stencils, with widths that leave scalar tails after 4-wide SIMD bodies
 * (W mod 4 ≠ 0), several rows, and sizes that differ per geometry (11, 37, 9, 13 sites;
 * 4×5, 4×9, 5×8 grids).
 */
export const STENCIL_GEOMETRIES: readonly StencilGeometry[] = Object.freeze([
  { dims: 1, sites: 11, radius: 1 },
  { dims: 1, sites: 11, radius: 2 },
  { dims: 1, sites: 9, radius: 3 },
  { dims: 2, height: 4, width: 5, points: 5 },
  { dims: 2, height: 4, width: 5, points: 9 },
  { dims: 1, sites: 37, radius: 2 },
  { dims: 1, sites: 13, radius: 3 },
  { dims: 2, height: 4, width: 9, points: 5 },
  { dims: 2, height: 5, width: 8, points: 9 },
]);

/**
 * Grids smaller than (or as small as) the stencil: periodic taps alias, several times
 * over, and zero-boundary taps fall wholly outside; one site, one row, one column.
 */
export const STENCIL_EDGE_GEOMETRIES: readonly StencilGeometry[] = Object.freeze([
  { dims: 1, sites: 2, radius: 3 },
  { dims: 1, sites: 1, radius: 1 },
  { dims: 1, sites: 5, radius: 3 },
  { dims: 2, height: 1, width: 3, points: 9 },
  { dims: 2, height: 3, width: 1, points: 5 },
  { dims: 2, height: 2, width: 2, points: 5 },
  { dims: 2, height: 2, width: 2, points: 9 },
]);

/** Batch size of the seeded cases (B = 3). */
export const STENCIL_CASE_BATCH = 3;

/** A geometry in words, e.g. `1-D S=11 r=2` or `2-D 4x5 9-point`. */
export function describeStencilGeometry(g: StencilGeometry): string {
  return g.dims === 1 ? `1-D S=${g.sites} r=${g.radius}` : `2-D ${g.height}x${g.width} ${g.points}-point`;
}

/** A config in words: geometry, boundary, activation. */
export function describeStencilConfig(config: StencilRelaxConfig): string {
  return `${describeStencilGeometry(config.geometry)} ${config.boundary} ${config.activation}`;
}

/**
 * Every geometry × boundary × activation, geometry-major (then boundaries in
 * `STENCIL_BOUNDARIES` order, activations in `STENCIL_ACTIVATIONS` order).
 * Defaults to {@link STENCIL_GEOMETRIES} followed by {@link STENCIL_EDGE_GEOMETRIES}.
 */
export function stencilConfigs(geometries: readonly StencilGeometry[] = [...STENCIL_GEOMETRIES, ...STENCIL_EDGE_GEOMETRIES]): StencilRelaxConfig[] {
  const out: StencilRelaxConfig[] = [];
  for (const geometry of geometries) for (const boundary of STENCIL_BOUNDARIES) for (const activation of STENCIL_ACTIVATIONS) out.push({ geometry, boundary, activation });
  return out;
}

/** The sizes of a geometry. */
export interface StencilCaseSizes {
  /** Grid rows (1 for a 1-D geometry). */
  readonly H: number;
  /** Grid columns (the sites of a 1-D geometry). */
  readonly W: number;
  /** Sites, H·W. */
  readonly S: number;
  /** Taps per site. */
  readonly K: number;
}

/** Grid rows H, columns W (a 1-D geometry is one row), sites S = H·W and taps per site K. */
export function stencilCaseSizes(g: StencilGeometry): StencilCaseSizes {
  const [H, W] = g.dims === 1 ? [1, g.sites] : [g.height, g.width];
  return { H, W, S: H * W, K: contractOffsets(g).length };
}

/**
 * The tap offsets `[di, dj]` of `geometry` in tap order, written out here as
 * `docs/design/stencil-relax.md` states them, independently of core's
 * `stencilOffsets` (the constant the kernels and the op path use, which this kit
 * checks): 1-D radius r reads `z[s + k − r]`, k = 0..2r; 2-D stencils are
 * row-major over the footprint.
 */
export function contractOffsets(geometry: StencilGeometry): readonly (readonly [di: number, dj: number])[] {
  if (geometry.dims === 1) {
    switch (geometry.radius) {
      case 1:
        return [[0, -1], [0, 0], [0, 1]];
      case 2:
        return [[0, -2], [0, -1], [0, 0], [0, 1], [0, 2]];
      case 3:
        return [[0, -3], [0, -2], [0, -1], [0, 0], [0, 1], [0, 2], [0, 3]];
    }
  }
  return geometry.points === 5
    ? [[-1, 0], [0, -1], [0, 0], [0, 1], [1, 0]]
    : [[-1, -1], [-1, 0], [-1, 1], [0, -1], [0, 0], [0, 1], [1, -1], [1, 0], [1, 1]];
}

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

/** Seeded float32 data of one case: the step's inputs and an upstream gradient `dy`. */
export interface StencilCaseData extends StencilArrays {
  /** `[B, S]`. */
  readonly z: Float32Array;
  /** `[S, K]`. */
  readonly taps: Float32Array;
  /** ω in [0.3, 0.9), a float32 value. */
  readonly omega: number;
  /** `[S]`. */
  readonly bias: Float32Array;
  /** The upstream gradient (the weights w of the loss sum(w ⊙ z')), `[B, S]`. */
  readonly dy: Float32Array;
}

/**
 * Seeded float32 data of one case, the same on every run and backend: z in ±1.5,
 * taps in ±0.8, bias in ±0.4, dy in ±1, so u = W z − b spans both signs (relu's kink,
 * softplus' two branches) and tanh is not saturated.
 */
export function stencilCaseData(g: StencilGeometry, seed: number, batch = STENCIL_CASE_BATCH): StencilCaseData {
  const rand = seededRandom(seed);
  const { S, K } = stencilCaseSizes(g);
  const u = (n: number, scale: number) => Float32Array.from({ length: n }, () => (2 * rand() - 1) * scale);
  return { z: u(batch * S, 1.5), taps: u(S * K, 0.8), omega: Math.fround(0.3 + 0.6 * rand()), bias: u(S, 0.4), dy: u(batch * S, 1) };
}

/** The tensors of one case. */
export interface StencilCaseTensors {
  /** `[B, S]`. */
  readonly z: Tensor2D;
  /** `[S, K]`. */
  readonly taps: Tensor2D;
  /** ω. */
  readonly omega: Scalar;
  /** `[S]`. */
  readonly bias: tf.Tensor1D;
  /** `[B, S]`. */
  readonly dy: Tensor2D;
}

/** Options of {@link stencilCaseTensors}. */
export interface StencilCaseTensorOptions {
  /** The batch size the data was made for (default {@link STENCIL_CASE_BATCH}). */
  readonly batch?: number;
  /** ω to use instead of the data's (e.g. 1, where the step keeps none of z). */
  readonly omega?: number;
}

/** The tensors of a case's data (the caller disposes them). */
export function stencilCaseTensors(g: StencilGeometry, d: StencilCaseData, options: StencilCaseTensorOptions = {}): StencilCaseTensors {
  const batch = options.batch ?? STENCIL_CASE_BATCH;
  const { S, K } = stencilCaseSizes(g);
  return {
    z: tf.tensor2d(d.z, [batch, S]),
    taps: tf.tensor2d(d.taps, [S, K]),
    omega: tf.scalar(options.omega ?? d.omega),
    bias: tf.tensor1d(d.bias),
    dy: tf.tensor2d(d.dy, [batch, S]),
  };
}

/** The forward step and its four gradients as read back from one op. */
export interface StencilForwardAndGrads {
  /** z', `[B, S]`. */
  readonly out: Float32Array;
  /** `[B, S]`. */
  readonly dz: Float32Array;
  /** `[S, K]`. */
  readonly dtaps: Float32Array;
  /** One value. */
  readonly domega: Float32Array;
  /** `[S]`. */
  readonly dbias: Float32Array;
  /** The shapes of out, dz, dtaps, domega and dbias, in that order. */
  readonly shapes: readonly (readonly number[])[];
}

/** The signature of `stencilRelax` and `stencilRelaxReference`. */
export type StencilRelaxOp = (z: Tensor2D, taps: Tensor2D, omega: Scalar, bias: tf.Tensor1D, config: StencilRelaxConfig) => Tensor2D;

/**
 * Run `op` (`stencilRelax` or `stencilRelaxReference`) forward, and backward through
 * `tf.grads` with the case's `dy` as the upstream gradient; returns the values read back.
 * Leaves no tensors behind (one `tf.tidy`).
 */
export function stencilForwardAndGrads(op: StencilRelaxOp, t: StencilCaseTensors, config: StencilRelaxConfig): StencilForwardAndGrads {
  return tf.tidy(() => {
    const out = op(t.z, t.taps, t.omega, t.bias, config);
    const f = (z: Tensor, taps: Tensor, omega: Tensor, bias: Tensor) => op(z as Tensor2D, taps as Tensor2D, omega as Scalar, bias as tf.Tensor1D, config);
    const [dz, dtaps, domega, dbias] = tf.grads(f)([t.z, t.taps, t.omega, t.bias], t.dy);
    const read = (x: Tensor) => x.dataSync() as Float32Array;
    return {
      out: read(out),
      dz: read(dz!),
      dtaps: read(dtaps!),
      domega: read(domega!),
      dbias: read(dbias!),
      shapes: [out, dz!, dtaps!, domega!, dbias!].map((x) => x.shape.slice()),
    };
  });
}

// ---------------------------------------------------------------------------
// The float64 reference
// ---------------------------------------------------------------------------

const mod = (a: number, n: number): number => ((a % n) + n) % n;

/**
 * The neighbour table of a config computed here, from the contract's offsets alone
 * ({@link contractOffsets}; independently of core's `stencilOffsets` and
 * `stencilNeighbourTable`, which the kernels use): entry `s·K + k` is the site tap k
 * of site s reads, or −1 outside a `zero`-boundary grid.
 */
export function stencilReferenceNeighbours(config: Pick<StencilRelaxConfig, 'geometry' | 'boundary'>): Int32Array {
  const { H, W, S, K } = stencilCaseSizes(config.geometry);
  const offsets = contractOffsets(config.geometry);
  const table = new Int32Array(S * K);
  for (let i = 0; i < H; i++) {
    for (let j = 0; j < W; j++) {
      for (let k = 0; k < K; k++) {
        const ni = i + offsets[k]![0];
        const nj = j + offsets[k]![1];
        const n = config.boundary === 'periodic' ? mod(ni, H) * W + mod(nj, W) : ni < 0 || ni >= H || nj < 0 || nj >= W ? -1 : ni * W + nj;
        table[(i * W + j) * K + k] = n;
      }
    }
  }
  return table;
}

/** What {@link stencilRelaxFloat64} computes. */
export interface StencilFloat64Result {
  /** z', `[B, S]`. */
  readonly out: Float64Array;
  /** The four gradients. */
  readonly grads: StencilGradArrays;
}

/** The four gradients of one step, in float64. */
export interface StencilGradArrays {
  /** `[B, S]`. */
  readonly dz: Float64Array;
  /** `[S, K]`. */
  readonly dtaps: Float64Array;
  /** Scalar. */
  readonly domega: number;
  /** `Σ |(a − z) ⊙ dy|`: the scale of domega's sum, against which its float32 rounding is judged. */
  readonly domegaScale: number;
  /** `[S]`. */
  readonly dbias: Float64Array;
}

/**
 * The contract's forward and backward formulas in plain float64 JavaScript, explicit
 * loops over {@link stencilReferenceNeighbours}: a check of the fused kernels and of
 * the op path that shares none of their stencil code. f and f′ are the scalar
 * formulas of the activation's entry in core's fused activation table (which the
 * kit checks against the op path's tfjs ops, and activation plugins against their
 * `apply`). `dy` (`[B, S]`) defaults to all ones.
 *
 *     u = W z − b,  a = f(u),  z' = (1 − ω) z + ω a,  g = ω · dy ⊙ f'(u)
 *     dz = (1 − ω) dy + Wᵀ g,  dtaps[s, k] = Σ_b g[b, s] · z[b, n(s, k)],
 *     dbias = − Σ_b g,  domega = Σ (a − z) ⊙ dy
 */
export function stencilRelaxFloat64(
  x: StencilArrays,
  config: StencilRelaxConfig,
  batch: number,
  dy?: ArrayLike<number>,
): StencilFloat64Result {
  const table = stencilReferenceNeighbours(config);
  const S = x.bias.length;
  const K = table.length / S;
  const out = new Float64Array(batch * S);
  const dz = new Float64Array(batch * S);
  const dtaps = new Float64Array(S * K);
  const dbias = new Float64Array(S);
  let domega = 0;
  let domegaScale = 0;
  const w = x.omega;
  const { f, df } = fusedActivation(config.activation);
  for (let b = 0; b < batch; b++) {
    const row = b * S;
    for (let s = 0; s < S; s++) {
      let u = 0;
      for (let k = 0; k < K; k++) {
        const n = table[s * K + k]!;
        if (n >= 0) u += x.taps[s * K + k]! * x.z[row + n]!;
      }
      u -= x.bias[s]!;
      const a = f(u);
      const zs = x.z[row + s]!;
      out[row + s] = (1 - w) * zs + w * a;
      const d = dy ? dy[row + s]! : 1;
      const g = w * d * df(u, a);
      domega += (a - zs) * d;
      domegaScale += Math.abs((a - zs) * d);
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
  return { out, grads: { dz, dtaps, domega, domegaScale, dbias } };
}

// ---------------------------------------------------------------------------
// Error measures
// ---------------------------------------------------------------------------

/** max |a − b|; `Infinity` when the lengths differ or a difference is NaN. */
export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    m = Number.isNaN(d) ? Infinity : Math.max(m, d);
  }
  return m;
}

/**
 * max |a − b| / max(max |b|, floor): the largest difference relative to the size of
 * the reference `b`; `Infinity` when the lengths differ or a difference is NaN.
 */
export function maxRelativeDifference(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-3): number {
  if (a.length !== b.length) return Infinity;
  let scale = floor;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]!));
  return maxAbsDifference(a, b) / scale;
}

// ---------------------------------------------------------------------------
// The check
// ---------------------------------------------------------------------------

/**
 * The tolerances of {@link checkStencilRelaxKernels} (float32 kernels on O(1) values).
 * The fused forward equals the op path to float32 accuracy; each gradient is within
 * `absolute` of both references (domega: within `absolute · max(1, |domega|)`), and
 * within `relative` of the float64 gradient, measured against the float64 gradient's
 * largest entry (at least `relativeFloor`) — for domega, a sum of B·S terms that may
 * largely cancel, against the sum of the terms' magnitudes, the scale its float32
 * rounding error is proportional to.
 */
export const STENCIL_RELAX_TOLERANCES = Object.freeze({
  /** Fused forward vs the op path, absolute. */
  forwardVsOpPath: 1e-6,
  /** Fused forward vs float64, and each fused gradient vs the op path and vs float64, absolute. */
  absolute: 1e-5,
  /** Each fused gradient vs the float64 one, relative (see above). */
  relative: 1e-5,
  /**
   * The floor of the relative measure's denominator. The inputs are O(1), so every
   * gradient entry is a short sum of O(1)-sized terms whose float32 rounding is
   * ~1e-7 absolute however much they cancel; a gradient below 1e-2 is therefore held
   * to 1e-7 absolute (relative · floor), not to 1e-5 of its own tiny size.
   */
  relativeFloor: 1e-2,
});

/** Options of {@link checkStencilRelaxKernels}. */
export interface StencilRelaxCheckOptions {
  /** The configs to check (default {@link stencilConfigs}`()`: every geometry and edge geometry × boundary × activation). */
  readonly configs?: readonly StencilRelaxConfig[];
  /** Seed of the first config's data; config i uses `seed + i` (default 100). */
  readonly seed?: number;
  /** Batch size (default {@link STENCIL_CASE_BATCH}). */
  readonly batch?: number;
  /** Values of ω checked besides each case's seeded ω (default `[0.5, 1]`). */
  readonly omegas?: readonly number[];
  /** Name shown in failures (default: the backend's name). */
  readonly label?: string;
}

/** What {@link checkStencilRelaxKernels} ran. */
export interface StencilRelaxCheckReport {
  /** The backend it ran on. */
  readonly backend: string;
  /** `stencilRelaxPath().mode` on it. */
  readonly mode: StencilRelaxMode;
  /** Config × ω cases run. */
  readonly cases: number;
  /** Array comparisons made (each against its tolerance). */
  readonly comparisons: number;
  /**
   * Activations of the configs that the backend's kernels do not implement (they
   * reported an activation list without them): `stencilRelax` runs the op path for
   * those, so their configs were skipped. Empty when the kernels implement every one.
   */
  readonly skippedActivations: readonly StencilActivation[];
}

/**
 * The fused-kernel contract of `stencilRelax` on the ACTIVE backend: for every config
 * (by default every geometry and edge geometry × boundary × activation) and every ω (the
 * case's seeded ω, 0.5 and 1), the fused forward and its four gradients (through
 * `tf.grads` with a seeded upstream gradient) have the expected shapes and agree with
 * the tfjs op path (`stencilRelaxReference`) and with the float64 reference
 * ({@link stencilRelaxFloat64}) within {@link STENCIL_RELAX_TOLERANCES}, and each case
 * leaves the number of live tensors and of backend data buffers unchanged. Configs
 * whose activation the backend's kernels do not implement (see `setFusedPathInfo`'s
 * `activations`) run the op path, so they are skipped and listed in the report.
 *
 * Framework-agnostic: throws a {@link ConformanceError} listing every failing case, or
 * when `stencilRelax` does not run a fused kernel on the active backend (select the
 * backend first, e.g. with `registry.ready({ backend })`).
 *
 * @example
 * ```ts
 * import { checkStencilRelaxKernels } from '@npde/core/testing';
 * beforeAll(() => new Registry().register(myBackend).ready({ backend: 'my-backend' }));
 * it('runs the stencil-relax contract', () => checkStencilRelaxKernels());
 * ```
 */
export function checkStencilRelaxKernels(options: StencilRelaxCheckOptions = {}): StencilRelaxCheckReport {
  const backend = tf.getBackend();
  const label = options.label ?? backend;
  const path = stencilRelaxPath();
  if (path.path !== 'fused') throw new ConformanceError(`${label}: stencilRelax runs no fused kernel on backend '${backend}' (${path.reason})`);
  const all = options.configs ?? stencilConfigs();
  const skippedActivations = [...new Set(all.map((c) => c.activation))].filter((a) => stencilRelaxPath(a).path !== 'fused');
  const seed = options.seed ?? 100;
  const batch = options.batch ?? STENCIL_CASE_BATCH;
  const omegas = options.omegas ?? [0.5, 1];
  const tol = STENCIL_RELAX_TOLERANCES;
  const failures: string[] = [];
  let cases = 0;
  let comparisons = 0;
  const live = () => ({ tensors: tf.memory().numTensors, data: tf.engine().backend.numDataIds() });
  const start = live();
  all.forEach((config, c) => {
    if (skippedActivations.includes(config.activation)) return;
    const d = stencilCaseData(config.geometry, seed + c, batch);
    const { S, K } = stencilCaseSizes(config.geometry);
    const shapes = [[batch, S], [batch, S], [S, K], [], [S]];
    for (const omega of [d.omega, ...omegas]) {
      const name = `${label}: ${describeStencilConfig(config)} ω=${omega} (seed ${seed + c})`;
      const fail = (what: string) => failures.push(`${name}: ${what}`);
      const t = stencilCaseTensors(config.geometry, d, { batch, omega });
      cases++;
      try {
        const before = live();
        const fused = stencilForwardAndGrads(stencilRelax, t, config);
        const ops = stencilForwardAndGrads(stencilRelaxReference, t, config);
        const after = live();
        if (after.tensors !== before.tensors) fail(`${after.tensors - before.tensors} tensors leaked`);
        if (after.data !== before.data) fail(`${after.data - before.data} backend data buffers leaked`);
        const f64 = stencilRelaxFloat64({ ...d, omega }, config, batch, d.dy);
        const names = ['forward', 'dz', 'dtaps', 'domega', 'dbias'] as const;
        fused.shapes.forEach((shape, i) => {
          if (shape.join() !== shapes[i]!.join()) fail(`${names[i]} has shape [${shape}], expected [${shapes[i]}]`);
        });
        const rows: [(typeof names)[number], Float32Array, Float32Array, ArrayLike<number>][] = [
          ['forward', fused.out, ops.out, f64.out],
          ['dz', fused.dz, ops.dz, f64.grads.dz],
          ['dtaps', fused.dtaps, ops.dtaps, f64.grads.dtaps],
          ['domega', fused.domega, ops.domega, [f64.grads.domega]],
          ['dbias', fused.dbias, ops.dbias, f64.grads.dbias],
        ];
        for (const [what, got, opPath, exact] of rows) {
          const absolute = what === 'domega' ? tol.absolute * Math.max(1, Math.abs(exact[0]!)) : tol.absolute;
          const checks: [string, number, number][] =
            what === 'forward'
              ? [
                  ['vs op path', maxAbsDifference(got, opPath), tol.forwardVsOpPath],
                  ['vs float64', maxAbsDifference(got, exact), absolute],
                ]
              : [
                  ['vs op path', maxAbsDifference(got, opPath), absolute],
                  [
                    'vs float64 (relative)',
                    what === 'domega'
                      ? Math.abs(got[0]! - exact[0]!) / Math.max(f64.grads.domegaScale, tol.relativeFloor)
                      : maxRelativeDifference(got, exact, tol.relativeFloor),
                    tol.relative,
                  ],
                  ['vs float64', maxAbsDifference(got, exact), absolute],
                ];
          for (const [against, err, limit] of checks) {
            comparisons++;
            if (!(err <= limit)) fail(`${what} ${against}: error ${err.toExponential(2)} > ${limit.toExponential(2)}`);
          }
        }
      } catch (e) {
        fail(`threw ${e instanceof Error ? e.message : String(e)}`);
      } finally {
        tf.dispose(Object.values(t));
      }
    }
  });
  const end = live();
  if (end.tensors !== start.tensors) failures.push(`${label}: ${end.tensors - start.tensors} tensors still live after the check`);
  if (failures.length) {
    throw new ConformanceError(
      `${label}: the fused stencil-relax kernels break their contract in ${failures.length} place(s) (${cases} cases):\n  ${failures.slice(0, 12).join('\n  ')}${failures.length > 12 ? `\n  … and ${failures.length - 12} more` : ''}`,
    );
  }
  if (cases === 0) throw new ConformanceError(`${label}: the fused kernels of backend '${backend}' implement none of the configs' activations (${skippedActivations.join(', ')})`);
  return { backend, mode: path.mode, cases, comparisons, skippedActivations };
}
