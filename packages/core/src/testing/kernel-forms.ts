/**
 * Checks that the other forms a kernel instance offers of its W — `stencil(l)`,
 * `dense(l)`, `moments(l, p)` — are the W its `apply(z, l)` applies. Used by
 * `checkKernelFamily`; each throws a {@link ConformanceError} naming the kernel,
 * the layer and the error.
 */
import { validateStencilRelaxConfig, type StencilBoundary, type StencilGeometry } from '../ops/stencil-relax/config.js';
import type { FieldInfo } from '../plugins/field.js';
import { momentLabel, type KernelMoments } from '../plugins/moments.js';
import type { KernelInstance } from '../plugins/types.js';
import { tf, type Scalar, type Tensor2D, type Variable } from '../tensor/tf.js';
import { ConformanceError, ensure } from './conformance-error.js';
import { stencilReferenceNeighbours } from './stencil-conformance.js';

/**
 * Tolerances of the form checks. `apply` runs in float32 and sums a few terms per
 * entry in whatever order; its rounding error is a few ulp of Σ |term|, ~1e-7 of
 * the scale. 1e-5 of the scale leaves a 100× margin, while a wrong tap, a wrong
 * boundary or an offset in the wrong order is off by O(|tap|·|z|) and fails (one tap
 * off by 1e-3 on z ~ N(0, 1) is off by ~1e-3 ≫ 1e-5).
 */
export const KERNEL_FORM_TOLERANCES = Object.freeze({
  /** `apply` vs the stencil's action and vs `z·dense(l)ᵀ`, relative to the largest Σ_k |tap·z| (at least 1). */
  forward: 1e-5,
  /** The stencil's W vs `dense(l)`, relative to max(1, max |W|). */
  matrix: 1e-5,
  /** Moment W_0 vs the row sums of W (sums of float32 entries, in any order), relative to max(1, max |row sum|). */
  moments: 1e-4,
  /** Gradients through the stencil's taps vs through `apply`, relative to max(1, max |gradient|). */
  gradient: 1e-4,
});

