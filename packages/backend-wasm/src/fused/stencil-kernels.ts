import { BackendUnavailableError, ErrorCodes, ShapeError, ValidationError, type NpdeError, type tf } from '@npde/core';
import { BOUNDARY_CODES, STATUS_TEXT, type StencilWasmExports } from './stencil-wasm.js';
import type { HeapBackend, PublicBackend } from './tfjs-heap.js';
import { WASM_PAGE_BYTES, type WasmMemory } from './webassembly-api.js';

const PLUGIN = '@npde/backend-wasm/wasm';

/** Sizes and codes of one kernel call, checked against the contract. */
export interface StencilPlan {
  /** B. */
  readonly batch: number;
  /** Grid rows (1 in 1-D). */
  readonly height: number;
  /** Grid columns (S in 1-D). */
  readonly width: number;
  /** S = height · width. */
  readonly sites: number;
  /** K, taps per site. */
  readonly taps: number;
  /** The C stencil code: the 1-D radius (1..3) or the 2-D point count (5, 9). */
  readonly stencil: number;
  /** 1 for a periodic boundary, 0 for zero. */
  readonly periodic: number;
  /** The activation's code in core's fused activation table (`ACT_*` in the C source). */
  readonly activation: number;
}

/** Inputs of `NpdeStencilRelax`. */
export interface ForwardInputs {
  readonly z: tf.TensorInfo;
  readonly taps: tf.TensorInfo;
  readonly omega: tf.TensorInfo;
  readonly bias: tf.TensorInfo;
}

