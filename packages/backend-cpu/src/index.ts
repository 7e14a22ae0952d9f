/**
 * `@npde/backend-cpu`: tfjs's reference `cpu` backend as an npde backend plugin,
 * with the plain-TypeScript kernels of the fused stencil-relaxation op (which
 * `cpuBackend.setup()` registers). This entry is pure; import
 * `@npde/backend-cpu/register` to add the backend to `globalRegistry()`.
 *
 * @packageDocumentation
 */
import { cpuBackend } from './cpu-backend.js';

export { CPU_BACKEND_ID, cpuBackend, silenceNodeBackendAdvice } from './cpu-backend.js';

/** Every plugin of this package, for `registry.register(plugins)`. */
export const plugins = [cpuBackend] as const;
