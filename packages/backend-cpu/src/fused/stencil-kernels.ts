/**
 * The plain-TypeScript `NpdeStencilRelax` / `NpdeStencilRelaxGrad` kernels of the
 * fused stencil-relaxation op (`docs/design/stencil-relax.md`) for tfjs's `cpu`
 * backend. `cpuBackend.setup()` registers them; nothing here runs at import.
 *
 * @module
 */
import { siteCount, tapCount, tf, type StencilActivation, type StencilBoundary, type StencilGeometry } from '@npde/core';
import {
  STENCIL_RELAX_GRAD_KERNEL,
  STENCIL_RELAX_KERNEL,
  fusedActivation,
  geometryFromAttrs,
  registerStencilRelaxGradient,
  setFusedPathInfo,
  stencilNeighbourTable,
  type StencilRelaxAttrs,
} from '@npde/core/internal';

/** The tensors and settings of one step for the plain-TypeScript kernels. */
export interface StencilRelaxCpuArgs {
  /** The field, `B·S` values, row-major `[B, S]`. */
  readonly z: ArrayLike<number>;
  /** `S·K` values, row-major `[S, K]`. */
  readonly taps: ArrayLike<number>;
  /** ω. */
  readonly omega: number;
  /** `S` values. */
  readonly bias: ArrayLike<number>;
  /** Batch size B. */
  readonly batch: number;
  /** Grid and footprint. */
  readonly geometry: StencilGeometry;
  /** Boundary. */
  readonly boundary: StencilBoundary;
  /** Activation: an entry of core's fused activation table, whose scalar f and f′ the kernels evaluate. */
  readonly activation: StencilActivation;
}

/** The four gradients {@link stencilRelaxBackwardCpu} returns (float32). */
export interface StencilRelaxCpuGrads {
  /** `[B, S]`. */
  readonly dz: Float32Array;
  /** `[S, K]`. */
  readonly dtaps: Float32Array;
  /** dL/dω. */
  readonly domega: number;
  /** `[S]`. */
  readonly dbias: Float32Array;
}

const tables = new Map<string, Int32Array>();

function neighbourTable(geometry: StencilGeometry, boundary: StencilBoundary): Int32Array {
  const key = geometry.dims === 1 ? `1:${geometry.sites}:${geometry.radius}:${boundary}` : `2:${geometry.height}:${geometry.width}:${geometry.points}:${boundary}`;
  let t = tables.get(key);
  if (!t) {
    if (tables.size >= 64) tables.clear();
    t = stencilNeighbourTable(geometry, boundary);
    tables.set(key, t);
  }
  return t;
}

/** u[s] = Σ_k taps[s, k] · z[b, nb(s, k)] − bias[s] for batch row b, into `u`. */
function preactivation(z: ArrayLike<number>, taps: ArrayLike<number>, bias: ArrayLike<number>, nb: Int32Array, base: number, S: number, K: number, u: Float64Array): void {
  for (let s = 0; s < S; s++) {
    let acc = -bias[s]!;
    const row = s * K;
    for (let k = 0; k < K; k++) {
      const n = nb[row + k]!;
      if (n >= 0) acc += taps[row + k]! * z[base + n]!;
    }
    u[s] = acc;
  }
}

/** a = f(u) into `a`; and, when `fp` is given, f'(u) into `fp` (the table's scalar formulas). */
function activate(activation: StencilActivation, u: Float64Array, a: Float64Array, fp?: Float64Array): void {
  const { f, df } = fusedActivation(activation);
  for (let i = 0; i < u.length; i++) {
    const y = f(u[i]!);
    a[i] = y;
    if (fp) fp[i] = df(u[i]!, y);
  }
}

/**
 * The forward step `z' = (1 − ω) z + ω f(W z − b)` in plain TypeScript (float64
 * arithmetic, float32 result), looping over batch × sites × taps with a precomputed
 * neighbour table. The `cpu` kernel `NpdeStencilRelax` runs it.
 */
export function stencilRelaxForwardCpu(args: StencilRelaxCpuArgs): Float32Array {
  const { z, taps, omega, bias, batch: B, geometry, boundary, activation } = args;
  const S = siteCount(geometry);
  const K = tapCount(geometry);
  const nb = neighbourTable(geometry, boundary);
  const out = new Float32Array(B * S);
  const u = new Float64Array(S);
  const a = new Float64Array(S);
  const keep = 1 - omega;
  for (let b = 0; b < B; b++) {
    const base = b * S;
    preactivation(z, taps, bias, nb, base, S, K, u);
    activate(activation, u, a);
    for (let s = 0; s < S; s++) out[base + s] = keep * z[base + s]! + omega * a[s]!;
  }
  return out;
}

/**
 * The backward step in plain TypeScript, for upstream gradient `dy` (`[B, S]`), with
 * u = W z − b, a = f(u), g = ω · dy ⊙ f'(u):
 * dz = (1 − ω) dy + Wᵀ g, dtaps[s, k] = Σ_b g[b, s] · z[b, nb(s, k)],
 * dbias = −Σ_b g, dω = Σ (a − z) ⊙ dy. Taps that read outside a `zero` boundary get 0.
 * The `cpu` kernel `NpdeStencilRelaxGrad` runs it.
 */