/** Inputs of `NpdeStencilRelaxGrad`. */
export interface BackwardInputs extends ForwardInputs {
  readonly dy: tf.TensorInfo;
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function kernelError(path: string, summary: string, expected: string, received: string): NpdeError {
  return new ValidationError(ErrorCodes.INVALID_SPEC, summary, { path, expected, received, plugin: PLUGIN, hook: 'NpdeStencilRelax' });
}

function input(inputs: tf.NamedTensorInfoMap, name: string): tf.TensorInfo {
  const t = inputs[name];
  if (!t) throw kernelError(`inputs.${name}`, 'missing kernel input', 'a float32 tensor', 'nothing');
  if (t.dtype !== 'float32') throw kernelError(`inputs.${name}.dtype`, 'wrong dtype', "'float32'", String(t.dtype));
  return t;
}

function expectShape(name: string, t: tf.TensorInfo, expected: readonly number[]): void {
  const ok = t.shape.length === expected.length && expected.every((d, i) => t.shape[i] === d);
  if (!ok) {
    throw new ShapeError(ErrorCodes.SHAPE_MISMATCH, 'tensor shape does not match the stencil', {
      path: name,
      expected: expected.length === 0 ? 'a scalar (shape [])' : shapeText(expected),
      received: shapeText(t.shape),
      plugin: PLUGIN,
      hook: 'NpdeStencilRelax',
    });
  }
}

/**
 * Check the kernel inputs and attrs of `NpdeStencilRelax` (`grad` false) or
 * `NpdeStencilRelaxGrad` (`grad` true) and derive the call's sizes and codes.
 *
 * @param activations - name → code of the activations the loaded binary implements
 *   (the self-test's result); any other activation is refused.
 */
export function planStencilCall(
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap | undefined,
  grad: boolean,
  activations: ReadonlyMap<string, number>,
): { plan: StencilPlan; args: BackwardInputs | ForwardInputs } {
  const a = (attrs ?? {}) as Record<string, unknown>;
  const z = input(inputs, 'z');
  const taps = input(inputs, 'taps');
  const omega = input(inputs, 'omega');
  const bias = input(inputs, 'bias');
  if (z.shape.length !== 2) throw new ShapeError(ErrorCodes.SHAPE_MISMATCH, 'z must be [B, S]', { path: 'z', expected: '[B, S]', received: shapeText(z.shape), plugin: PLUGIN });
  const [batch, sites] = z.shape as [number, number];
  let height: number;
  let width: number;
  let stencil: number;
  let K: number;
  if (a['dims'] === 1) {
    const r = a['radius'];
    if (r !== 1 && r !== 2 && r !== 3) throw kernelError('attrs.radius', 'unsupported stencil radius', '1, 2 or 3', String(r));
    height = 1;
    width = sites;
    stencil = r;
    K = 2 * r + 1;
  } else if (a['dims'] === 2) {
    const p = a['points'];
    if (p !== 5 && p !== 9) throw kernelError('attrs.points', 'unsupported 2-D stencil', '5 or 9', String(p));
    const h = a['height'];
    const w = a['width'];
    if (typeof h !== 'number' || typeof w !== 'number' || !Number.isInteger(h) || !Number.isInteger(w) || h < 1 || w < 1) {
      throw kernelError('attrs.height', 'bad grid size', 'integers height, width ≥ 1', `${String(h)} × ${String(w)}`);
    }
    if (h * w !== sites) throw kernelError('attrs.height', 'grid size does not match z', `height · width = ${sites} (z.shape[1])`, `${h} × ${w}`);
    height = h;
    width = w;
    stencil = p;
    K = p;
  } else {
    throw kernelError('attrs.dims', 'unsupported number of dimensions', '1 or 2', String(a['dims']));
  }
  const boundary = a['boundary'];
  if (boundary !== 'zero' && boundary !== 'periodic') throw kernelError('attrs.boundary', 'unknown boundary', "'zero' or 'periodic'", String(boundary));
  const act = a['activation'];
  const code = typeof act === 'string' ? activations.get(act) : undefined;
  if (code === undefined) {
    throw kernelError('attrs.activation', 'activation without a WASM kernel', `one of ${[...activations.keys()].join(', ')}`, String(act));
  }
  if (sites < 1) throw kernelError('z', 'no sites', 'S ≥ 1', shapeText(z.shape));
  expectShape('taps', taps, [sites, K]);
  expectShape('omega', omega, []);
  expectShape('bias', bias, [sites]);
  const plan: StencilPlan = {
    batch,
    height,
    width,
    sites,
    taps: K,
    stencil,
    periodic: BOUNDARY_CODES[boundary],
    activation: code,
  };
  if (!grad) return { plan, args: { z, taps, omega, bias } };
  const dy = input(inputs, 'dy');
  expectShape('dy', dy, [batch, sites]);
  return { plan, args: { dy, z, taps, omega, bias } };
}

/** One buffer a kernel reads or writes: byte offset and length in the memory. */
interface Region {
  readonly name: string;
  readonly offset: number;
  readonly bytes: number;
  readonly writes: boolean;
}

/**
 * Check every region against the memory's current size (and, for the regions the
 * kernel writes, that they overlap no other region) before the kernel runs:
 * the C code trusts its pointers and sizes.
 */
export function checkRegions(regions: readonly Region[], byteLength: number): void {
  for (const r of regions) {
    if (!Number.isSafeInteger(r.offset) || !Number.isSafeInteger(r.bytes) || r.offset < 0 || r.bytes < 0 || r.offset + r.bytes > byteLength) {
      throw new BackendUnavailableError('fused stencil kernel refused a buffer outside the WebAssembly memory', {
        plugin: PLUGIN,
        hook: 'NpdeStencilRelax',
        path: r.name,
        expected: `bytes [offset, offset + ${r.bytes}) inside a memory of ${byteLength} bytes`,
        received: `offset ${r.offset}`,
      });
    }
  }
  for (const w of regions) {
    if (!w.writes || w.bytes === 0) continue;
    for (const o of regions) {
      if (o === w || o.bytes === 0) continue;
      if (w.offset < o.offset + o.bytes && o.offset < w.offset + w.bytes) {
        throw new BackendUnavailableError('fused stencil kernel refused overlapping buffers', {
          plugin: PLUGIN,
          hook: 'NpdeStencilRelax',
          path: w.name,
          expected: `no overlap with ${o.name}`,
          received: `[${w.offset}, ${w.offset + w.bytes}) and [${o.offset}, ${o.offset + o.bytes})`,
        });
      }
    }
  }
}

function scratchFloats(wasm: StencilWasmExports, plan: StencilPlan, grad: boolean): number {
  const n = wasm.npde_stencil_scratch_floats(plan.height, plan.width, plan.stencil, grad ? 1 : 0);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`stencil_relax.wasm gave a bad scratch size ${n}`);
  return n;
}

function checkStatus(status: number): void {
  if (status !== 0) {
    throw new BackendUnavailableError(`fused stencil kernel failed: ${STATUS_TEXT[status] ?? `status ${status}`}`, {
      plugin: PLUGIN,
      hook: 'NpdeStencilRelax',
    });
  }
}

/** The byte sizes of the buffers of one call. */
function sizes(plan: StencilPlan) {
  return {
    field: plan.batch * plan.sites * 4,
    taps: plan.sites * plan.taps * 4,
    sites: plan.sites * 4,
    scalar: 4,
  };
}

