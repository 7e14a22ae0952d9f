import { BackendUnavailableError } from '@npde/core';

/** Plugin id of {@link cudaBackend}, kept here so errors can name it without an import cycle. */
export const CUDA_BACKEND_ID = '@npde/backend-cuda/cuda';

/**
 * What the CUDA backend needs, as stated in its errors and in `docs/backends.md`.
 *
 * tfjs-node-gpu 4.22.0 downloads and wraps libtensorflow 2.9.1, which TensorFlow
 * built against CUDA 11.2 and cuDNN 8.1 (the versions tfjs-node's README lists).
 * It loads the CUDA 11 sonames (`libcudart.so.11.0`, `libcublas.so.11`, ...)
 * and `libcudnn.so.8`, so any CUDA 11.x from 11.2 up to 11.8 with cuDNN 8.1 or a
 * later 8.x provides them; CUDA 12 and cuDNN 9 do not.
 */
export const cudaRequirements = {
  /** The npm package (an optional peer dependency of `@npde/backend-cuda`). */
  package: '@tensorflow/tfjs-node-gpu',
  /** Its version, equal to the `@tensorflow/tfjs-core` npde uses. */
  version: '4.22.0',
  /** The TensorFlow C library it downloads on install. */
  libtensorflow: '2.9.1',
  /** Operating system and CPU. */
  platform: 'Linux x86-64',
  /** CUDA toolkit (runtime libraries). */
  cuda: '11.x (11.2 as built; 11.8 recommended)',
  /** cuDNN. */
  cudnn: '8.x (8.1 as built; 8.6 recommended)',
  /** NVIDIA driver, for CUDA 11 minor-version compatibility. */
  driver: '>= 450.80.02',
} as const;

/** The one command that installs the CUDA backend, with what the machine needs first. */
export const CUDA_INSTALL_HINT =
  `On a Linux x86-64 machine with an NVIDIA GPU (driver ${cudaRequirements.driver}), CUDA 11 (11.2 to 11.8) and cuDNN 8 (8.1 or a later 8.x), ` +
  `run: npm install ${cudaRequirements.package}@${cudaRequirements.version} ` +
  `(it downloads libtensorflow ${cudaRequirements.libtensorflow}; CUDA 12 / cuDNN 9 will not work). ` +
  "Without such a GPU use the 'wasm' backend.";

/**
 * The error {@link cudaBackend} throws when it cannot run: a
 * {@link BackendUnavailableError} (code `NPDE_BACKEND_UNAVAILABLE`, no `attempts`)
 * naming the plugin and hook, what was expected, what was found, and what to do.
 */
export function cudaUnavailable(
  summary: string,
  details: { expected?: string; received?: string; hint: string; cause?: unknown },
): BackendUnavailableError {
  return new BackendUnavailableError(summary, { plugin: CUDA_BACKEND_ID, hook: 'setup', ...details });
}
