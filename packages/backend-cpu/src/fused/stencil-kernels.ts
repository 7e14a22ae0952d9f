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
  STENCIL_TRAJECTORY_GRAD_KERNEL,
  STENCIL_TRAJECTORY_KERNEL,
  fusedActivation,
  geometryFromAttrs,
  registerStencilRelaxGradient,
  registerStencilTrajectoryGradient,
  setFusedPathInfo,
  stencilNeighbourTable,
  type StencilRelaxAttrs,
  type StencilTrajectoryAttrs,
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

/** Layer `l`'s part of a shared (`n` values) or per-step (`L·n` values) input. */
function layerPart(values: ArrayLike<number>, n: number, l: number): ArrayLike<number> {
  if (values.length === n) return values;
  return part(values, l * n, (l + 1) * n);
}

/** `values[from, to)`, a view where `values` is a typed array. */
function part(values: ArrayLike<number>, from: number, to: number): ArrayLike<number> {
  return ArrayBuffer.isView(values) ? (values as Float32Array).subarray(from, to) : (Array.prototype.slice.call(values, from, to) as number[]);
}

/**
 * The whole trajectory of L steps (`NpdeStencilRelaxTrajectory`): z_{l+1} = step(z_l)
 * with layer l's taps and bias (`taps` `S·K` shared or `L·S·K` per step, `bias` `S`
 * or `L·S`). Returns z_L and the states z_0 … z_{L−1} (`L·B·S`, what the backward reads).
 */
export function stencilTrajectoryForwardCpu(args: StencilRelaxCpuArgs, layers: number): { out: Float32Array; states: Float32Array } {
  const S = siteCount(args.geometry);
  const K = tapCount(args.geometry);
  const F = args.batch * S;
  const states = new Float32Array(layers * F);
  let z: ArrayLike<number> = args.z;
  for (let l = 0; l < layers; l++) {
    states.set(z, l * F);
    z = stencilRelaxForwardCpu({ ...args, z, taps: layerPart(args.taps, S * K, l), bias: layerPart(args.bias, S, l) });
  }
  return { out: z as Float32Array, states };
}

/**
 * The whole backward sweep (`NpdeStencilRelaxTrajectoryGrad`): from l = L−1 down to 0,
 * layer l's backward step at the saved state z_l; dz is carried down, and the taps'
 * and bias' gradients are summed over the layers when shared (else kept per layer), ω's always.
 */
export function stencilTrajectoryBackwardCpu(dy: ArrayLike<number>, states: ArrayLike<number>, args: Omit<StencilRelaxCpuArgs, 'z'>, layers: number): StencilRelaxCpuGrads {
  const S = siteCount(args.geometry);
  const K = tapCount(args.geometry);
  const F = args.batch * S;
  const dtaps = new Float64Array(args.taps.length);
  const dbias = new Float64Array(args.bias.length);
  let domega = 0;
  let g: ArrayLike<number> = dy;
  for (let l = layers - 1; l >= 0; l--) {
    const z = part(states, l * F, (l + 1) * F);
    const r = stencilRelaxBackwardCpu(g, { ...args, z, taps: layerPart(args.taps, S * K, l), bias: layerPart(args.bias, S, l) });
    const tOff = args.taps.length === S * K ? 0 : l * S * K;
    for (let i = 0; i < S * K; i++) dtaps[tOff + i] += r.dtaps[i]!;
    const bOff = args.bias.length === S ? 0 : l * S;
    for (let i = 0; i < S; i++) dbias[bOff + i] += r.dbias[i]!;
    domega += r.domega;
    g = r.dz;
  }
  return { dz: Float32Array.from(g), dtaps: new Float32Array(dtaps), domega, dbias: new Float32Array(dbias) };
}

