import type { StencilBoundary } from '@npde/core';
import { readWasmFile } from '#wasm-host';
import { webAssembly, type WasmMemory, type WasmModule } from './webassembly-api.js';

/** File name of the compiled kernels, in the package's `wasm/` folder and next to tfjs's binaries when served. */
export const STENCIL_WASM_FILE = 'stencil_relax.wasm';

/**
 * Where the compiled kernels live: `wasm/stencil_relax.wasm` at the package root,
 * two folders above this file both in `src/fused/` and in `dist/fused/`. (A bundle
 * that leaves `import.meta.url` empty gets the file next to the page instead.)
 */
export const STENCIL_WASM_URL: URL = (() => {
  try {
    return new URL(`../../wasm/${STENCIL_WASM_FILE}`, import.meta.url);
  } catch {
    const page = (globalThis as { location?: { href?: string } }).location?.href;
    return new URL(STENCIL_WASM_FILE, page ?? 'file:///');
  }
})();

let stencilWasmUrl: URL | string = STENCIL_WASM_URL;

/**
 * Read the kernels from `url` from now on (`wasmBackend.setup` points it into
 * the `wasmPaths` folder in a browser). Returns the previous location.
 */
export function setStencilWasmUrl(url: URL | string): URL | string {
  const previous = stencilWasmUrl;
  stencilWasmUrl = url;
  return previous;
}

/** The trailing arguments of every step function: sizes and codes (the C `check_args` checks them). */
export type StepSizes = [batch: number, height: number, width: number, stencil: number, periodic: number, activation: number];

/** What a backward step writes (byte offsets): its four gradients and its scratch. */
export type BackwardOutputs = [dz: number, dtaps: number, domega: number, dbias: number, scratch: number];

/**
 * The functions `csrc/stencil_relax.c` exports (pointers are byte offsets into the memory).
 * Every step function returns 0, or a nonzero status (and writes nothing).
 */
export interface StencilWasmExports {
  /** Scratch floats the kernels need (`grad` 0 forward, 1 backward); −1 for a bad stencil code. */
  npde_stencil_scratch_floats(height: number, width: number, stencil: number, grad: number): number;
  /** Forward step. */
  npde_stencil_fwd(z: number, taps: number, omega: number, bias: number, out: number, scratch: number, ...sizes: StepSizes): number;
  /** Backward step (recomputes u and f(u)). */
  npde_stencil_bwd(dy: number, z: number, taps: number, omega: number, bias: number, ...rest: [...BackwardOutputs, ...StepSizes]): number;
  /** Forward step that also stores f(u) into `acts` ([B, S]) for {@link StencilWasmExports.npde_stencil_bwd_cached}. */
  npde_stencil_fwd_keep(z: number, taps: number, omega: number, bias: number, out: number, acts: number, scratch: number, ...sizes: StepSizes): number;
  /** 1 when the backward can run from stored f(u) for this activation code (f' follows from f), else 0. */
  npde_stencil_caches(activation: number): number;
  /** Backward step from the `acts` that `npde_stencil_fwd_keep` stored for the same z: npde_stencil_bwd's results, bit for bit. */
  npde_stencil_bwd_cached(dy: number, z: number, acts: number, taps: number, omega: number, bias: number, ...rest: [...BackwardOutputs, ...StepSizes]): number;
}

/** The exports of the shipped module, exactly (scripts/check-wasm.mjs checks the same list). */
export const STENCIL_WASM_EXPORTS = [
  'npde_stencil_scratch_floats',
  'npde_stencil_fwd',
  'npde_stencil_bwd',
  'npde_stencil_fwd_keep',
  'npde_stencil_caches',
  'npde_stencil_bwd_cached',
] as const;

/** The C flag of each boundary. */
export const BOUNDARY_CODES: Readonly<Record<StencilBoundary, number>> = Object.freeze({ zero: 0, periodic: 1 });

/** What the kernels' nonzero status codes mean. */
export const STATUS_TEXT: Readonly<Record<number, string>> = Object.freeze({
  1: 'bad geometry',
  2: 'bad activation',
  3: 'bad size',
});

/**
 * Read the shipped `.wasm` bytes: from disk in Node, by `fetch` in a browser.
 * Left out, `url` is the package's own file, or where {@link setStencilWasmUrl} pointed.
 */
export async function readStencilWasm(url: URL | string = stencilWasmUrl): Promise<Uint8Array> {
  return readWasmFile(url);
}

/** Compile the shipped module (asynchronously, so any size compiles on any thread). */
export async function compileStencilWasm(bytes: Uint8Array): Promise<WasmModule> {
  const wasm = webAssembly();
  if (!wasm) throw new Error('this runtime has no WebAssembly');
  return wasm.compile(bytes);
}

/**
 * Instantiate the compiled module on `memory` (its only import, `env.memory`) and
 * check that it exports the expected functions.
 */
export function instantiateStencilWasm(module: WasmModule, memory: WasmMemory): StencilWasmExports {
  const wasm = webAssembly();
  if (!wasm) throw new Error('this runtime has no WebAssembly');
  const instance = new wasm.Instance(module, { env: { memory } });
  for (const name of STENCIL_WASM_EXPORTS) {
    if (typeof instance.exports[name] !== 'function') throw new Error(`stencil_relax.wasm does not export ${name}`);
  }
  return instance.exports as unknown as StencilWasmExports;
}
