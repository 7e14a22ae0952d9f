/**
 * What the wasm backend knows about tfjs-backend-wasm's `.wasm` binaries. The
 * runtime-specific parts (finding them on disk, fetching them) come from the
 * package.json `imports` entry `#wasm-host`: `node/wasm-host.ts` in Node,
 * `browser/wasm-host.ts` elsewhere.
 *
 * @module
 */
export { locateTfjsWasm, missingFiles } from '#wasm-host';

/** The three binaries tfjs-backend-wasm ships; which one loads depends on SIMD and thread support. */
export const WASM_BINARIES = [
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm',
] as const;

/** Name of one of the {@link WASM_BINARIES}. */
export type WasmBinary = (typeof WASM_BINARIES)[number];

/** The binary tfjs-backend-wasm loads for these capabilities (its `getPathToWasmBinary` rule). */
export function wasmBinaryFor(simd: boolean, threads: boolean): WasmBinary {
  if (simd && threads) return 'tfjs-backend-wasm-threaded-simd.wasm';
  return simd ? 'tfjs-backend-wasm-simd.wasm' : 'tfjs-backend-wasm.wasm';
}

// The module wasm-feature-detect (and tfjs's WASM_HAS_SIMD_SUPPORT flag) validates to detect SIMD.
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 9, 1, 7, 0, 65, 0, 253, 15, 26, 11]);

/** The part of the WebAssembly global this package uses (TypeScript's ES libs do not declare it). */
interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
}

/** Whether this runtime has WebAssembly, and whether it validates SIMD code; loads nothing. */
export function wasmSupport(): { webAssembly: boolean; simd: boolean } {
  const wasm = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  if (typeof wasm !== 'object' || typeof wasm.validate !== 'function') return { webAssembly: false, simd: false };
  try {
    return { webAssembly: true, simd: wasm.validate(SIMD_PROBE) };
  } catch {
    return { webAssembly: true, simd: false };
  }
}
