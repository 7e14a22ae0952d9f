import { STENCIL_ACTIVATIONS, tf, type StencilActivation } from '@npde/core';
import {
  STENCIL_RELAX_GRAD_KERNEL,
  STENCIL_RELAX_KERNEL,
  STENCIL_TRAJECTORY_GRAD_KERNEL,
  STENCIL_TRAJECTORY_KERNEL,
  clearFusedPathInfo,
  fusedActivation,
  registerStencilRelaxGradient,
  registerStencilTrajectoryGradient,
  setFusedPathInfo,
} from '@npde/core/internal';
import { TFJS_WASM_VERSION } from '../errors.js';
import {
  CopyArena,
  copyRunner,
  copyTrajectoryRunner,
  planStencilCall,
  planTrajectoryCall,
  zeroCopyRunner,
  zeroCopyTrajectoryRunner,
  type BackwardInputs,
  type ForwardInputs,
  type StencilPlan,
  type StencilRunner,
  type TrajectoryBackwardInputs,
  type TrajectoryRunner,
} from './stencil-kernels.js';
import { STATUS_TEXT, compileStencilWasm, instantiateStencilWasm, readStencilWasm, type StencilWasmExports } from './stencil-wasm.js';
import { installSharingIdentity, markShareable } from './shared-saves.js';
import { heapMemoryOf, type PublicBackend } from './tfjs-heap.js';
import { webAssembly, type WasmModule } from './webassembly-api.js';

/**
 * Which fused-kernel mode to allow: `auto` (zero-copy on the tfjs heap when the
 * checks pass, else copy), `copy` (always copy through the kernels' own memory) or
 * `off` (register nothing: `stencilRelax` runs the tfjs-op path).
 */
export type FusedKernelPreference = 'auto' | 'copy' | 'off';

/** Every {@link FusedKernelPreference}. */
export const FUSED_KERNEL_PREFERENCES: readonly FusedKernelPreference[] = Object.freeze(['auto', 'copy', 'off']);

/**
 * The environment variable that sets the {@link FusedKernelPreference} when the
 * `fusedKernels` option of `wasmBackend` is left out: `NPDE_WASM_FUSED=copy` forces
 * copy mode, `NPDE_WASM_FUSED=off` the op path.
 */
export const FUSED_KERNEL_ENV = 'NPDE_WASM_FUSED';

/**
 * How the fused stencil kernels of the wasm backend run:
 * - `zero-copy`: WASM SIMD kernels on the tfjs heap (inputs read in place, outputs written in place);
 * - `copy`: the same kernels on their own memory, inputs and outputs copied;
 * - `pending`: registered; the mode is chosen when the wasm backend initializes;
 * - `op-path`: no kernels registered (turned off, not set up yet, or they failed their self-test):
 *   `stencilRelax` runs the tfjs-op path.
 */
export type FusedKernelMode = 'zero-copy' | 'copy' | 'pending' | 'op-path';

/** What {@link fusedKernelMode} reports. */
export interface FusedKernelInfo {
  /** The mode. */
  readonly mode: FusedKernelMode;
  /** Why, in words. */
  readonly reason: string;
  /**
   * The activations of core's fused activation table that the shipped binary
   * implements (it passed the self-test with their codes); `stencilRelax` runs the
   * tfjs-op path on `wasm` for the others. Absent while no kernels are loaded.
   */
  readonly activations?: readonly StencilActivation[];
}

interface Loaded {
  readonly module: WasmModule;
  /** Name → code of every table activation the binary implements. */
  readonly activations: ReadonlyMap<string, number>;
  /** Why the other table activations run the op path, in words (empty when none). */
  readonly missing: string;
  /** The copy-mode instance, on its own memory (shared by every backend instance). */
  readonly copyWasm: StencilWasmExports;
  readonly arena: CopyArena;
  readonly tfjsWasmVersion: string;
  readonly preference: FusedKernelPreference;
}

let info: FusedKernelInfo = { mode: 'op-path', reason: 'wasmBackend.setup() has not registered the fused kernels yet' };
let installation: Promise<FusedKernelInfo> | undefined;
let loaded: Loaded | undefined;
const runners = new WeakMap<object, StencilRunner>();
const trajectoryRunners = new WeakMap<object, TrajectoryRunner>();