/** `NpdeStencilRelaxTrajectory` for the `cpu` backend (runs {@link stencilTrajectoryForwardCpu}). */
export const stencilTrajectoryCpuKernelConfig: tf.KernelConfig = Object.freeze({
  kernelName: STENCIL_TRAJECTORY_KERNEL,
  backendName: 'cpu',
  kernelFunc: ({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap }) => {
    const be = backend as CpuBackendLike;
    const a = attrs as unknown as StencilTrajectoryAttrs;
    const args = readArgs(inputs, be, a);
    const S = siteCount(args.geometry);
    const { out, states } = stencilTrajectoryForwardCpu(args, a.layers);
    // The cache (what a backend keeps for its own backward besides the states) is empty here: the cpu backward recomputes.
    return [
      be.makeTensorInfo([args.batch, S], 'float32', out),
      be.makeTensorInfo([a.layers, args.batch, S], 'float32', states),
      be.makeTensorInfo([0], 'float32', new Float32Array(0)),
    ];
  },
});

/** `NpdeStencilRelaxTrajectoryGrad` for the `cpu` backend (runs {@link stencilTrajectoryBackwardCpu}). */
export const stencilTrajectoryGradCpuKernelConfig: tf.KernelConfig = Object.freeze({
  kernelName: STENCIL_TRAJECTORY_GRAD_KERNEL,
  backendName: 'cpu',
  kernelFunc: ({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap }) => {
    const be = backend as CpuBackendLike;
    const a = attrs as unknown as StencilTrajectoryAttrs;
    const dy = inputs['dy']!;
    const [B, S] = dy.shape as [number, number];
    const taps = inputs['taps']!;
    const bias = inputs['bias']!;
    const g = stencilTrajectoryBackwardCpu(
      be.readSync(dy.dataId),
      be.readSync(inputs['states']!.dataId),
      {
        taps: be.readSync(taps.dataId),
        omega: be.readSync(inputs['omega']!.dataId)[0]!,
        bias: be.readSync(bias.dataId),
        batch: B,
        geometry: geometryFromAttrs(a, S),
        boundary: a.boundary,
        activation: a.activation,
      },
      a.layers,
    );
    return [
      be.makeTensorInfo([B, S], 'float32', g.dz),
      be.makeTensorInfo([...taps.shape], 'float32', g.dtaps),
      be.makeTensorInfo([], 'float32', Float32Array.of(g.domega)),
      be.makeTensorInfo([...bias.shape], 'float32', g.dbias),
    ];
  },
});

/**
 * Register the `cpu` stencil kernels (one step and whole trajectory), their gradients and the `cpu`
 * path info (every activation of core's table: the kernels evaluate the table's
 * scalar formulas). Idempotent: a kernel already registered for `cpu` is left as is.
 * `cpuBackend.setup()` calls it; call it again only after `tf.unregisterKernel`.
 */
export function registerStencilRelaxCpuKernels(): void {
  if (tf.getKernel(STENCIL_RELAX_KERNEL, 'cpu') == null) tf.registerKernel(stencilRelaxCpuKernelConfig);
  if (tf.getKernel(STENCIL_RELAX_GRAD_KERNEL, 'cpu') == null) tf.registerKernel(stencilRelaxGradCpuKernelConfig);
  if (tf.getKernel(STENCIL_TRAJECTORY_KERNEL, 'cpu') == null) tf.registerKernel(stencilTrajectoryCpuKernelConfig);
  if (tf.getKernel(STENCIL_TRAJECTORY_GRAD_KERNEL, 'cpu') == null) tf.registerKernel(stencilTrajectoryGradCpuKernelConfig);
  registerStencilRelaxGradient();
  registerStencilTrajectoryGradient();
  setFusedPathInfo('cpu', {
    mode: 'cpu',
    reason: `@npde/backend-cpu's plain-TypeScript ${STENCIL_RELAX_KERNEL}/${STENCIL_RELAX_GRAD_KERNEL} kernels are registered for the 'cpu' backend`,
  });
}
