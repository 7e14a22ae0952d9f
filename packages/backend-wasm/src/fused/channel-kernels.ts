/**
 * The WASM SIMD kernels of the fused multi-channel 2-D step (`channelStencilRelax` in
 * `@npde/core`; `NpdeChannelStencil` / `NpdeChannelStencilGrad`) for the `wasm`
 * backend, from `csrc/channel_stencil.c` (built into `wasm/channel_stencil.wasm` by
 * `scripts/build-wasm.sh '' channel_stencil`). Two modes, chosen per backend instance like the
 * single-channel kernels': `zero-copy` (the module instantiated on the tfjs heap, reading
 * the tensors in place and writing outputs tfjs allocated; buffers checked to lie inside
 * the memory and not to overlap, the scratch buffer between guard words) when
 * tfjs-backend-wasm is the pinned version and a probe agrees bit for bit with copy mode;
 * else `copy` (the module on its own memory, inputs read with `readSync`, outputs handed
 * back with `write`, every buffer between guard words checked after each call).
 * `wasmBackend.setup()` installs them.
 *
 * @module
 */
import { STENCIL_ACTIVATIONS, STENCIL_OFFSETS_2D, tf, type ChannelStencilConfig, type StencilActivation } from '@npde/core';
import {
  CHANNEL_STENCIL_GRAD_KERNEL,
  CHANNEL_STENCIL_KERNEL,
  channelConfigFromAttrs,
  fusedActivation,
  registerChannelStencilGradient,
  type ChannelStencilAttrs,
} from '@npde/core/internal';
import { readWasmFile } from '#wasm-host';
import { TFJS_WASM_VERSION } from '../errors.js';
import { checkRegions } from './stencil-kernels.js';
import { heapMemoryOf, type HeapBackend, type PublicBackend } from './tfjs-heap.js';
import { WASM_PAGE_BYTES, webAssembly, type WasmMemory, type WasmModule } from './webassembly-api.js';

/** File name of the compiled multi-channel kernels, in the package's `wasm/` folder. */
export const CHANNEL_WASM_FILE = 'channel_stencil.wasm';

/** Where the compiled kernels live: `wasm/channel_stencil.wasm`, two folders above this file (src/fused, dist/fused). */
export const CHANNEL_WASM_URL: URL = (() => {
  try {
    return new URL(`../../wasm/${CHANNEL_WASM_FILE}`, import.meta.url);
  } catch {
    const page = (globalThis as { location?: { href?: string } }).location?.href;
    return new URL(CHANNEL_WASM_FILE, page ?? 'file:///');
  }
})();

/** The functions `csrc/channel_stencil.c` exports (pointers are byte offsets into the memory). */
export interface ChannelWasmExports {
  /** Scratch floats both kernels need for C channels, a 5/9-point stencil and H·W sites; −1 for bad arguments. */
  npde_channel_scratch_floats(channels: number, points: number, sites: number): number;
  /** Forward step; 0, or a nonzero status (1 bad geometry, 2 bad activation, 3 bad size) and nothing written. */
  npde_channel_fwd(
    z: number, taps: number, mixing: number, omega: number, bias: number, out: number, scratch: number,
    batch: number, height: number, width: number, channels: number, points: number, periodic: number, activation: number,
  ): number;
  /** Backward step; 0, or a nonzero status and nothing written. */
  npde_channel_bwd(
    dy: number, z: number, taps: number, mixing: number, omega: number, bias: number,
    dz: number, dtaps: number, dmixing: number, domega: number, dbias: number, scratch: number,
    batch: number, height: number, width: number, channels: number, points: number, periodic: number, activation: number,
  ): number;
}

/** The exports of the shipped module, exactly. */
export const CHANNEL_WASM_EXPORTS = ['npde_channel_scratch_floats', 'npde_channel_fwd', 'npde_channel_bwd'] as const;