function report(next: FusedKernelInfo): void {
  const activations = loaded && next.mode !== 'op-path' ? Object.freeze([...loaded.activations.keys()] as StencilActivation[]) : undefined;
  const reason = loaded?.missing && next.mode !== 'op-path' ? `${next.reason}; ${loaded.missing}` : next.reason;
  info = Object.freeze({ mode: next.mode, reason, ...(activations ? { activations } : {}) });
  if (next.mode === 'zero-copy' || next.mode === 'copy') setFusedPathInfo('wasm', { mode: next.mode, reason, activations: activations ?? [] });
  else clearFusedPathInfo('wasm');
}

/**
 * How the fused stencil kernels (`NpdeStencilRelax`, `NpdeStencilRelaxGrad`) of the
 * wasm backend run in this process, and why. The same is reported to `@npde/core`
 * (`setFusedPathInfo('wasm', …)`), so `stencilRelaxPath()` says it too.
 *
 * @example
 * ```ts
 * await registry.ready({ backend: 'wasm' });
 * fusedKernelMode(); // { mode: 'zero-copy', reason: 'WASM SIMD kernels run on the tfjs heap (…)' }
 * ```
 */
export function fusedKernelMode(): FusedKernelInfo {
  return info;
}

/** The preference the environment asks for (`NPDE_WASM_FUSED`), if it names one. */
export function envFusedPreference(): FusedKernelPreference | undefined {
  // Read through globalThis: browsers have no `process`.
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[FUSED_KERNEL_ENV];
  return (FUSED_KERNEL_PREFERENCES as readonly string[]).includes(env ?? '') ? (env as FusedKernelPreference) : undefined;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// ---------------------------------------------------------------------------
// Self-test and probe
// ---------------------------------------------------------------------------

/** The probe problem's plan: 1-D radius 1, periodic (the activation code is set per run). */
const PROBE_PLAN: StencilPlan = { batch: 2, height: 1, width: 7, sites: 7, taps: 3, stencil: 1, periodic: 1, activation: 0 };

/** Status the kernels return for an activation code they do not know (`NPDE_BAD_ACTIVATION`). */
const BAD_ACTIVATION = 2;

function probeArrays() {
  const S = PROBE_PLAN.sites;
  const B = PROBE_PLAN.batch;
  const wave = (n: number, f: number, p: number) => Float32Array.from({ length: n }, (_, i) => Math.fround(Math.sin(f * i + p)));
  return { z: wave(B * S, 0.9, 0.3), taps: wave(S * 3, 1.7, 1.1), omega: Float32Array.of(0.625), bias: wave(S, 2.3, -0.4), dy: wave(B * S, 1.3, 0.7) };
}

/**
 * The probe problem's forward step and four gradients in float64, by the contract's
 * formulas with the activation's scalar f and f′ from core's table: taps k = 0, 1, 2
 * of site s read z[s − 1], z[s], z[s + 1], wrapped.
 */
function probeReference(p: ReturnType<typeof probeArrays>, activation: StencilActivation): number[][] {
  const { batch: B, sites: S } = PROBE_PLAN;
  const { f, df } = fusedActivation(activation);
  const w = p.omega[0]!;
  const out = new Array<number>(B * S).fill(0);
  const dz = new Array<number>(B * S).fill(0);
  const dtaps = new Array<number>(S * 3).fill(0);
  const dbias = new Array<number>(S).fill(0);
  let domega = 0;
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < S; s++) {
      const nb = [(s + S - 1) % S, s, (s + 1) % S].map((n) => b * S + n);
      let u = -p.bias[s]!;
      nb.forEach((n, k) => (u += p.taps[s * 3 + k]! * p.z[n]!));
      const a = f(u);
      const zs = p.z[b * S + s]!;
      const d = p.dy[b * S + s]!;
      out[b * S + s] = (1 - w) * zs + w * a;
      const g = w * d * df(u, a);
      domega += (a - zs) * d;
      dbias[s]! -= g;
      dz[b * S + s]! += (1 - w) * d;
      nb.forEach((n, k) => {
        dz[n]! += p.taps[s * 3 + k]! * g;
        dtaps[s * 3 + k]! += g * p.z[n]!;
      });
    }
  }
  return [out, dz, dtaps, [domega], dbias];
}

/**
 * Run forward and backward of the probe problem in the copy-mode instance, with
 * plain arrays and activation `code`; returns the five outputs, or the kernels'
 * nonzero status.
 */
