import { tf } from './tf.js';

/** The tfjs backends whose tensors live in host memory (`cpu`: JavaScript arrays, `wasm`: the module's heap). */
export const HOST_BACKENDS: ReadonlySet<string> = new Set(['cpu', 'wasm']);

/**
 * Whether `backend` (default: the active one) keeps its tensors in host memory, where reading a
 * small tensor back with `dataSync()` costs a copy and no device synchronization.
 * Plugins use it to do work on a few hundred numbers in JavaScript (one upload)
 * instead of a dozen tfjs ops (a dozen dispatches); on a device backend (webgl,
 * CUDA) the read-back would stall the device, so they keep to ops there.
 */
export function onHostBackend(backend: string = tf.getBackend()): boolean {
  return HOST_BACKENDS.has(backend);
}