/** Runs the kernels of one mode on one tfjs backend instance. */
export interface StencilRunner {
  /** `zero-copy` (on the tfjs heap) or `copy` (through the runner's own memory). */
  readonly mode: 'zero-copy' | 'copy';
  /** `NpdeStencilRelax`: returns `z'`. */
  forward(plan: StencilPlan, args: ForwardInputs): tf.TensorInfo;
  /** `NpdeStencilRelaxGrad`: returns `[dz, dtaps, domega, dbias]`. */
  backward(plan: StencilPlan, args: BackwardInputs): tf.TensorInfo[];
}

/**
 * Kernels that run on the tfjs heap itself: inputs are read where tfjs keeps
 * them, outputs are allocated with `makeOutput` and written in place, and a
 * scratch buffer is allocated on the heap for the call and freed after it.
 */
export function zeroCopyRunner(wasm: StencilWasmExports, heap: HeapBackend): StencilRunner {
  const run = (outputs: { name: string; shape: number[] }[], plan: StencilPlan, grad: boolean, call: (o: number[], scratch: number) => number, reads: { name: string; info: tf.TensorInfo; bytes: number }[]) => {
    const infos: tf.TensorInfo[] = [];
    let scratch: tf.TensorInfo | undefined;
    try {
      for (const o of outputs) infos.push(heap.makeOutput(o.shape));
      const nScratch = scratchFloats(wasm, plan, grad);
      scratch = heap.makeOutput([nScratch]);
      // Offsets and the memory size after every allocation (an allocation may grow the memory).
      const outOffsets = infos.map((i) => heap.offsetOf(i));
      const scratchOffset = heap.offsetOf(scratch);
      const regions: Region[] = [
        ...reads.map((r) => ({ name: r.name, offset: heap.offsetOf(r.info), bytes: r.bytes, writes: false })),
        ...outputs.map((o, k) => ({ name: o.name, offset: outOffsets[k]!, bytes: o.shape.reduce((p, d) => p * d, 1) * 4, writes: true })),
        { name: 'scratch', offset: scratchOffset, bytes: nScratch * 4, writes: true },
      ];
      checkRegions(regions, heap.memory.buffer.byteLength);
      checkStatus(call(outOffsets, scratchOffset));
      return infos;
    } catch (err) {
      for (const i of infos) heap.dispose(i);
      throw err;
    } finally {
      if (scratch) heap.dispose(scratch);
    }
  };
  return {
    mode: 'zero-copy',
    forward(plan, args) {
      const s = sizes(plan);
      const off = (i: tf.TensorInfo) => heap.offsetOf(i);
      const [out] = run(
        [{ name: 'out', shape: [plan.batch, plan.sites] }],
        plan,
        false,
        ([o], scratch) =>
          wasm.npde_stencil_fwd(off(args.z), off(args.taps), off(args.omega), off(args.bias), o!, scratch, plan.batch, plan.height, plan.width, plan.stencil, plan.periodic, plan.activation),
        [
          { name: 'z', info: args.z, bytes: s.field },
          { name: 'taps', info: args.taps, bytes: s.taps },
          { name: 'omega', info: args.omega, bytes: s.scalar },
          { name: 'bias', info: args.bias, bytes: s.sites },
        ],
      );
      return out!;
    },
    backward(plan, args) {
      const s = sizes(plan);
      const off = (i: tf.TensorInfo) => heap.offsetOf(i);
      return run(
        [
          { name: 'dz', shape: [plan.batch, plan.sites] },
          { name: 'dtaps', shape: [plan.sites, plan.taps] },
          { name: 'domega', shape: [] },
          { name: 'dbias', shape: [plan.sites] },
        ],
        plan,
        true,
        ([dz, dtaps, domega, dbias], scratch) =>
          wasm.npde_stencil_bwd(
            off(args.dy),
            off(args.z),
            off(args.taps),
            off(args.omega),
            off(args.bias),
            dz!,
            dtaps!,
            domega!,
            dbias!,
            scratch,
            plan.batch,
            plan.height,
            plan.width,
            plan.stencil,
            plan.periodic,
            plan.activation,
          ),
        [
          { name: 'dy', info: args.dy, bytes: s.field },
          { name: 'z', info: args.z, bytes: s.field },
          { name: 'taps', info: args.taps, bytes: s.taps },
          { name: 'omega', info: args.omega, bytes: s.scalar },
          { name: 'bias', info: args.bias, bytes: s.sites },
        ],
      );
    },
  };
}

/** The kernels' own memory in copy mode: a bump layout per call, grown on demand. */
export class CopyArena {
  /** The memory the copy-mode instance was instantiated on. */
  readonly memory: WasmMemory;
  private top = 0;

  constructor(memory: WasmMemory) {
    this.memory = memory;
  }

  /** Start a call: every earlier reservation is released. */
  reset(): void {
    this.top = 0;
  }