function runOnArena(wasm: StencilWasmExports, arena: CopyArena, p: ReturnType<typeof probeArrays>, code: number): Float32Array[] | number {
  const { batch: B, sites: S, taps: K } = PROBE_PLAN;
  arena.reset();
  const put = (values: Float32Array) => {
    const offset = arena.reserve(values.length * 4);
    arena.view(offset, values.length).set(values);
    return offset;
  };
  const z = put(p.z);
  const taps = put(p.taps);
  const omega = put(p.omega);
  const bias = put(p.bias);
  const dy = put(p.dy);
  const out = arena.reserve(B * S * 4);
  const dz = arena.reserve(B * S * 4);
  const dtaps = arena.reserve(S * K * 4);
  const domega = arena.reserve(4);
  const dbias = arena.reserve(S * 4);
  const scratch = arena.reserve(wasm.npde_stencil_scratch_floats(1, S, 1, 1) * 4);
  const args = [B, 1, S, 1, 1, code] as const;
  const forward = wasm.npde_stencil_fwd(z, taps, omega, bias, out, scratch, ...args);
  if (forward !== 0) return forward;
  const backward = wasm.npde_stencil_bwd(dy, z, taps, omega, bias, dz, dtaps, domega, dbias, scratch, ...args);
  if (backward !== 0) return backward;
  return [out, dz, dtaps, domega, dbias].map((o, i) => arena.view(o, [B * S, B * S, S * K, 1, S][i]!).slice());
}

/** What {@link probeActivations} found. */
export interface ActivationProbe {
  /** Name → code of every activation the binary computes as its table entry says. */
  readonly activations: ReadonlyMap<string, number>;
  /** Why the others run the op path, in words (empty when none). */
  readonly missing: string;
}

/**
 * Self-test of a (copy-mode) instance against a float64 probe reference, once per
 * activation with its code (by default every entry of core's table): which
 * activations the binary implements. A code the binary rejects (status
 * `NPDE_BAD_ACTIVATION`) or computes otherwise than the entry's f and f′ leaves that
 * activation to the op path; any other failure, or no activation at all, throws.
 */
export function probeActivations(
  wasm: StencilWasmExports,
  arena: CopyArena,
  entries: readonly { readonly name: StencilActivation; readonly code: number }[] = STENCIL_ACTIVATIONS.map((name) => ({ name, code: fusedActivation(name).code })),
): ActivationProbe {
  const p = probeArrays();
  const activations = new Map<string, number>();
  const lacking: string[] = [];
  for (const { name, code } of entries) {
    const got = runOnArena(wasm, arena, p, code);
    if (got === BAD_ACTIVATION) {
      lacking.push(`'${name}' (code ${code}: not in the binary)`);
      continue;
    }
    if (typeof got === 'number') throw new Error(`self-test: the kernels returned status ${got} (${STATUS_TEXT[got] ?? 'unknown'}) for activation '${name}'`);
    const want = probeReference(p, name);
    const names = ['forward', 'dz', 'dtaps', 'domega', 'dbias'];
    const wrong = names.find((_, o) => want[o]!.some((x, i) => !(Math.abs(got[o]![i]! - x) <= 1e-5)));
    if (wrong) {
      lacking.push(`'${name}' (code ${code}: the binary's ${wrong} differs from the table's f)`);
      continue;
    }
    activations.set(name, code);
  }
  if (activations.size === 0) throw new Error(`self-test: the binary implements none of the fused activations (${lacking.join(', ')})`);
  return { activations, missing: lacking.length ? `activations without a WASM kernel, run on the op path: ${lacking.join(', ')}` : '' };
}

/**
 * Check that the module instantiated on the tfjs memory sees the tensors tfjs
 * writes and that tfjs reads what it writes: run the probe through the zero-copy
 * runner on tensors written by the backend, read the outputs back through the
 * backend, and require the same bits as the copy-mode instance computes.
 */
function probeZeroCopy(runner: StencilRunner, backend: PublicBackend, expected: Float32Array[], code: number): void {
  const p = probeArrays();
  const { batch: B, sites: S, taps: K } = PROBE_PLAN;
  const plan: StencilPlan = { ...PROBE_PLAN, activation: code };
  const infos: tf.TensorInfo[] = [];
  const put = (values: Float32Array, shape: number[]) => {
    const t: tf.TensorInfo = { dataId: backend.write(values, shape, 'float32'), shape, dtype: 'float32' };
    infos.push(t);
    return t;
  };
  try {
    const args: BackwardInputs = { z: put(p.z, [B, S]), taps: put(p.taps, [S, K]), omega: put(p.omega, []), bias: put(p.bias, [S]), dy: put(p.dy, [B, S]) };
    const out = runner.forward(plan, args);
    infos.push(out);
    const grads = runner.backward(plan, args);
    infos.push(...grads);
    [out, ...grads].forEach((t, i) => {
      const got = backend.readSync(t.dataId) as Float32Array;
      const want = expected[i]!;
      if (got.length !== want.length || got.some((x, j) => !Object.is(x, want[j]))) {
        throw new Error(`probe output ${i} read back through tfjs differs from the copy-mode result`);
      }
    });
  } finally {
    for (const t of infos) backend.disposeData(t.dataId, true);
  }
}

