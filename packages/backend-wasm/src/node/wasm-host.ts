/**
 * The Node side of the wasm backend's file access (the package.json `imports`
 * entry `#wasm-host` picks this file under the `node` condition, and
 * `../browser/wasm-host.ts` everywhere else): resolving tfjs-backend-wasm on
 * disk, checking its `.wasm` files exist, and reading a `.wasm` file.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TFJS_WASM_PACKAGE } from '../errors.js';

/** Which runtime this host serves. */
export const WASM_HOST: 'node' | 'browser' = 'node';

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

/** Which of `files` are missing from `dir` (the same as {@link missingFiles}; async for the browser host's sake). */
export async function missingWasmFiles(dir: string, files: readonly string[]): Promise<string[]> {
  return missingFiles(dir, files);
}

/**
 * The folder the user's `wasmPath` / `wasmPaths` names, absolute: relative
 * paths resolve against `process.cwd()`, `file:` URLs are turned into paths.
 */
export function wasmDirectory(location: string): string {
  return path.resolve(/^file:/i.test(location) ? fileURLToPath(location) : location);
}

/** `dir` as the prefix tfjs's `setWasmPaths` wants: Emscripten concatenates prefix + file name. */
export function wasmPrefix(dir: string): string {
  return dir.endsWith(path.sep) ? dir : dir + path.sep;
}

/** The bytes of a `.wasm` file, by `file:` URL or path. */
export async function readWasmFile(location: URL | string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(location));
}