  /** Reserve `bytes` (16-byte aligned), growing the memory when needed; returns the offset. */
  reserve(bytes: number): number {
    const offset = Math.ceil(this.top / 16) * 16;
    const end = offset + bytes;
    if (end > 2 ** 32 - WASM_PAGE_BYTES) throw new Error(`the fused kernel's copy would need ${end} bytes, more than 32-bit WebAssembly memory allows`);
    const have = this.memory.buffer.byteLength;
    if (end > have) this.memory.grow(Math.ceil((end - have) / WASM_PAGE_BYTES));
    this.top = end;
    return offset;
  }

  /** A Float32Array view of `count` floats at `offset`, on the current buffer. */
  view(offset: number, count: number): Float32Array {
    return new Float32Array(this.memory.buffer, offset, count);
  }
}

function readFloats(backend: PublicBackend, info: tf.TensorInfo): Float32Array {
  const values = backend.readSync(info.dataId);
  if (!(values instanceof Float32Array)) throw new Error('expected float32 values from the backend');
  return values;
}

/**
 * Kernels that copy: inputs are read with the backend's public `readSync`, copied
 * into the kernels' own memory, computed there, and the outputs handed to tfjs
 * with the public `write`. Uses no tfjs internals.
 */
export function copyRunner(wasm: StencilWasmExports, arena: CopyArena, backend: PublicBackend): StencilRunner {
  const stage = (plan: StencilPlan, grad: boolean, inputs: { name: string; info: tf.TensorInfo; floats: number }[], outputs: { name: string; shape: number[] }[]) => {
    arena.reset();
    const inOffsets = inputs.map((i) => arena.reserve(i.floats * 4));
    const outOffsets = outputs.map((o) => arena.reserve(o.shape.reduce((p, d) => p * d, 1) * 4));
    const nScratch = scratchFloats(wasm, plan, grad);
    const scratch = arena.reserve(nScratch * 4);
    inputs.forEach((i, k) => {
      const values = readFloats(backend, i.info);
      if (values.length !== i.floats) throw new Error(`input ${i.name} holds ${values.length} values, expected ${i.floats}`);
      arena.view(inOffsets[k]!, i.floats).set(values);
    });
    checkRegions(
      [
        ...inputs.map((i, k) => ({ name: i.name, offset: inOffsets[k]!, bytes: i.floats * 4, writes: false })),
        ...outputs.map((o, k) => ({ name: o.name, offset: outOffsets[k]!, bytes: o.shape.reduce((p, d) => p * d, 1) * 4, writes: true })),
        { name: 'scratch', offset: scratch, bytes: nScratch * 4, writes: true },
      ],
      arena.memory.buffer.byteLength,
    );
    return { inOffsets, outOffsets, scratch };
  };
  const publish = (offsets: number[], outputs: { shape: number[] }[]): tf.TensorInfo[] =>
    outputs.map((o, k) => {
      const n = o.shape.reduce((p, d) => p * d, 1);
      return { dataId: backend.write(arena.view(offsets[k]!, n), o.shape, 'float32'), shape: o.shape, dtype: 'float32' };
    });
  return {
    mode: 'copy',
    forward(plan, args) {
      const F = plan.batch * plan.sites;
      const outputs = [{ name: 'out', shape: [plan.batch, plan.sites] }];
      const { inOffsets: [z, taps, omega, bias], outOffsets, scratch } = stage(
        plan,
        false,
        [
          { name: 'z', info: args.z, floats: F },
          { name: 'taps', info: args.taps, floats: plan.sites * plan.taps },
          { name: 'omega', info: args.omega, floats: 1 },
          { name: 'bias', info: args.bias, floats: plan.sites },
        ],
        outputs,
      );
      checkStatus(wasm.npde_stencil_fwd(z!, taps!, omega!, bias!, outOffsets[0]!, scratch, plan.batch, plan.height, plan.width, plan.stencil, plan.periodic, plan.activation));
      return publish(outOffsets, outputs)[0]!;
    },
    backward(plan, args) {
      const F = plan.batch * plan.sites;
      const outputs = [
        { name: 'dz', shape: [plan.batch, plan.sites] },
        { name: 'dtaps', shape: [plan.sites, plan.taps] },
        { name: 'domega', shape: [] },
        { name: 'dbias', shape: [plan.sites] },
      ];
      const { inOffsets: [dy, z, taps, omega, bias], outOffsets: [dz, dtaps, domega, dbias], scratch } = stage(
        plan,
        true,
        [
          { name: 'dy', info: args.dy, floats: F },
          { name: 'z', info: args.z, floats: F },
          { name: 'taps', info: args.taps, floats: plan.sites * plan.taps },
          { name: 'omega', info: args.omega, floats: 1 },
          { name: 'bias', info: args.bias, floats: plan.sites },
        ],
        outputs,
      );
      checkStatus(
        wasm.npde_stencil_bwd(dy!, z!, taps!, omega!, bias!, dz!, dtaps!, domega!, dbias!, scratch, plan.batch, plan.height, plan.width, plan.stencil, plan.periodic, plan.activation),
      );
      return publish([dz!, dtaps!, domega!, dbias!], outputs);
    },
  };
}

