/**
 * The browser side of the wasm backend's file access (what the package.json
 * `imports` entry `#wasm-host` resolves to outside Node): `.wasm` files are
 * fetched by URL, and nothing is resolved on a disk. Its exports mirror
 * `../node/wasm-host.ts`.
 *
 * @module
 */

/** Which runtime this host serves. */
export const WASM_HOST: 'node' | 'browser' = 'browser';

/** A browser resolves no npm packages: always the error saying so. */
export function locateTfjsWasm(): { entry: string; distDir: string } | { error: Error } {
  return { error: new Error('a browser cannot resolve @tensorflow/tfjs-backend-wasm on disk; its .wasm files are fetched by URL (option wasmPaths)') };
}

/** Nothing can be checked synchronously in a browser: reports none missing. */
export function missingFiles(_dir: string, _files: readonly string[]): string[] {
  return [];
}

/** The page's URL, against which relative `wasmPaths` resolve. */
function base(): string | undefined {
  const g = globalThis as { document?: { baseURI?: string }; location?: { href?: string } };
  return g.document?.baseURI ?? g.location?.href;
}

/** Which of `files` the server at URL prefix `dir` does not serve (a `HEAD` request each; 2xx counts as present). */
export async function missingWasmFiles(dir: string, files: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const f of files) {
    try {
      const res = await fetch(new URL(f, dir), { method: 'HEAD' });
      if (!res.ok) missing.push(f);
    } catch {
      missing.push(f);
    }
  }
  return missing;
}

/** The absolute URL of the folder `wasmPaths` names (relative URLs resolve against the page), ending in `/`. */
export function wasmDirectory(location: string): string {
  const url = new URL(location, base()).href;
  return url.endsWith('/') ? url : url + '/';
}

/** `dir` as the prefix tfjs's `setWasmPaths` wants (ending in `/`). */
export function wasmPrefix(dir: string): string {
  return dir.endsWith('/') ? dir : dir + '/';
}

/** The bytes of a `.wasm` file, fetched by URL. */
export async function readWasmFile(location: URL | string): Promise<Uint8Array> {
  const res = await fetch(location);
  if (!res.ok) throw new Error(`fetching ${String(location)} answered HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}