/** Read, compile and instantiate the kernels on `memory` (their only import, `env.memory`). */
export async function loadChannelWasm(memory: WasmMemory, url: URL | string = CHANNEL_WASM_URL): Promise<{ module: WasmModule; wasm: ChannelWasmExports }> {
  const api = webAssembly();
  if (!api) throw new Error('this runtime has no WebAssembly');
  const module = await api.compile(await readWasmFile(url));
  const instance = new api.Instance(module, { env: { memory } });
  for (const name of CHANNEL_WASM_EXPORTS) {
    if (typeof instance.exports[name] !== 'function') throw new Error(`${CHANNEL_WASM_FILE} does not export ${name}`);
  }
  return { module, wasm: instance.exports as unknown as ChannelWasmExports };
}

/** The 32-bit word every guard is filled with. */
export const GUARD_WORD = 0xa5c35a3c;
/** Bytes of guard before and after every buffer. */
export const GUARD_BYTES = 64;

/**
 * A bump allocator on the kernels' own memory that puts {@link GUARD_BYTES} of
 * {@link GUARD_WORD} before and after every buffer; {@link GuardedArena.damagedGuard}
 * says whether a kernel wrote outside its buffers.
 */
export class GuardedArena {
  /** The memory the kernels were instantiated on. */
  readonly memory: WasmMemory;
  private top = 0;
  private guards: { name: string; offset: number }[] = [];

  constructor(memory: WasmMemory) {
    this.memory = memory;
  }

  /** Release every buffer (start of a call). */
  reset(): void {
    this.top = 0;
    this.guards = [];
  }

  /** Reserve `floats` floats named `name` between two guards (growing the memory as needed); returns the byte offset. */
  reserve(name: string, floats: number): number {
    const before = Math.ceil(this.top / 16) * 16;
    const offset = before + GUARD_BYTES;
    const after = offset + Math.ceil((floats * 4) / 16) * 16;
    const end = after + GUARD_BYTES;
    if (end > 2 ** 32 - WASM_PAGE_BYTES) throw new Error(`the channel kernel would need ${end} bytes, more than 32-bit WebAssembly memory allows`);
    const have = this.memory.buffer.byteLength;
    if (end > have) this.memory.grow(Math.ceil((end - have) / WASM_PAGE_BYTES));
    const words = new Uint32Array(this.memory.buffer);
    words.fill(GUARD_WORD, before / 4, offset / 4);
    words.fill(GUARD_WORD, after / 4, end / 4);
    this.guards.push({ name: `before ${name}`, offset: before }, { name: `after ${name}`, offset: after });
    this.top = end;
    return offset;
  }

  /** A Float32Array view of `count` floats at `offset`. */
  view(offset: number, count: number): Float32Array {
    return new Float32Array(this.memory.buffer, offset, count);
  }

  /** The name of the first guard that no longer holds {@link GUARD_WORD}, or undefined. */
  damagedGuard(): string | undefined {
    const words = new Uint32Array(this.memory.buffer);
    for (const g of this.guards) {
      for (let w = g.offset / 4; w < g.offset / 4 + GUARD_BYTES / 4; w++) if (words[w] !== GUARD_WORD) return g.name;
    }
    return undefined;
  }
}

const STATUS_TEXT: Readonly<Record<number, string>> = { 1: 'bad geometry', 2: 'bad activation', 3: 'bad size' };

/** The arrays of one call. */
export interface ChannelArrays {
  /** `[B, H·W·C]`. */
  readonly z: ArrayLike<number>;
  /** `[C, K]`. */
  readonly taps: ArrayLike<number>;
  /** `[C, C]`. */
  readonly mixing: ArrayLike<number>;
  /** ω. */
  readonly omega: number;
  /** `[H·W·C]`. */
  readonly bias: ArrayLike<number>;
  /** Batch size. */
  readonly batch: number;
}

function stage(arena: GuardedArena, name: string, values: ArrayLike<number>): number {
  const offset = arena.reserve(name, values.length);
  arena.view(offset, values.length).set(values);
  return offset;
}

function codes(config: ChannelStencilConfig): [number, number, number, number, number, number] {
  return [config.height, config.width, config.channels, config.points, config.boundary === 'periodic' ? 1 : 0, fusedActivation(config.activation).code];
}