// ---------------------------------------------------------------------------
// Whole trajectories: L steps per kernel call (NpdeStencilRelaxTrajectory[Grad])
// ---------------------------------------------------------------------------

/** Sizes of one trajectory call: a step's plan, the step count, and whether taps and bias are shared by all steps. */
export interface TrajectoryPlan {
  /** Every step's plan (sizes and codes). */
  readonly step: StencilPlan;
  /** L ≥ 1. */
  readonly layers: number;
  /** taps are `[S, K]` (one W for every step), not `[L, S, K]`. */
  readonly tapsShared: boolean;
  /** bias is `[S]`, not `[L, S]`. */
  readonly biasShared: boolean;
}

/** Inputs of `NpdeStencilRelaxTrajectory`. */
export type TrajectoryForwardInputs = ForwardInputs;

/** Inputs of `NpdeStencilRelaxTrajectoryGrad`. */
export interface TrajectoryBackwardInputs {
  /** Upstream gradient of z_L, `[B, S]`. */
  readonly dy: tf.TensorInfo;
  /** z_0 … z_{L−1}, `[L, B, S]`. */
  readonly states: tf.TensorInfo;
  /** What the forward kept for the backward: f(u_l) as `[L, B, S]` (see {@link keepsActivations}), or `[0]`. */
  readonly cache: tf.TensorInfo;
  /** `[S, K]` or `[L, S, K]`. */
  readonly taps: tf.TensorInfo;
  /** ω. */
  readonly omega: tf.TensorInfo;
  /** `[S]` or `[L, S]`. */
  readonly bias: tf.TensorInfo;
}

/** Elements of a shape. */
const countOf = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

/**
 * Check the inputs and attrs of a trajectory kernel (`grad` false: the forward,
 * true: the backward) and derive the plan: a step's checks (as
 * {@link planStencilCall}) plus `attrs.layers` and the shared or per-step shapes.
 */
export function planTrajectoryCall(
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap | undefined,
  grad: boolean,
  activations: ReadonlyMap<string, number>,
): { plan: TrajectoryPlan; args: TrajectoryForwardInputs | TrajectoryBackwardInputs } {
  const L = (attrs as Record<string, unknown> | undefined)?.['layers'];
  if (typeof L !== 'number' || !Number.isInteger(L) || L < 1) throw kernelError('attrs.layers', 'bad step count', 'an integer ≥ 1', String(L));
  const field = input(inputs, grad ? 'dy' : 'z');
  const taps = input(inputs, 'taps');
  const bias = input(inputs, 'bias');
  const tapsShared = taps.shape.length === 2;
  const biasShared = bias.shape.length === 1;
  const layerTaps = { ...taps, shape: tapsShared ? taps.shape : taps.shape.slice(1) };
  const layerBias = { ...bias, shape: biasShared ? bias.shape : bias.shape.slice(1) };
  if (!tapsShared && taps.shape[0] !== L) expectShape('taps', taps, [L, ...taps.shape.slice(1)]);
  if (!biasShared && bias.shape[0] !== L) expectShape('bias', bias, [L, ...bias.shape.slice(1)]);
  const { plan: step } = planStencilCall({ z: field, taps: layerTaps, omega: input(inputs, 'omega'), bias: layerBias }, attrs, false, activations);
  if (!tapsShared) expectShape('taps', taps, [L, step.sites, step.taps]);
  if (!biasShared) expectShape('bias', bias, [L, step.sites]);
  const plan: TrajectoryPlan = { step, layers: L, tapsShared, biasShared };
  if (!grad) return { plan, args: { z: field, taps, omega: input(inputs, 'omega'), bias } };
  const states = input(inputs, 'states');
  expectShape('states', states, [L, step.batch, step.sites]);
  const cache = input(inputs, 'cache');
  if (countOf(cache.shape) !== 0) expectShape('cache', cache, [L, step.batch, step.sites]);
  return { plan, args: { dy: field, states, cache, taps, omega: input(inputs, 'omega'), bias } };
}

/** Byte offsets of a trajectory forward's buffers in one memory. */
interface TrajectoryForwardOffsets {
  z: number;
  taps: number;
  omega: number;
  bias: number;
  out: number;
  states: number;
  /** `[L, B, S]` for f(u_l), or null: nothing kept. */
  acts: number | null;
  scratch: number;
}