/** A stencil read back as plain arrays. */
export interface StencilData {
  /** `[S, K]` row-major. */
  readonly taps: Float32Array;
  /** Sites S. */
  readonly sites: number;
  /** Taps per site K. */
  readonly K: number;
  /** Grid and footprint. */
  readonly geometry: StencilGeometry;
  /** Boundary. */
  readonly boundary: StencilBoundary;
  /** The contract's neighbour table (−1 outside a zero boundary), computed by the kit. */
  readonly neighbours: Int32Array;
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/** Read `kernel.stencil(layer)` back and check its config and shapes against the field. */
export function readStencil(id: string, kernel: KernelInstance, layer: number, field: FieldInfo): StencilData {
  const read = tf.tidy(() => {
    const s = kernel.stencil!(layer);
    ensure(s.taps instanceof tf.Tensor, `${id}: stencil(${layer}).taps is not a tensor`);
    return { taps: s.taps.dataSync().slice() as Float32Array, shape: s.taps.shape.slice(), geometry: s.geometry, boundary: s.boundary };
  });
  try {
    validateStencilRelaxConfig({ geometry: read.geometry, boundary: read.boundary, activation: 'identity' }, `stencil(${layer})`);
  } catch (e) {
    throw new ConformanceError(`${id}: stencil(${layer}) has a bad geometry or boundary: ${e instanceof Error ? e.message : String(e)}`);
  }
  const neighbours = stencilReferenceNeighbours({ geometry: read.geometry, boundary: read.boundary });
  const sites = read.geometry.dims === 1 ? read.geometry.sites : read.geometry.height * read.geometry.width;
  const K = neighbours.length / sites;
  ensure(sites === field.size, `${id}: stencil(${layer}) describes ${sites} sites, but the field has size ${field.size}`);
  ensure(read.shape.join() === `${sites},${K}`, `${id}: stencil(${layer}).taps has shape [${read.shape}], expected [${sites}, ${K}]`);
  return { taps: read.taps, sites, K, geometry: read.geometry, boundary: read.boundary, neighbours };
}

/** The stencil's W as a dense `[S, S]` float64 matrix (aliasing periodic taps add up). */
export function stencilMatrix(st: StencilData): Float64Array {
  const { sites: S, K } = st;
  const W = new Float64Array(S * S);
  for (let s = 0; s < S; s++) {
    for (let k = 0; k < K; k++) {
      const n = st.neighbours[s * K + k]!;
      if (n >= 0) W[s * S + n] += st.taps[s * K + k]!;
    }
  }
  return W;
}

/**
 * `apply(z, layer)` equals the action of the stencil's taps on z, computed here in
 * float64 from the contract's offsets and the stencil's boundary (independently of
 * the op under test), for every batch row; and the gradients of a random linear
 * functional of both with respect to the kernel's trainable parameters agree (so the
 * taps are the differentiable W the fused op trains, not a detached copy).
 */
export function checkStencilAgainstApply(id: string, kernel: KernelInstance, layer: number, z: Tensor2D, applied: ArrayLike<number>, st: StencilData): void {
  const [B, S] = z.shape;
  const K = st.K;
  const zv = z.dataSync();
  let worst = 0;
  let at = -1;
  let scale = 1;
  const errors = new Float64Array(B * S);
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < S; s++) {
      let acc = 0;
      let mag = 0;
      for (let k = 0; k < K; k++) {
        const n = st.neighbours[s * K + k]!;
        if (n < 0) continue;
        const t = st.taps[s * K + k]! * zv[b * S + n]!;
        acc += t;
        mag += Math.abs(t);
      }
      scale = Math.max(scale, mag);
      errors[b * S + s] = Math.abs(applied[b * S + s]! - acc);
    }
  }
  errors.forEach((e, i) => {
    if (e > worst || Number.isNaN(e)) {
      worst = Number.isNaN(e) ? Infinity : e;
      at = i;
    }
  });
  const limit = KERNEL_FORM_TOLERANCES.forward * scale;
  if (!(worst <= limit)) {
    throw new ConformanceError(
      `${id}: stencil(${layer}) disagrees with apply(z, ${layer}): max |error| ${worst.toExponential(2)} at batch ${Math.floor(at / S)}, site ${at % S} ` +
        `(tolerance ${limit.toExponential(2)}; ${st.geometry.dims}-D ${st.boundary} stencil, taps read with the contract's offsets)`,
    );
  }
  checkStencilGradients(id, kernel, layer, z, st);
}

function checkStencilGradients(id: string, kernel: KernelInstance, layer: number, z: Tensor2D, st: StencilData): void {
  const vars = Object.values(kernel.params).filter((p) => p.trainable) as Variable[];
  if (vars.length === 0) return;
  const [B, S] = z.shape;
  const K = st.K;
  type Grads = (Float32Array | Int32Array | Uint8Array | null)[];
  let viaApply: Grads = [];
  let viaStencil: Grads = [];
  tf.tidy(() => {
    const weights = tf.randomNormal([B, S], 0, 1, 'float32', 31 + layer);
    const index = tf.tensor1d(Array.from(st.neighbours, (n) => Math.max(n, 0)), 'int32');
    const inside = tf.tensor2d(Array.from(st.neighbours, (n) => (n >= 0 ? 1 : 0)), [S, K]);
    const action = () => {
      const taps = kernel.stencil!(layer).taps;
      const neighbours = tf.reshape(tf.gather(z, index, 1), [B, S, K]);
      return tf.sum(tf.mul(neighbours, tf.mul(taps, inside)), 2);
    };
    const grads = (f: () => tf.Tensor) => {
      const r = tf.variableGrads(() => tf.sum(tf.mul(weights, f())) as Scalar, vars);
      return vars.map((v) => (r.grads[v.name] ? r.grads[v.name]!.dataSync().slice() : null));
    };
    try {
      viaStencil = grads(action);
    } catch (e) {
      throw new ConformanceError(`${id}: stencil(${layer}).taps are not differentiable in the kernel's parameters (${e instanceof Error ? e.message : String(e)})`);
    }
    viaApply = grads(() => kernel.apply(z, layer));
  });
  vars.forEach((v, i) => {
    const a = viaApply[i];
    const s = viaStencil[i];
    if (a && !s) throw new ConformanceError(`${id}: stencil(${layer}).taps do not depend on parameter '${v.name}', which apply(z, ${layer}) does (a detached copy?)`);
    if (!a || !s) return;
    let worst = 0;
    for (let j = 0; j < a.length; j++) worst = Math.max(worst, Math.abs(a[j]! - s[j]!));
    const limit = KERNEL_FORM_TOLERANCES.gradient * Math.max(1, maxAbs(a));
    if (!(worst <= limit)) {
      throw new ConformanceError(`${id}: gradient with respect to '${v.name}' through stencil(${layer}) differs from the one through apply(z, ${layer}) by ${worst.toExponential(2)} (tolerance ${limit.toExponential(2)})`);
    }
  });
}

