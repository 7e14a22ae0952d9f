import type { tf } from '@npde/core';
import { isWasmMemory, type WasmMemory } from './webassembly-api.js';

/**
 * The members of tfjs-backend-wasm's `BackendWasm` (4.22) that the zero-copy
 * kernels use. None of them is public API of tfjs: `wasm` is the Emscripten module
 * (whose `asm.memory` is the `WebAssembly.Memory` of the tfjs heap), `dataIdMap`
 * maps a tensor's data id to its heap offset, `makeOutput` allocates an output on
 * the heap. They are only used after {@link heapMemoryOf} found them and a probe
 * confirmed them (see fused-kernels.ts); the version is pinned as well.
 */
export interface TfjsWasmBackendInternals {
  readonly wasm?: {
    readonly asm?: { readonly memory?: unknown };
    readonly HEAPU8?: Uint8Array;
  } | null;
  readonly dataIdMap?: { get(dataId: tf.DataId): { memoryOffset?: unknown; dtype?: unknown } | undefined };
  makeOutput?(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeData?(dataId: tf.DataId, force?: boolean): boolean;
}

/** The public `KernelBackend` members the copying kernels use. */
export interface PublicBackend {
  readSync(dataId: tf.DataId): unknown;
  write(values: Float32Array, shape: number[], dtype: tf.DataType): tf.DataId;
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
}

/** The backend as the zero-copy kernels need it. */
export interface HeapBackend {
  readonly memory: WasmMemory;
  offsetOf(info: tf.TensorInfo): number;
  makeOutput(shape: number[]): tf.TensorInfo;
  dispose(info: tf.TensorInfo): void;
}

/**
 * The heap memory of a tfjs wasm backend instance and accessors to its tensors, or
 * the reason they cannot be used: the Emscripten module must expose a
 * `WebAssembly.Memory` whose buffer is the one the heap views (`HEAPU8`) use, and the
 * backend must have `dataIdMap`, `makeOutput` and `disposeData`.
 */
export function heapMemoryOf(backend: unknown): HeapBackend | { reason: string } {
  const be = backend as TfjsWasmBackendInternals | null;
  if (typeof be !== 'object' || be === null) return { reason: 'the backend is not an object' };
  const memory = be.wasm?.asm?.memory;
  if (!isWasmMemory(memory)) return { reason: "the tfjs wasm module exposes no WebAssembly.Memory at 'wasm.asm.memory'" };
  const heap = be.wasm?.HEAPU8;
  if (!(heap instanceof Uint8Array) || heap.buffer !== memory.buffer) {
    return { reason: "'wasm.asm.memory' is not the memory the tfjs heap views (HEAPU8) use" };
  }
  const map = be.dataIdMap;
  if (typeof map?.get !== 'function' || typeof be.makeOutput !== 'function' || typeof be.disposeData !== 'function') {
    return { reason: 'the backend lacks dataIdMap / makeOutput / disposeData' };
  }
  const makeOutput = be.makeOutput.bind(be);
  const disposeData = be.disposeData.bind(be);
  return {
    memory,
    offsetOf(info: tf.TensorInfo): number {
      const entry = map.get(info.dataId);
      const offset = entry?.memoryOffset;
      if (typeof offset !== 'number') throw new Error('a tensor has no heap offset on the wasm backend');
      return offset;
    },
    makeOutput: (shape: number[]) => makeOutput(shape, 'float32'),
    dispose: (info: tf.TensorInfo) => {
      disposeData(info.dataId, true);
    },
  };
}
