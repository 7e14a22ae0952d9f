/**
 * `@npde/backend-cuda`: the optional NVIDIA GPU backend adapter, through
 * `@tensorflow/tfjs-node-gpu` (an optional peer dependency, loaded lazily).
 * This entry is pure; import `@npde/backend-cuda/register` to add the backend
 * to `globalRegistry()`.
 *
 * @packageDocumentation
 */
import { cudaBackend } from './cuda-backend.js';

export { cudaBackend } from './cuda-backend.js';
export { cudaRequirements, CUDA_INSTALL_HINT } from './errors.js';
export { nvidiaGpuVisibility, type GpuVisibility } from './gpu-visibility.js';

/** Every plugin of this package, for `registry.register(plugins)`. */
export const plugins = [cudaBackend] as const;