/** `dense(layer)` equals the stencil's W, materialized from its taps. */
export function checkStencilAgainstDense(id: string, layer: number, st: StencilData, dense: ArrayLike<number>): void {
  const W = stencilMatrix(st);
  let worst = 0;
  let at = 0;
  for (let i = 0; i < W.length; i++) {
    const e = Math.abs(W[i]! - dense[i]!);
    if (e > worst || Number.isNaN(e)) {
      worst = Number.isNaN(e) ? Infinity : e;
      at = i;
    }
  }
  const limit = KERNEL_FORM_TOLERANCES.matrix * Math.max(1, maxAbs(W));
  if (!(worst <= limit)) {
    throw new ConformanceError(
      `${id}: stencil(${layer}) materialized differs from dense(${layer}) by ${worst.toExponential(2)} at W[${Math.floor(at / st.sites)}, ${at % st.sites}] (tolerance ${limit.toExponential(2)})`,
    );
  }
}

/**
 * `moments(layer, 2)` is well formed for the field (dims, sites, order, one entry per
 * multi-index with its label, a value per site), has the W_0 moment (α = 0), and —
 * where W is known (from `dense(layer)` or the stencil) and the field has one real
 * channel — W_0 equals the row sums of W.
 */
export function checkMoments(id: string, m: KernelMoments, layer: number, field: FieldInfo, rowsOf?: { readonly W: ArrayLike<number>; readonly from: string }): void {
  const where = `${id}: moments(${layer}, 2)`;
  ensure(typeof m === 'object' && m !== null && Array.isArray(m.moments as unknown), `${where} must return { dims, sites, order, moments: [...] }`);
  ensure(m.dims === field.dims, `${where}.dims is ${m.dims}, the field has ${field.dims}`);
  ensure(m.sites === field.sites, `${where}.sites is ${m.sites}, the field has ${field.sites}`);
  ensure(m.order === 2, `${where}.order is ${m.order}, expected 2`);
  for (const e of m.moments) {
    ensure(e.alpha.length === m.dims && e.alpha.every((a) => Number.isInteger(a) && a >= 0), `${where}: multi-index [${e.alpha}] is not ${m.dims} non-negative integers`);
    ensure(e.alpha.reduce((n, a) => n + a, 0) <= m.order, `${where}: multi-index [${e.alpha}] exceeds order ${m.order}`);
    ensure(e.label === momentLabel(e.alpha), `${where}: moment [${e.alpha}] is labelled '${e.label}', expected '${momentLabel(e.alpha)}'`);
    ensure(e.values.length === field.sites, `${where}: moment ${e.label} has ${e.values.length} values, expected one per site (${field.sites})`);
  }
  const w0 = m.moments.find((e) => e.alpha.every((a) => a === 0) && e.channels === undefined);
  ensure(w0, `${where} has no W_0 moment (α all zeros, no channel pair)`);
  if (!rowsOf || field.realChannels !== 1) return;
  const n = field.size;
  const rows = new Float64Array(n);
  let scale = 1;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) rows[i] += rowsOf.W[i * n + j]!;
    scale = Math.max(scale, Math.abs(rows[i]!));
  }
  let worst = 0;
  for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(rows[i]! - w0.values[i]!));
  const limit = KERNEL_FORM_TOLERANCES.moments * scale;
  if (!(worst <= limit)) throw new ConformanceError(`${where}: moment ${w0.label} differs from the row sums of ${rowsOf.from} by ${worst.toExponential(2)} (tolerance ${limit.toExponential(2)})`);
}