/** Byte offsets of a trajectory backward's buffers in one memory (`work`: F + S·K + 1 + S floats). */
interface TrajectoryBackwardOffsets {
  dy: number;
  states: number;
  /** The forward's f(u_l), `[L, B, S]`, or null: recompute them. */
  acts: number | null;
  taps: number;
  omega: number;
  bias: number;
  dz: number;
  dtaps: number;
  domega: number;
  dbias: number;
  work: number;
  scratch: number;
}

/**
 * The largest activation cache a trajectory forward keeps, in bytes (256 MiB). The cache
 * doubles what a trajectory holds between its passes (it is as large as the states); above
 * this the backward recomputes f(u_l) instead, so that a model whose states already fill
 * much of the wasm heap (at most 4 GiB) does not run out of memory for a speed-up.
 */
export const ACTIVATION_CACHE_MAX_BYTES = 256 * 2 ** 20;

/**
 * Whether the trajectory forward keeps f(u_l) for the backward: where the binary's
 * backward can run from them (`npde_stencil_caches`: f' follows from f) and the cache,
 * L·B·S floats, fits {@link ACTIVATION_CACHE_MAX_BYTES}. The backward then skips
 * recomputing u and f(u) (at the demo's size, half of its time) for those floats held
 * between the passes; the gradients are the same bits either way.
 */
export function keepsActivations(wasm: Pick<StencilWasmExports, 'npde_stencil_caches'>, plan: TrajectoryPlan): boolean {
  const bytes = plan.layers * plan.step.batch * plan.step.sites * 4;
  return bytes <= ACTIVATION_CACHE_MAX_BYTES && wasm.npde_stencil_caches(plan.step.activation) === 1;
}

/** Floats of the backward's work buffer: a second dz, one step's dtaps, dω and dbias. */
function trajectoryWorkFloats(plan: TrajectoryPlan): number {
  const s = plan.step;
  return s.batch * s.sites + s.sites * s.taps + 1 + s.sites;
}

/** The forward sweep: states[0] = z, then step l from states[l] into states[l + 1] (the last into out). */
function trajectoryForwardLoop(wasm: StencilWasmExports, memory: WasmMemory, plan: TrajectoryPlan, o: TrajectoryForwardOffsets): void {
  const s = plan.step;
  const F = s.batch * s.sites;
  const heap = new Float32Array(memory.buffer);
  heap.copyWithin(o.states / 4, o.z / 4, o.z / 4 + F);
  for (let l = 0; l < plan.layers; l++) {
    const src = o.states + l * F * 4;
    const dst = l < plan.layers - 1 ? o.states + (l + 1) * F * 4 : o.out;
    const taps = o.taps + (plan.tapsShared ? 0 : l * s.sites * s.taps * 4);
    const bias = o.bias + (plan.biasShared ? 0 : l * s.sites * 4);
    checkStatus(
      o.acts === null
        ? wasm.npde_stencil_fwd(src, taps, o.omega, bias, dst, o.scratch, s.batch, s.height, s.width, s.stencil, s.periodic, s.activation)
        : wasm.npde_stencil_fwd_keep(src, taps, o.omega, bias, dst, o.acts + l * F * 4, o.scratch, s.batch, s.height, s.width, s.stencil, s.periodic, s.activation),
    );
  }
}

/**
 * The backward sweep, l = L − 1 … 0: step l's backward at states[l], its dz carried
 * down (alternating between `work` and `dz` so that step 0 writes `dz`); shared taps'
 * and bias' gradients summed over the steps (float32, in step order L − 1 … 0),
 * per-step ones written in place, dω summed in float64.
 */
