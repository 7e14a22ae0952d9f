import { tf } from '@npde/core';
import { wasmUnavailable } from './errors.js';

/** What the tfjs wasm backend can use in this runtime. */
export interface WasmInfo {
  /** WebAssembly SIMD is supported, so the `-simd` binary is (or will be) loaded. */
  readonly simd: boolean;
  /** Multithreaded WebAssembly is supported; always `false` in Node (tfjs disables it there). */
  readonly threads: boolean;
}

/**
 * The SIMD and thread support tfjs detected for its wasm backend, read from
 * tfjs's `WASM_HAS_SIMD_SUPPORT` and `WASM_HAS_MULTITHREAD_SUPPORT` flags.
 * Those flags exist once `@tensorflow/tfjs-backend-wasm` is loaded, so call it
 * after `wasmBackend.setup()` or `registry.ready({ backend: 'wasm' })`.
 *
 * @throws A `BackendUnavailableError` (`NPDE_BACKEND_UNAVAILABLE`) when the wasm backend was not set up yet.
 *
 * @example
 * ```ts
 * await registry.ready({ backend: 'wasm' });
 * console.log(await wasmInfo()); // { simd: true, threads: false } on Node 20
 * ```
 */
export async function wasmInfo(): Promise<WasmInfo> {
  if (!tf.findBackendFactory('wasm')) {
    throw wasmUnavailable('the wasm backend is not set up yet', {
      hook: 'wasmInfo',
      hint: "Call wasmInfo() after `await registry.ready({ backend: 'wasm' })` or `await wasmBackend.setup({})`.",
    });
  }
  const [simd, threads] = await Promise.all([
    tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'),
    tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'),
  ]);
  return { simd: simd === true, threads: threads === true };
}