function finish(arena: GuardedArena, status: number, what: string): void {
  if (status !== 0) throw new Error(`${CHANNEL_WASM_FILE} ${what}: status ${status} (${STATUS_TEXT[status] ?? 'unknown'})`);
  const damaged = arena.damagedGuard();
  if (damaged) throw new Error(`${CHANNEL_WASM_FILE} ${what} wrote outside its buffers (guard ${damaged} overwritten)`);
}

/** Run the forward kernel on plain arrays in `arena`'s memory; returns z'. Throws on a bad status or a damaged guard. */
export function channelForwardWasm(wasm: ChannelWasmExports, arena: GuardedArena, a: ChannelArrays, config: ChannelStencilConfig): Float32Array {
  arena.reset();
  const n = a.z.length;
  const z = stage(arena, 'z', a.z);
  const taps = stage(arena, 'taps', a.taps);
  const mixing = stage(arena, 'mixing', a.mixing);
  const omega = stage(arena, 'omega', [a.omega]);
  const bias = stage(arena, 'bias', a.bias);
  const out = arena.reserve('out', n);
  const scratch = arena.reserve('scratch', wasm.npde_channel_scratch_floats(config.channels, config.points, config.height * config.width));
  finish(arena, wasm.npde_channel_fwd(z, taps, mixing, omega, bias, out, scratch, a.batch, ...codes(config)), 'forward');
  return arena.view(out, n).slice();
}