function trajectoryBackwardLoop(wasm: StencilWasmExports, memory: WasmMemory, plan: TrajectoryPlan, o: TrajectoryBackwardOffsets): void {
  const s = plan.step;
  const F = s.batch * s.sites;
  const SK = s.sites * s.taps;
  const S = s.sites;
  const lTaps = o.work + F * 4;
  const lOmega = lTaps + SK * 4;
  const lBias = lOmega + 4;
  let domega = 0;
  let g = o.dy;
  for (let l = plan.layers - 1; l >= 0; l--) {
    const gOut = l % 2 === 0 ? o.dz : o.work;
    const first = l === plan.layers - 1;
    const tapsIn = o.taps + (plan.tapsShared ? 0 : l * SK * 4);
    const biasIn = o.bias + (plan.biasShared ? 0 : l * S * 4);
    // Shared gradients: the first step processed writes the output, later ones a temporary that is added.
    const tapsOut = plan.tapsShared ? (first ? o.dtaps : lTaps) : o.dtaps + l * SK * 4;
    const biasOut = plan.biasShared ? (first ? o.dbias : lBias) : o.dbias + l * S * 4;
    const z = o.states + l * F * 4;
    checkStatus(
      o.acts === null
        ? wasm.npde_stencil_bwd(g, z, tapsIn, o.omega, biasIn, gOut, tapsOut, lOmega, biasOut, o.scratch, s.batch, s.height, s.width, s.stencil, s.periodic, s.activation)
        : wasm.npde_stencil_bwd_cached(
            g,
            z,
            o.acts + l * F * 4,
            tapsIn,
            o.omega,
            biasIn,
            gOut,
            tapsOut,
            lOmega,
            biasOut,
            o.scratch,
            s.batch,
            s.height,
            s.width,
            s.stencil,
            s.periodic,
            s.activation,
          ),
    );
    const heap = new Float32Array(memory.buffer);
    domega += heap[lOmega / 4]!;
    if (plan.tapsShared && !first) for (let i = 0; i < SK; i++) heap[o.dtaps / 4 + i] += heap[lTaps / 4 + i]!;
    if (plan.biasShared && !first) for (let i = 0; i < S; i++) heap[o.dbias / 4 + i] += heap[lBias / 4 + i]!;
    g = gOut;
  }
  new Float32Array(memory.buffer)[o.domega / 4] = domega;
}

/**
 * One trajectory kernel call as both runners carry it out: the buffers it writes
 * (`outputs`, then `temps`, freed after the call) and reads (`reads`), each list in
 * allocation order, and the sweep to run on their byte offsets in `memory`.
 */
interface TrajectoryCall {
  readonly outputs: { name: string; shape: number[] }[];
  readonly temps: { name: string; floats: number }[];
  readonly reads: { name: string; info: tf.TensorInfo }[];
  run(memory: WasmMemory, outs: number[], temps: number[], reads: number[]): void;
}

/** `NpdeStencilRelaxTrajectory`: writes out, states and the cache (f(u_l) where {@link keepsActivations}, else `[0]`). */
function forwardCall(wasm: StencilWasmExports, plan: TrajectoryPlan, args: TrajectoryForwardInputs): TrajectoryCall {
  const s = plan.step;
  const kept = keepsActivations(wasm, plan);
  return {
    outputs: [
      { name: 'out', shape: [s.batch, s.sites] },
      { name: 'states', shape: [plan.layers, s.batch, s.sites] },
      { name: 'cache', shape: kept ? [plan.layers, s.batch, s.sites] : [0] },
    ],
    temps: [{ name: 'scratch', floats: scratchFloats(wasm, s, false) }],
    reads: [
      { name: 'z', info: args.z },
      { name: 'taps', info: args.taps },
      { name: 'omega', info: args.omega },
      { name: 'bias', info: args.bias },
    ],
    run: (memory, [out, states, cache], [scratch], [z, taps, omega, bias]) =>
      trajectoryForwardLoop(wasm, memory, plan, {
        z: z!,
        taps: taps!,
        omega: omega!,
        bias: bias!,
        out: out!,
        states: states!,
        acts: kept ? cache! : null,
        scratch: scratch!,
      }),
  };
}

/** `NpdeStencilRelaxTrajectoryGrad`: writes dz, dtaps, dω, dbias, from the cache where it holds the forward's f(u_l). */
function backwardCall(wasm: StencilWasmExports, plan: TrajectoryPlan, args: TrajectoryBackwardInputs): TrajectoryCall {
  const s = plan.step;
  const cached = countOf(args.cache.shape) > 0 && keepsActivations(wasm, plan);
  return {
    outputs: [
      { name: 'dz', shape: [s.batch, s.sites] },
      { name: 'dtaps', shape: [...args.taps.shape] },
      { name: 'domega', shape: [] },
      { name: 'dbias', shape: [...args.bias.shape] },
    ],
    temps: [
      { name: 'work', floats: trajectoryWorkFloats(plan) },
      { name: 'scratch', floats: scratchFloats(wasm, s, true) },
    ],
    reads: [
      { name: 'dy', info: args.dy },
      { name: 'states', info: args.states },
      { name: 'cache', info: args.cache },
      { name: 'taps', info: args.taps },
      { name: 'omega', info: args.omega },
      { name: 'bias', info: args.bias },
    ],
    run: (memory, [dz, dtaps, domega, dbias], [work, scratch], [dy, states, cache, taps, omega, bias]) =>
      trajectoryBackwardLoop(wasm, memory, plan, {
        dy: dy!,
        states: states!,
        acts: cached ? cache! : null,
        taps: taps!,
        omega: omega!,
        bias: bias!,
        dz: dz!,
        dtaps: dtaps!,
        domega: domega!,
        dbias: dbias!,
        work: work!,
        scratch: scratch!,
      }),
  };
}