export function stencilRelaxBackwardCpu(dy: ArrayLike<number>, args: StencilRelaxCpuArgs): StencilRelaxCpuGrads {
  const { z, taps, omega, bias, batch: B, geometry, boundary, activation } = args;
  const S = siteCount(geometry);
  const K = tapCount(geometry);
  const nb = neighbourTable(geometry, boundary);
  const dz = new Float64Array(B * S);
  const dtaps = new Float64Array(S * K);
  const dbias = new Float64Array(S);
  let domega = 0;
  const u = new Float64Array(S);
  const a = new Float64Array(S);
  const fp = new Float64Array(S);
  const keep = 1 - omega;
  for (let b = 0; b < B; b++) {
    const base = b * S;
    preactivation(z, taps, bias, nb, base, S, K, u);
    activate(activation, u, a, fp);
    for (let s = 0; s < S; s++) {
      const d = dy[base + s]!;
      const g = omega * d * fp[s]!;
      domega += (a[s]! - z[base + s]!) * d;
      dz[base + s] += keep * d;
      dbias[s] -= g;
      if (g === 0) continue;
      const row = s * K;
      for (let k = 0; k < K; k++) {
        const n = nb[row + k]!;
        if (n < 0) continue;
        dz[base + n] += taps[row + k]! * g;
        dtaps[row + k] += g * z[base + n]!;
      }
    }
  }
  return { dz: new Float32Array(dz), dtaps: new Float32Array(dtaps), domega, dbias: new Float32Array(dbias) };
}

/** The part of tfjs's cpu backend the kernels use. */
interface CpuBackendLike {
  readSync(dataId: object): ArrayLike<number>;
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo;
}

function readArgs(inputs: tf.NamedTensorInfoMap, backend: CpuBackendLike, attrs: StencilRelaxAttrs): StencilRelaxCpuArgs {
  const z = inputs['z']!;
  const [B, S] = z.shape as [number, number];
  return {
    z: backend.readSync(z.dataId),
    taps: backend.readSync(inputs['taps']!.dataId),
    omega: backend.readSync(inputs['omega']!.dataId)[0]!,
    bias: backend.readSync(inputs['bias']!.dataId),
    batch: B,
    geometry: geometryFromAttrs(attrs, S),
    boundary: attrs.boundary,
    activation: attrs.activation,
  };
}

/** `NpdeStencilRelax` for the `cpu` backend (runs {@link stencilRelaxForwardCpu}). */
export const stencilRelaxCpuKernelConfig: tf.KernelConfig = Object.freeze({
  kernelName: STENCIL_RELAX_KERNEL,
  backendName: 'cpu',
  kernelFunc: ({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap }) => {
    const be = backend as CpuBackendLike;
    const args = readArgs(inputs, be, attrs as unknown as StencilRelaxAttrs);
    return be.makeTensorInfo([args.batch, siteCount(args.geometry)], 'float32', stencilRelaxForwardCpu(args));
  },
});

/** `NpdeStencilRelaxGrad` for the `cpu` backend (runs {@link stencilRelaxBackwardCpu}). */
export const stencilRelaxGradCpuKernelConfig: tf.KernelConfig = Object.freeze({
  kernelName: STENCIL_RELAX_GRAD_KERNEL,
  backendName: 'cpu',
  kernelFunc: ({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap }) => {
    const be = backend as CpuBackendLike;
    const args = readArgs(inputs, be, attrs as unknown as StencilRelaxAttrs);
    const g = stencilRelaxBackwardCpu(be.readSync(inputs['dy']!.dataId), args);
    const S = siteCount(args.geometry);
    return [
      be.makeTensorInfo([args.batch, S], 'float32', g.dz),
      be.makeTensorInfo([S, tapCount(args.geometry)], 'float32', g.dtaps),
      be.makeTensorInfo([], 'float32', Float32Array.of(g.domega)),
      be.makeTensorInfo([S], 'float32', g.dbias),
    ];
  },
});

/**
 * Register the `cpu` stencil kernels, the `NpdeStencilRelax` gradient and the `cpu`
 * path info (every activation of core's table: the kernels evaluate the table's
 * scalar formulas). Idempotent: a kernel already registered for `cpu` is left as is.
 * `cpuBackend.setup()` calls it; call it again only after `tf.unregisterKernel`.
 */
export function registerStencilRelaxCpuKernels(): void {
  if (tf.getKernel(STENCIL_RELAX_KERNEL, 'cpu') == null) tf.registerKernel(stencilRelaxCpuKernelConfig);
  if (tf.getKernel(STENCIL_RELAX_GRAD_KERNEL, 'cpu') == null) tf.registerKernel(stencilRelaxGradCpuKernelConfig);
  registerStencilRelaxGradient();
  setFusedPathInfo('cpu', {
    mode: 'cpu',
    reason: `@npde/backend-cpu's plain-TypeScript ${STENCIL_RELAX_KERNEL}/${STENCIL_RELAX_GRAD_KERNEL} kernels are registered for the 'cpu' backend`,
  });
}