/** The backward kernel's outputs. */
export interface ChannelGradsWasm {
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

/** Run the backward kernel on plain arrays in `arena`'s memory. Throws on a bad status or a damaged guard. */
export function channelBackwardWasm(wasm: ChannelWasmExports, arena: GuardedArena, dyValues: ArrayLike<number>, a: ChannelArrays, config: ChannelStencilConfig): ChannelGradsWasm {
  arena.reset();
  const n = a.z.length;
  const { channels: C, points: K } = config;
  const dy = stage(arena, 'dy', dyValues);
  const z = stage(arena, 'z', a.z);
  const taps = stage(arena, 'taps', a.taps);
  const mixing = stage(arena, 'mixing', a.mixing);
  const omega = stage(arena, 'omega', [a.omega]);
  const bias = stage(arena, 'bias', a.bias);
  const dz = arena.reserve('dz', n);
  const dtaps = arena.reserve('dtaps', C * K);
  const dmixing = arena.reserve('dmixing', C * C);
  const domega = arena.reserve('domega', 1);
  const dbias = arena.reserve('dbias', a.bias.length);
  const scratch = arena.reserve('scratch', wasm.npde_channel_scratch_floats(C, K, config.height * config.width));
  finish(arena, wasm.npde_channel_bwd(dy, z, taps, mixing, omega, bias, dz, dtaps, dmixing, domega, dbias, scratch, a.batch, ...codes(config)), 'backward');
  return {
    dz: arena.view(dz, n).slice(),
    dtaps: arena.view(dtaps, C * K).slice(),
    dmixing: arena.view(dmixing, C * C).slice(),
    domega: arena.view(domega, 1)[0]!,
    dbias: arena.view(dbias, a.bias.length).slice(),
  };
}

/**
 * The forward step in float64 from the definition (for the load-time self-test):
 * u = per-channel stencils + mixing − bias, z' = (1 − ω) z + ω f(u).
 */
export function channelForwardFloat64(a: ChannelArrays, config: ChannelStencilConfig): Float64Array {
  const { height: H, width: W, channels: C, points: K, boundary } = config;
  const { f } = fusedActivation(config.activation);
  const out = new Float64Array(a.z.length);
  const at = (b: number, i: number, j: number, c: number): number => {
    if (boundary === 'periodic') return a.z[((b * H + ((i % H) + H) % H) * W + ((j % W) + W) % W) * C + c]!;
    return i < 0 || i >= H || j < 0 || j >= W ? 0 : a.z[((b * H + i) * W + j) * C + c]!;
  };
  for (let b = 0; b < a.batch; b++)
    for (let i = 0; i < H; i++)
      for (let j = 0; j < W; j++)
        for (let c = 0; c < C; c++) {
          let u = -a.bias[(i * W + j) * C + c]!;
          STENCIL_OFFSETS_2D[K].forEach(([di, dj], k) => (u += a.taps[c * K + k]! * at(b, i + di, j + dj, c)));
          for (let d = 0; d < C; d++) u += a.mixing[c * C + d]! * at(b, i, j, d);
          const x = ((b * H + i) * W + j) * C + c;
          out[x] = (1 - a.omega) * a.z[x]! + a.omega * f(u);
        }
  return out;
}

/** How the multi-channel kernels of the wasm backend run, and why. */
export interface ChannelKernelInfo {
  /** `zero-copy` / `copy` (registered; the last backend instance's mode), `pending` (registered, not run yet) or `op-path` (not registered). */
  readonly mode: 'zero-copy' | 'copy' | 'pending' | 'op-path';
  /** Why, in words. */
  readonly reason: string;
}

interface Runner {
  forward(inputs: tf.NamedTensorInfoMap, config: ChannelStencilConfig): tf.TensorInfo;
  backward(inputs: tf.NamedTensorInfoMap, config: ChannelStencilConfig): tf.TensorInfo[];
}

interface Loaded {
  readonly module: WasmModule;
  readonly wasm: ChannelWasmExports;
  readonly arena: GuardedArena;
  readonly preference: string | undefined;
  readonly tfjsWasmVersion: string | undefined;
}

let info: ChannelKernelInfo = { mode: 'op-path', reason: 'wasmBackend.setup() has not installed the multi-channel kernels yet' };
let installation: Promise<ChannelKernelInfo> | undefined;
let loaded: Loaded | undefined;
const runners = new WeakMap<object, Runner>();

/** How `channelStencilRelax` runs on `wasm` in this process, and why. */
export function channelKernelMode(): ChannelKernelInfo {
  return info;
}

function readFloats(backend: PublicBackend, t: tf.TensorInfo): Float32Array {
  const v = backend.readSync(t.dataId);
  if (!(v instanceof Float32Array)) throw new Error('expected float32 values from the backend');
  return v;
}

function arraysOf(inputs: tf.NamedTensorInfoMap, be: PublicBackend): ChannelArrays {
  return {
    z: readFloats(be, inputs['z']!),
    taps: readFloats(be, inputs['taps']!),
    mixing: readFloats(be, inputs['mixing']!),
    omega: readFloats(be, inputs['omega']!)[0]!,
    bias: readFloats(be, inputs['bias']!),
    batch: inputs['z']!.shape[0]!,
  };
}

function output(be: PublicBackend, values: Float32Array, shape: number[]): tf.TensorInfo {
  return { dataId: be.write(values, shape, 'float32'), shape, dtype: 'float32' };
}

function gradShapes(inputs: tf.NamedTensorInfoMap, config: ChannelStencilConfig): { name: string; shape: number[] }[] {
  const { channels: C, points: K } = config;
  return [
    { name: 'dz', shape: [...inputs['z']!.shape] },
    { name: 'dtaps', shape: [C, K] },
    { name: 'dmixing', shape: [C, C] },
    { name: 'domega', shape: [] },
    { name: 'dbias', shape: [...inputs['bias']!.shape] },
  ];
}

/** Copy mode: the kernels on their own memory, through `readSync` / `write`. */
function copyRunner(l: Loaded, be: PublicBackend): Runner {
  return {
    forward: (inputs, config) => output(be, channelForwardWasm(l.wasm, l.arena, arraysOf(inputs, be), config), [...inputs['z']!.shape]),
    backward: (inputs, config) => {
      const g = channelBackwardWasm(l.wasm, l.arena, readFloats(be, inputs['dy']!), arraysOf(inputs, be), config);
      const values = [g.dz, g.dtaps, g.dmixing, Float32Array.of(g.domega), g.dbias];
      return gradShapes(inputs, config).map((o, i) => output(be, values[i]!, o.shape));
    },
  };
}

const floatsOf = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

/**
 * Zero-copy mode: the kernels instantiated on the tfjs heap. Inputs are read in place,
 * outputs and a scratch buffer allocated by tfjs; before the call every buffer is checked
 * to lie inside the memory with no output overlapping another buffer, and the scratch
 * buffer carries {@link GUARD_BYTES} of guard words at both ends, checked after it.
 */
function zeroCopyRunner(wasm: ChannelWasmExports, heap: HeapBackend): Runner {
  const G = GUARD_BYTES / 4;
  const run = (inputs: tf.NamedTensorInfoMap, names: readonly string[], outputs: { name: string; shape: number[] }[], config: ChannelStencilConfig, call: (ins: number[], outs: number[], scratch: number) => number) => {
    const infos: tf.TensorInfo[] = [];
    let scratch: tf.TensorInfo | undefined;
    try {
      for (const o of outputs) infos.push(heap.makeOutput(o.shape));
      const nScratch = wasm.npde_channel_scratch_floats(config.channels, config.points, config.height * config.width);
      scratch = heap.makeOutput([nScratch + 2 * G]);
      // Offsets after every allocation (an allocation may grow the memory).
      const inOffsets = names.map((n) => heap.offsetOf(inputs[n]!));
      const outOffsets = infos.map((i) => heap.offsetOf(i));
      const guarded = heap.offsetOf(scratch);
      checkRegions(
        [
          ...names.map((n, k) => ({ name: n, offset: inOffsets[k]!, bytes: floatsOf(inputs[n]!.shape) * 4, writes: false })),
          ...outputs.map((o, k) => ({ name: o.name, offset: outOffsets[k]!, bytes: floatsOf(o.shape) * 4, writes: true })),
          { name: 'scratch', offset: guarded, bytes: (nScratch + 2 * G) * 4, writes: true },
        ],
        heap.memory.buffer.byteLength,
      );
      const words = new Uint32Array(heap.memory.buffer, guarded, nScratch + 2 * G);
      words.fill(GUARD_WORD, 0, G);
      words.fill(GUARD_WORD, G + nScratch);
      const status = call(inOffsets, outOffsets, guarded + GUARD_BYTES);
      if (status !== 0) throw new Error(`${CHANNEL_WASM_FILE}: status ${status} (${STATUS_TEXT[status] ?? 'unknown'})`);
      const after = new Uint32Array(heap.memory.buffer, guarded, nScratch + 2 * G);
      for (let w = 0; w < after.length; w++) {
        if ((w < G || w >= G + nScratch) && after[w] !== GUARD_WORD) throw new Error(`${CHANNEL_WASM_FILE} wrote outside its scratch buffer (guard word ${w})`);
      }
      return infos;
    } catch (err) {
      for (const i of infos) heap.dispose(i);
      throw err;
    } finally {
      if (scratch) heap.dispose(scratch);
    }
  };
  return {
    forward: (inputs, config) =>
      run(inputs, ['z', 'taps', 'mixing', 'omega', 'bias'], [{ name: 'out', shape: [...inputs['z']!.shape] }], config, ([z, t, m, o, b], [out], scratch) =>
        wasm.npde_channel_fwd(z!, t!, m!, o!, b!, out!, scratch, inputs['z']!.shape[0]!, ...codes(config)),
      )[0]!,
    backward: (inputs, config) =>
      run(inputs, ['dy', 'z', 'taps', 'mixing', 'omega', 'bias'], gradShapes(inputs, config), config, ([dy, z, t, m, o, b], [dz, dt, dm, dom, db], scratch) =>
        wasm.npde_channel_bwd(dy!, z!, t!, m!, o!, b!, dz!, dt!, dm!, dom!, db!, scratch, inputs['z']!.shape[0]!, ...codes(config)),
      ),
  };
}

/** The probe of zero-copy mode: the same problem through both runners must give the same bits. */
function probeZeroCopy(zero: Runner, copy: Runner, be: PublicBackend): void {
  const config: ChannelStencilConfig = { height: 3, width: 5, channels: 6, points: 9, boundary: 'periodic', activation: 'tanh' };
  const N = 90;
  const wave = (n: number, f: number, amp: number) => Float32Array.from({ length: n }, (_, i) => Math.fround(amp * Math.sin(f * i + 0.4)));
  const made: tf.TensorInfo[] = [];
  const put = (values: Float32Array, shape: number[]) => {
    const t = output(be, values, shape);
    made.push(t);
    return t;
  };
  try {
    const inputs = {
      z: put(wave(2 * N, 0.9, 1), [2, N]),
      taps: put(wave(54, 1.7, 0.4), [6, 9]),
      mixing: put(wave(36, 2.1, 0.4), [6, 6]),
      omega: put(Float32Array.of(0.625), []),
      bias: put(wave(N, 2.3, 0.3), [N]),
      dy: put(wave(2 * N, 1.3, 1), [2, N]),
    } as unknown as tf.NamedTensorInfoMap;
    const a = [zero.forward(inputs, config), ...zero.backward(inputs, config)];
    made.push(...a);
    const b = [copy.forward(inputs, config), ...copy.backward(inputs, config)];
    made.push(...b);
    a.forEach((t, i) => {
      const x = readFloats(be, t);
      const y = readFloats(be, b[i]!);
      if (x.length !== y.length || x.some((v, j) => !Object.is(v, y[j]))) throw new Error(`probe output ${i} differs from copy mode`);
    });
  } finally {
    for (const t of made) be.disposeData(t.dataId, true);
  }
}

function chooseRunner(backend: object, l: Loaded): Runner {
  const be = backend as PublicBackend;
  const copy = copyRunner(l, be);
  const useCopy = (reason: string): Runner => {
    info = { mode: 'copy', reason };
    return copy;
  };
  if (l.preference === 'copy') return useCopy('copy mode was asked for: WASM SIMD kernels on their own memory, inputs and outputs copied, guard words checked after every call');
  if (l.tfjsWasmVersion !== TFJS_WASM_VERSION) return useCopy(`@tensorflow/tfjs-backend-wasm is ${String(l.tfjsWasmVersion)}, not the pinned ${TFJS_WASM_VERSION}: copying`);
  const heap = heapMemoryOf(backend);
  if ('reason' in heap) return useCopy(`${heap.reason}: copying`);
  try {
    const api = webAssembly()!;
    const instance = new api.Instance(l.module, { env: { memory: heap.memory } });
    const zero = zeroCopyRunner(instance.exports as unknown as ChannelWasmExports, heap);
    probeZeroCopy(zero, copy, be);
    info = { mode: 'zero-copy', reason: `WASM SIMD kernels on the tfjs heap (tfjs-backend-wasm ${TFJS_WASM_VERSION}; probe passed): no copies` };
    return zero;
  } catch (err) {
    return useCopy(`zero-copy failed its probe (${err instanceof Error ? err.message : String(err)}): copying`);
  }
}

function runnerFor(backend: object): Runner {
  if (!loaded) throw new Error('the multi-channel kernels ran before they were loaded');
  let r = runners.get(backend);
  if (!r) {
    r = chooseRunner(backend, loaded);
    runners.set(backend, r);
  }
  return r;
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap };

/** The forward kernel config registered for `wasm`. */
export const wasmChannelStencilKernel: tf.KernelConfig = Object.freeze({
  kernelName: CHANNEL_STENCIL_KERNEL,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }: KernelArgs) => runnerFor(backend).forward(inputs, channelConfigFromAttrs(attrs as unknown as ChannelStencilAttrs)),
}) as tf.KernelConfig;

