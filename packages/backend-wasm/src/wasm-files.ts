import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { TFJS_WASM_PACKAGE } from './errors.js';

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

/**
 * Where Node resolves `@tensorflow/tfjs-backend-wasm` from this package: its
 * entry file and the folder beside it that holds the `.wasm` binaries (the
 * folder Emscripten's loader reads them from when no path is set). Returns the
 * resolution error instead when the package cannot be found.
 */
export function locateTfjsWasm(): { entry: string; distDir: string } | { error: Error } {
  try {
    const entry = createRequire(import.meta.url).resolve(TFJS_WASM_PACKAGE);
    return { entry, distDir: path.dirname(entry) };
  } catch (err) {
    return { error: err instanceof Error ? err : new Error(String(err)) };
  }
}

/** Which of `files` are missing from directory `dir`. */
export function missingFiles(dir: string, files: readonly string[]): string[] {
  return files.filter((f) => !existsSync(path.join(dir, f)));
}