// ---------------------------------------------------------------------------
// Per-backend mode
// ---------------------------------------------------------------------------

function chooseRunner(backend: object, l: Loaded): StencilRunner {
  const copy = (reason: string) => {
    report({ mode: 'copy', reason });
    trajectoryRunners.set(backend, copyTrajectoryRunner(l.copyWasm, l.arena, backend as PublicBackend));
    return copyRunner(l.copyWasm, l.arena, backend as PublicBackend);
  };
  if (l.preference === 'copy') return copy(`copy mode was asked for (option fusedKernels or ${FUSED_KERNEL_ENV}=copy): inputs and outputs are copied through the kernels' own memory`);
  if (l.tfjsWasmVersion !== TFJS_WASM_VERSION) {
    return copy(`@tensorflow/tfjs-backend-wasm is ${l.tfjsWasmVersion}, not the pinned ${TFJS_WASM_VERSION} whose heap layout zero-copy relies on: copying instead`);
  }
  const heap = heapMemoryOf(backend);
  if ('reason' in heap) return copy(`${heap.reason}: copying instead`);
  let runner: StencilRunner;
  let trajectory: TrajectoryRunner;
  try {
    const onHeap = instantiateStencilWasm(l.module, heap.memory);
    runner = zeroCopyRunner(onHeap, heap);
    trajectory = zeroCopyTrajectoryRunner(onHeap, heap);
    const code = l.activations.values().next().value!;
    const expected = runOnArena(l.copyWasm, l.arena, probeArrays(), code);
    if (typeof expected === 'number') throw new Error(`the copy-mode probe returned status ${expected}`);
    probeZeroCopy(runner, backend as PublicBackend, expected, code);
  } catch (err) {
    return copy(`zero-copy failed its probe (${errorText(err)}): copying instead`);
  }
  trajectoryRunners.set(backend, trajectory);
  report({
    mode: 'zero-copy',
    reason: `WASM SIMD kernels run on the tfjs heap (tfjs-backend-wasm ${l.tfjsWasmVersion}; probe passed): no copies`,
  });
  return runner;
}

function loadedKernels(): Loaded {
  if (!loaded) throw new Error('the fused stencil kernels ran before they were loaded');
  return loaded;
}

function runnerFor(backend: object): StencilRunner {
  let runner = runners.get(backend);
  if (!runner) {
    if (!loaded) throw new Error('the fused stencil kernels ran before they were loaded');
    runner = chooseRunner(backend, loaded);
    runners.set(backend, runner);
  }
  return runner;
}

const setupFunc = (backend: object): void => {
  runnerFor(backend);
};

/** The forward kernel config registered for `wasm`. */
export const wasmStencilRelaxKernel: tf.KernelConfig = Object.freeze({
  kernelName: STENCIL_RELAX_KERNEL,
  backendName: 'wasm',
  setupFunc,
  kernelFunc: ({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap }) => {
    const { plan, args } = planStencilCall(inputs, attrs, false, loadedKernels().activations);
    return runnerFor(backend).forward(plan, args);
  },
}) as tf.KernelConfig;

/** The backward kernel config registered for `wasm`. */
export const wasmStencilRelaxGradKernel: tf.KernelConfig = Object.freeze({
  kernelName: STENCIL_RELAX_GRAD_KERNEL,
  backendName: 'wasm',
  setupFunc,
  kernelFunc: ({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap }) => {
    const { plan, args } = planStencilCall(inputs, attrs, true, loadedKernels().activations);
    return runnerFor(backend).backward(plan, args as BackwardInputs);
  },
}) as tf.KernelConfig;

function trajectoryRunnerFor(backend: object): TrajectoryRunner {
  runnerFor(backend);
  const runner = trajectoryRunners.get(backend);
  if (!runner) throw new Error('the fused stencil trajectory kernels have no runner for this backend');
  return runner;
}

/**
 * The whole-trajectory forward kernel config registered for `wasm`
 * (`NpdeStencilRelaxTrajectory`: L steps in one call, in the step kernels' mode).
 */