/** The backward kernel config registered for `wasm`. */
export const wasmChannelStencilGradKernel: tf.KernelConfig = Object.freeze({
  kernelName: CHANNEL_STENCIL_GRAD_KERNEL,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }: KernelArgs) => runnerFor(backend).backward(inputs, channelConfigFromAttrs(attrs as unknown as ChannelStencilAttrs)),
}) as tf.KernelConfig;

/** Self-test: every activation's forward on a small periodic and zero case against float64. */
function selfTest(wasm: ChannelWasmExports, arena: GuardedArena): void {
  const wave = (n: number, f: number, p: number, amp: number) => Float32Array.from({ length: n }, (_, i) => Math.fround(amp * Math.sin(f * i + p)));
  for (const activation of STENCIL_ACTIVATIONS as readonly StencilActivation[]) {
    for (const [points, boundary] of [[9, 'periodic'], [5, 'zero']] as const) {
      const config: ChannelStencilConfig = { height: 3, width: 4, channels: 5, points, boundary, activation };
      const N = 60;
      const a: ChannelArrays = { z: wave(2 * N, 0.9, 0.3, 1), taps: wave(5 * points, 1.7, 1.1, 0.4), mixing: wave(25, 2.1, 0.2, 0.4), omega: 0.625, bias: wave(N, 2.3, -0.4, 0.3), batch: 2 };
      const got = channelForwardWasm(wasm, arena, a, config);
      const want = channelForwardFloat64(a, config);
      const bad = want.findIndex((x, i) => !(Math.abs(got[i]! - x) <= 1e-5));
      if (bad >= 0) throw new Error(`self-test: '${activation}' (${points}-point, ${boundary}) gives ${got[bad]} at ${bad}, float64 ${want[bad]}`);
    }
  }
}

