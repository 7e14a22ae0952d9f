import { readFile } from 'node:fs/promises';
import type { StencilActivation, StencilBoundary } from '@npde/core';
import { webAssembly, type WasmMemory, type WasmModule } from './webassembly-api.js';

/**
 * Where the compiled kernels live: `wasm/stencil_relax.wasm` at the package root,
 * two folders above this file both in `src/fused/` and in `dist/fused/`.
 */
export const STENCIL_WASM_URL = new URL('../../wasm/stencil_relax.wasm', import.meta.url);

/** The functions `csrc/stencil_relax.c` exports (pointers are byte offsets into the memory). */
export interface StencilWasmExports {
  /** Scratch floats the kernels need (`grad` 0 forward, 1 backward); −1 for a bad stencil code. */
  npde_stencil_scratch_floats(height: number, width: number, stencil: number, grad: number): number;
  /** Forward step; returns 0, or a nonzero status (and writes nothing). */
  npde_stencil_fwd(
    z: number,
    taps: number,
    omega: number,
    bias: number,
    out: number,
    scratch: number,
    batch: number,
    height: number,
    width: number,
    stencil: number,
    periodic: number,
    activation: number,
  ): number;
  /** Backward step; returns 0, or a nonzero status (and writes nothing). */
  npde_stencil_bwd(
    dy: number,
    z: number,
    taps: number,
    omega: number,
    bias: number,
    dz: number,
    dtaps: number,
    domega: number,
    dbias: number,
    scratch: number,
    batch: number,
    height: number,
    width: number,
    stencil: number,
    periodic: number,
    activation: number,
  ): number;
}

/** The exports of the shipped module, exactly (scripts/check-wasm.mjs checks the same list). */
export const STENCIL_WASM_EXPORTS = ['npde_stencil_scratch_floats', 'npde_stencil_fwd', 'npde_stencil_bwd'] as const;

/** The C code of each activation (`ACT_*` in stencil_relax.c). */
export const ACTIVATION_CODES: Readonly<Record<StencilActivation, number>> = Object.freeze({
  identity: 0,
  tanh: 1,
  relu: 2,
  sigmoid: 3,
  softplus: 4,
});

/** The C flag of each boundary. */
export const BOUNDARY_CODES: Readonly<Record<StencilBoundary, number>> = Object.freeze({ zero: 0, periodic: 1 });

/** What the kernels' nonzero status codes mean. */
export const STATUS_TEXT: Readonly<Record<number, string>> = Object.freeze({
  1: 'bad geometry',
  2: 'bad activation',
  3: 'bad size',
});

/** Read the shipped `.wasm` bytes. */
export async function readStencilWasm(url: URL = STENCIL_WASM_URL): Promise<Uint8Array> {
  return new Uint8Array(await readFile(url));
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