export const wasmStencilTrajectoryKernel: tf.KernelConfig = Object.freeze({
  kernelName: STENCIL_TRAJECTORY_KERNEL,
  backendName: 'wasm',
  setupFunc,
  kernelFunc: ({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap }) => {
    const { plan, args } = planTrajectoryCall(inputs, attrs, false, loadedKernels().activations);
    const outs = trajectoryRunnerFor(backend).forward(plan, args as ForwardInputs);
    // states and cache are saved for the backward: their clones share them (shared-saves.ts).
    markShareable(outs[1]!);
    markShareable(outs[2]!);
    return outs;
  },
}) as tf.KernelConfig;

/** The whole-trajectory backward kernel config registered for `wasm` (`NpdeStencilRelaxTrajectoryGrad`). */
export const wasmStencilTrajectoryGradKernel: tf.KernelConfig = Object.freeze({
  kernelName: STENCIL_TRAJECTORY_GRAD_KERNEL,
  backendName: 'wasm',
  setupFunc,
  kernelFunc: ({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap }) => {
    const { plan, args } = planTrajectoryCall(inputs, attrs, true, loadedKernels().activations);
    return trajectoryRunnerFor(backend).backward(plan, args as TrajectoryBackwardInputs);
  },
}) as tf.KernelConfig;

async function install(preference: FusedKernelPreference, tfjsWasmVersion: string): Promise<FusedKernelInfo> {
  if (preference === 'off') {
    report({ mode: 'op-path', reason: `fused kernels turned off (option fusedKernels or ${FUSED_KERNEL_ENV}=off): stencilRelax runs the tfjs-op path` });
    return info;
  }
  const wasm = webAssembly();
  if (!wasm) {
    report({ mode: 'op-path', reason: 'this runtime has no WebAssembly: stencilRelax runs the tfjs-op path' });
    return info;
  }
  try {
    const module = await compileStencilWasm(await readStencilWasm());
    const arena = new CopyArena(new wasm.Memory({ initial: 1 }));
    const copyWasm = instantiateStencilWasm(module, arena.memory);
    const { activations, missing } = probeActivations(copyWasm, arena);
    loaded = { module, activations, missing, copyWasm, arena, tfjsWasmVersion, preference };
  } catch (err) {
    report({ mode: 'op-path', reason: `the fused kernels could not be loaded (${errorText(err)}): stencilRelax runs the tfjs-op path` });
    return info;
  }
  for (const config of [wasmStencilRelaxKernel, wasmStencilRelaxGradKernel]) {
    const existing = tf.getKernel(config.kernelName, 'wasm');
    if (existing && existing !== config) {
      report({ mode: 'op-path', reason: `another ${config.kernelName} kernel is already registered for 'wasm'; npde's was not registered` });
      return info;
    }
  }
  for (const config of [wasmStencilRelaxKernel, wasmStencilRelaxGradKernel]) {
    if (!tf.getKernel(config.kernelName, 'wasm')) tf.registerKernel(config);
  }
  for (const config of [wasmStencilTrajectoryKernel, wasmStencilTrajectoryGradKernel]) {
    if (!tf.getKernel(config.kernelName, 'wasm')) tf.registerKernel(config);
  }
  registerStencilRelaxGradient();
  registerStencilTrajectoryGradient();
  installSharingIdentity();
  report({ mode: 'pending', reason: 'registered; the mode is chosen when the wasm backend initializes' });
  // Registered after the backend initialized: its setupFunc will not run until the next
  // setBackend('wasm'), so choose the mode now (kernels would choose it lazily anyway).
  const running = (tf.engine().registry as Record<string, object | undefined>)['wasm'];
  if (running) runnerFor(running);
  return info;
}

/**
 * Load, self-test and register the fused WASM stencil kernels for the `wasm`
 * backend, once per process (later calls return the first call's result). Run by
 * `wasmBackend.setup()` before the backend initializes, so that the kernels'
 * `setupFunc` chooses the mode when it does. Never throws: failures leave the
 * kernels unregistered (`op-path`) with the reason in {@link fusedKernelMode}.
 *
 * @param preference - `auto` (default), `copy` or `off`; the environment variable
 *   {@link FUSED_KERNEL_ENV} is used when it is left out.
 * @param tfjsWasmVersion - the loaded `@tensorflow/tfjs-backend-wasm` version
 *   (zero-copy needs the pinned one).
 */
export function installFusedKernels(preference: FusedKernelPreference | undefined, tfjsWasmVersion: string): Promise<FusedKernelInfo> {
  installation ??= install(preference ?? envFusedPreference() ?? 'auto', tfjsWasmVersion).catch((err: unknown) => {
    report({ mode: 'op-path', reason: `the fused kernels could not be installed (${errorText(err)})` });
    return info;
  });
  return installation;
}
