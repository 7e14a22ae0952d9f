/**
 * `@npde/backend-cuda` as browsers (and any non-Node bundle) see it: the same
 * exports, but {@link cudaBackend} is a stub that is never available, because
 * `@tensorflow/tfjs-node-gpu` is a native Node addon. The package.json
 * `exports` map serves this file everywhere except under the `node` condition,
 * so a browser bundle of `npde` never sees the Node-only loader.
 *
 * @packageDocumentation
 */
import { defineBackend, v } from '@npde/core';
import type { BackendAvailability } from '@npde/core';
import { CUDA_BACKEND_ID, cudaUnavailable } from './errors.js';
import type { GpuVisibility } from './gpu-visibility.js';

export { cudaRequirements, CUDA_INSTALL_HINT } from './errors.js';
export type { GpuVisibility } from './gpu-visibility.js';

const reason = "the CUDA backend needs Node (@tensorflow/tfjs-node-gpu is a native addon); in a browser use the 'wasm' backend";

/**
 * The CUDA backend's browser stub: same id, name, aliases and priority as in
 * Node, so registries and specs that name it stay valid; `probe()` reports it
 * unavailable and `setup()` throws `NPDE_BACKEND_UNAVAILABLE`, so
 * `registry.ready()` moves on to the next backend.
 */
export const cudaBackend = defineBackend({
  id: CUDA_BACKEND_ID,
  name: 'tensorflow',
  aliases: ['cuda'],
  description: 'TensorFlow C library on an NVIDIA GPU via @tensorflow/tfjs-node-gpu (Node only; unavailable in this runtime)',
  priority: 10,
  options: v.strictObject({}),
  async setup(): Promise<void> {
    throw cudaUnavailable('the CUDA backend is not available in this runtime', {
      expected: 'Node on Linux x86-64 with an NVIDIA GPU',
      received: 'a runtime without Node',
      hint: "Use the 'wasm' backend in a browser.",
    });
  },
  async probe(): Promise<BackendAvailability> {
    return { available: false, reason };
  },
});

/** Outside Node no GPU is visible to npde. */
export function nvidiaGpuVisibility(): GpuVisibility {
  return { visible: false, reason };
}

/** Every plugin of this package, for `registry.register(plugins)`. */
export const plugins = [cudaBackend] as const;
