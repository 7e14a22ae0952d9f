/**
 * The plain-TypeScript `NpdeChannelStencil` / `NpdeChannelStencilGrad` kernels of the
 * fused multi-channel 2-D step (`channelStencilRelax` in `@npde/core`) for tfjs's `cpu`
 * backend. `cpuBackend.setup()` registers them; nothing here runs at import.
 *
 * @module
 */
import { tf, type ChannelStencilConfig } from '@npde/core';
import {
  CHANNEL_STENCIL_GRAD_KERNEL,
  CHANNEL_STENCIL_KERNEL,
  channelConfigFromAttrs,
  fusedActivation,
  registerChannelStencilGradient,
  stencilNeighbourTable,
  type ChannelStencilAttrs,
} from '@npde/core/internal';

/** The tensors and settings of one multi-channel step for the plain-TypeScript kernels. */
export interface ChannelStencilCpuArgs {
  /** `B·H·W·C` values, `[B, H·W·C]`, channels last. */
  readonly z: ArrayLike<number>;
  /** `C·K` values, `[C, K]`. */
  readonly taps: ArrayLike<number>;
  /** `C·C` values, `[out, in]`. */
  readonly mixing: ArrayLike<number>;
  /** ω. */
  readonly omega: number;
  /** `H·W·C` values (one per site and channel). */
  readonly bias: ArrayLike<number>;
  /** Batch size B. */
  readonly batch: number;
  /** Grid, channels, footprint, boundary and activation. */
  readonly config: ChannelStencilConfig;
}

/** The five gradients {@link channelStencilBackwardCpu} returns (float32). */
export interface ChannelStencilCpuGrads {
  /** `[B, H·W·C]`. */
  readonly dz: Float32Array;
  /** `[C, K]`. */
  readonly dtaps: Float32Array;
  /** `[C, C]`. */
  readonly dmixing: Float32Array;
  /** dL/dω. */
  readonly domega: number;
  /** `[H·W·C]`. */
  readonly dbias: Float32Array;
}

function table(config: ChannelStencilConfig): Int32Array {
  return stencilNeighbourTable({ dims: 2, height: config.height, width: config.width, points: config.points }, config.boundary);
}

/** u for batch row at `base` (offset of z[b, 0]), into `u` (`S·C` values). */
function preactivation(args: ChannelStencilCpuArgs, nb: Int32Array, base: number, u: Float64Array): void {
  const { z, taps, mixing, bias } = args;
  const { height, width, channels: C, points: K } = args.config;
  const S = height * width;
  for (let s = 0; s < S; s++) {
    for (let c = 0; c < C; c++) {
      let acc = -bias[s * C + c]!;
      for (let k = 0; k < K; k++) {
        const n = nb[s * K + k]!;
        if (n >= 0) acc += taps[c * K + k]! * z[base + n * C + c]!;
      }
      for (let c2 = 0; c2 < C; c2++) acc += mixing[c * C + c2]! * z[base + s * C + c2]!;
      u[s * C + c] = acc;
    }
  }
}

/**
 * The forward step `z' = (1 − ω) z + ω f(u)`, u = per-channel stencils + channel mixing −
 * bias, in float64 arithmetic (float32 result). The `cpu` kernel `NpdeChannelStencil` runs it.
 */
export function channelStencilForwardCpu(args: ChannelStencilCpuArgs): Float32Array {
  const { z, omega, batch: B, config } = args;
  const N = config.height * config.width * config.channels;
  const { f } = fusedActivation(config.activation);
  const nb = table(config);
  const out = new Float32Array(B * N);
  const u = new Float64Array(N);
  for (let b = 0; b < B; b++) {
    preactivation(args, nb, b * N, u);
    for (let i = 0; i < N; i++) out[b * N + i] = (1 - omega) * z[b * N + i]! + omega * f(u[i]!);
  }
  return out;
}

/**
 * The backward step for upstream gradient `dy` (`[B, H·W·C]`), with g = ω · dy ⊙ f′(u):
 * dz = (1 − ω) dy + Wᵀ g (stencil transposed per channel, mixingᵀ over channels),
 * dtaps[c, k] = Σ g[b, s, c] z[b, nb(s, k), c], dmixing[c, c'] = Σ g[b, s, c] z[b, s, c'],
 * dbias = −Σ_b g, dω = Σ (f(u) − z) ⊙ dy. The `cpu` kernel `NpdeChannelStencilGrad` runs it.
 */
