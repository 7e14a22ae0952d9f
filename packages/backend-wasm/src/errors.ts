import { BackendUnavailableError } from '@npde/core';

/** Plugin id of {@link wasmBackend}, repeated here so errors can name it without an import cycle. */
export const WASM_BACKEND_ID = '@npde/backend-wasm/wasm';

/** The npm package that provides the tfjs `wasm` backend, and the version npde is built against. */
export const TFJS_WASM_PACKAGE = '@tensorflow/tfjs-backend-wasm';
/** Version of {@link TFJS_WASM_PACKAGE} that matches the `@tensorflow/tfjs-core` npde uses. */
export const TFJS_WASM_VERSION = '4.22.0';

/**
 * The error {@link wasmBackend} throws when the wasm backend cannot be set up:
 * a {@link BackendUnavailableError} (code `NPDE_BACKEND_UNAVAILABLE`, no
 * `attempts`) that names the plugin and hook, what was expected, what was found,
 * and how to fix it.
 */
export function wasmUnavailable(
  summary: string,
  details: { expected?: string; received?: string; hint: string; hook?: string; cause?: unknown },
): BackendUnavailableError {
  return new BackendUnavailableError(summary, {
    plugin: WASM_BACKEND_ID,
    hook: details.hook ?? 'setup',
    expected: details.expected,
    received: details.received,
    hint: details.hint,
    cause: details.cause,
  });
}