/** The regions a call's offsets cover, for {@link checkRegions}: inputs read, outputs and temporaries written. */
function callRegions(call: Pick<TrajectoryCall, 'outputs' | 'temps' | 'reads'>, outs: number[], temps: number[], reads: number[]): Region[] {
  return [
    ...call.reads.map((r, k) => ({ name: r.name, offset: reads[k]!, bytes: countOf(r.info.shape) * 4, writes: false })),
    ...call.outputs.map((o, k) => ({ name: o.name, offset: outs[k]!, bytes: countOf(o.shape) * 4, writes: true })),
    ...call.temps.map((t, k) => ({ name: t.name, offset: temps[k]!, bytes: t.floats * 4, writes: true })),
  ];
}

/** Runs the trajectory kernels of one mode on one tfjs backend instance. */
export interface TrajectoryRunner {
  /** `NpdeStencilRelaxTrajectory`: returns `[out, states, cache]`. */
  forward(plan: TrajectoryPlan, args: TrajectoryForwardInputs): tf.TensorInfo[];
  /** `NpdeStencilRelaxTrajectoryGrad`: returns `[dz, dtaps, domega, dbias]`. */
  backward(plan: TrajectoryPlan, args: TrajectoryBackwardInputs): tf.TensorInfo[];
}

/** Trajectory kernels on the tfjs heap (as {@link zeroCopyRunner}): outputs, work and scratch allocated there. */
export function zeroCopyTrajectoryRunner(wasm: StencilWasmExports, heap: HeapBackend): TrajectoryRunner {
  const run = ({ outputs, temps, reads, run: sweep }: TrajectoryCall): tf.TensorInfo[] => {
    const infos: tf.TensorInfo[] = [];
    const tempInfos: tf.TensorInfo[] = [];
    try {
      for (const o of outputs) infos.push(heap.makeOutput(o.shape));
      for (const t of temps) tempInfos.push(heap.makeOutput([t.floats]));
      const outOffsets = infos.map((i) => heap.offsetOf(i));
      const tempOffsets = tempInfos.map((i) => heap.offsetOf(i));
      const readOffsets = reads.map((r) => heap.offsetOf(r.info));
      checkRegions(callRegions({ outputs, temps, reads }, outOffsets, tempOffsets, readOffsets), heap.memory.buffer.byteLength);
      sweep(heap.memory, outOffsets, tempOffsets, readOffsets);
      return infos;
    } catch (err) {
      for (const i of infos) heap.dispose(i);
      throw err;
    } finally {
      for (const t of tempInfos) heap.dispose(t);
    }
  };
  return {
    forward: (plan, args) => run(forwardCall(wasm, plan, args)),
    backward: (plan, args) => run(backwardCall(wasm, plan, args)),
  };
}

/** Trajectory kernels through the kernels' own memory (as {@link copyRunner}): inputs copied in, outputs published. */
export function copyTrajectoryRunner(wasm: StencilWasmExports, arena: CopyArena, backend: PublicBackend): TrajectoryRunner {
  const run = ({ outputs, temps, reads, run: sweep }: TrajectoryCall): tf.TensorInfo[] => {
    arena.reset();
    const inOffsets = reads.map((r) => arena.reserve(countOf(r.info.shape) * 4));
    const outOffsets = outputs.map((o) => arena.reserve(countOf(o.shape) * 4));
    const tempOffsets = temps.map((t) => arena.reserve(t.floats * 4));
    reads.forEach((r, k) => {
      const values = readFloats(backend, r.info);
      const n = countOf(r.info.shape);
      if (values.length !== n) throw new Error(`input ${r.name} holds ${values.length} values, expected ${n}`);
      arena.view(inOffsets[k]!, n).set(values);
    });
    checkRegions(callRegions({ outputs, temps, reads }, outOffsets, tempOffsets, inOffsets), arena.memory.buffer.byteLength);
    sweep(arena.memory, outOffsets, tempOffsets, inOffsets);
    return outputs.map((o, k) => ({ dataId: backend.write(arena.view(outOffsets[k]!, countOf(o.shape)), o.shape, 'float32'), shape: o.shape, dtype: 'float32' }));
  };
  return {
    forward: (plan, args) => run(forwardCall(wasm, plan, args)),
    backward: (plan, args) => run(backwardCall(wasm, plan, args)),
  };
}