export function channelStencilBackwardCpu(dy: ArrayLike<number>, args: ChannelStencilCpuArgs): ChannelStencilCpuGrads {
  const { z, taps, mixing, omega, batch: B, config } = args;
  const { height, width, channels: C, points: K } = config;
  const S = height * width;
  const N = S * C;
  const { f, df } = fusedActivation(config.activation);
  const nb = table(config);
  const dz = new Float64Array(B * N);
  const dtaps = new Float64Array(C * K);
  const dmixing = new Float64Array(C * C);
  const dbias = new Float64Array(N);
  let domega = 0;
  const u = new Float64Array(N);
  for (let b = 0; b < B; b++) {
    const base = b * N;
    preactivation(args, nb, base, u);
    for (let s = 0; s < S; s++) {
      for (let c = 0; c < C; c++) {
        const i = s * C + c;
        const d = dy[base + i]!;
        const a = f(u[i]!);
        const g = omega * d * df(u[i]!, a);
        domega += (a - z[base + i]!) * d;
        dz[base + i] += (1 - omega) * d;
        dbias[i] -= g;
        for (let k = 0; k < K; k++) {
          const n = nb[s * K + k]!;
          if (n < 0) continue;
          dz[base + n * C + c] += taps[c * K + k]! * g;
          dtaps[c * K + k] += g * z[base + n * C + c]!;
        }
        for (let c2 = 0; c2 < C; c2++) {
          dz[base + s * C + c2] += mixing[c * C + c2]! * g;
          dmixing[c * C + c2] += g * z[base + s * C + c2]!;
        }
      }
    }
  }
  return { dz: Float32Array.from(dz), dtaps: Float32Array.from(dtaps), dmixing: Float32Array.from(dmixing), domega: Math.fround(domega), dbias: Float32Array.from(dbias) };
}

interface CpuBackendLike {
  readSync(dataId: object): ArrayLike<number>;
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo;
}

function readArgs(inputs: tf.NamedTensorInfoMap, backend: CpuBackendLike, attrs: ChannelStencilAttrs): ChannelStencilCpuArgs {
  const read = (name: string) => backend.readSync(inputs[name]!.dataId);
  return {
    z: read('z'),
    taps: read('taps'),
    mixing: read('mixing'),
    omega: read('omega')[0]!,
    bias: read('bias'),
    batch: inputs['z']!.shape[0]!,
    config: channelConfigFromAttrs(attrs),
  };
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap };

/** `NpdeChannelStencil` for the `cpu` backend (runs {@link channelStencilForwardCpu}). */
export const channelStencilCpuKernelConfig: tf.KernelConfig = Object.freeze({
  kernelName: CHANNEL_STENCIL_KERNEL,
  backendName: 'cpu',
  kernelFunc: ({ inputs, backend, attrs }: KernelArgs) => {
    const be = backend as CpuBackendLike;
    const args = readArgs(inputs, be, attrs as unknown as ChannelStencilAttrs);
    return be.makeTensorInfo([...inputs['z']!.shape], 'float32', channelStencilForwardCpu(args));
  },
});

/** `NpdeChannelStencilGrad` for the `cpu` backend (runs {@link channelStencilBackwardCpu}). */
export const channelStencilGradCpuKernelConfig: tf.KernelConfig = Object.freeze({
  kernelName: CHANNEL_STENCIL_GRAD_KERNEL,
  backendName: 'cpu',
  kernelFunc: ({ inputs, backend, attrs }: KernelArgs) => {
    const be = backend as CpuBackendLike;
    const args = readArgs(inputs, be, attrs as unknown as ChannelStencilAttrs);
    const g = channelStencilBackwardCpu(be.readSync(inputs['dy']!.dataId), args);
    const { channels: C, points: K } = args.config;
    return [
      be.makeTensorInfo([...inputs['z']!.shape], 'float32', g.dz),
      be.makeTensorInfo([C, K], 'float32', g.dtaps),
      be.makeTensorInfo([C, C], 'float32', g.dmixing),
      be.makeTensorInfo([], 'float32', Float32Array.of(g.domega)),
      be.makeTensorInfo([...inputs['bias']!.shape], 'float32', g.dbias),
    ];
  },
});

/**
 * Register both channel-stencil kernels for `cpu` (each once) and their gradient.
 * `cpuBackend.setup()` calls it.
 */
export function registerChannelStencilCpuKernels(): void {
  if (tf.getKernel(CHANNEL_STENCIL_KERNEL, 'cpu') == null) tf.registerKernel(channelStencilCpuKernelConfig);
  if (tf.getKernel(CHANNEL_STENCIL_GRAD_KERNEL, 'cpu') == null) tf.registerKernel(channelStencilGradCpuKernelConfig);
  registerChannelStencilGradient();
}
