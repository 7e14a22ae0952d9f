/**
 * The parts of the WebAssembly JavaScript API the fused kernels use. TypeScript's
 * ES libs do not declare the `WebAssembly` global (it lives in the DOM lib), so
 * this package declares the few members it needs and reads them from `globalThis`.
 *
 * @module
 */

/** A `WebAssembly.Memory`. */
export interface WasmMemory {
  /** The current bytes of the memory (replaced, and the old one detached, when it grows). */
  readonly buffer: ArrayBuffer;
  /** Grow by `pages` 64 KiB pages; returns the previous size in pages. */
  grow(pages: number): number;
}

/** A compiled `WebAssembly.Module`. */
export type WasmModule = object;

/** A `WebAssembly.Instance`. */
export interface WasmInstance {
  /** The instance's exports. */
  readonly exports: Record<string, unknown>;
}

/** The `WebAssembly` namespace, as far as it is used here. */
export interface WebAssemblyNamespace {
  /** `WebAssembly.Memory`. */
  readonly Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
  /** `WebAssembly.Instance` (synchronous instantiation of a compiled module). */
  readonly Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => WasmInstance;
  /** `WebAssembly.compile`. */
  compile(bytes: Uint8Array): Promise<WasmModule>;
}

/** The global `WebAssembly` namespace, or `undefined` in a runtime without WebAssembly. */
export function webAssembly(): WebAssemblyNamespace | undefined {
  const wasm = (globalThis as { WebAssembly?: WebAssemblyNamespace }).WebAssembly;
  return typeof wasm === 'object' && wasm !== null ? wasm : undefined;
}

/** Whether `x` is a `WebAssembly.Memory` of this realm. */
export function isWasmMemory(x: unknown): x is WasmMemory {
  const ns = webAssembly();
  return ns !== undefined && typeof x === 'object' && x !== null && x instanceof (ns.Memory as unknown as new () => object);
}

/** Bytes in one WebAssembly page. */
export const WASM_PAGE_BYTES = 65536;