async function install(preference: string | undefined, url: URL | string | undefined, tfjsWasmVersion: string | undefined): Promise<ChannelKernelInfo> {
  if (preference === 'off') return (info = { mode: 'op-path', reason: 'fused kernels turned off: channelStencilRelax runs the tfjs-op path' });
  const api = webAssembly();
  if (!api) return (info = { mode: 'op-path', reason: 'this runtime has no WebAssembly: channelStencilRelax runs the tfjs-op path' });
  try {
    const memory = new api.Memory({ initial: 1 });
    const { module, wasm } = await loadChannelWasm(memory, url);
    const arena = new GuardedArena(memory);
    selfTest(wasm, arena);
    loaded = { module, wasm, arena, preference, tfjsWasmVersion };
  } catch (err) {
    return (info = { mode: 'op-path', reason: `the multi-channel kernels could not be loaded (${err instanceof Error ? err.message : String(err)}): channelStencilRelax runs the tfjs-op path` });
  }
  for (const config of [wasmChannelStencilKernel, wasmChannelStencilGradKernel]) {
    const existing = tf.getKernel(config.kernelName, 'wasm');
    if (existing && existing !== config) return (info = { mode: 'op-path', reason: `another ${config.kernelName} kernel is registered for 'wasm'; npde's was not registered` });
  }
  for (const config of [wasmChannelStencilKernel, wasmChannelStencilGradKernel]) if (!tf.getKernel(config.kernelName, 'wasm')) tf.registerKernel(config);
  registerChannelStencilGradient();
  info = { mode: 'pending', reason: 'registered; the mode is chosen on the first call on a wasm backend instance' };
  return info;
}

/**
 * Load, self-test and register the multi-channel kernels for `wasm`, once per process
 * (later calls return the first call's result). Never throws: a failure leaves them
 * unregistered (`channelStencilRelax` then runs the op path) with the reason in
 * {@link channelKernelMode}. The mode (zero-copy or copy) is chosen per backend instance
 * on its first call.
 *
 * @param preference - `off` registers nothing, `copy` forces copy mode (as the `fusedKernels` option / `NPDE_WASM_FUSED`); otherwise `auto`.
 * @param url - where to read `channel_stencil.wasm` (default: the package's file).
 * @param tfjsWasmVersion - the loaded `@tensorflow/tfjs-backend-wasm` version (zero-copy needs the pinned one).
 */
export function installChannelKernels(preference?: string, url?: URL | string, tfjsWasmVersion?: string): Promise<ChannelKernelInfo> {
  installation ??= install(preference, url, tfjsWasmVersion);
  return installation;
}
