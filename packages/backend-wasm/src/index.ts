/**
 * `@npde/backend-wasm`: the tfjs WebAssembly backend adapter, npde's default
 * tensor backend. This entry is pure; import `@npde/backend-wasm/register` to
 * add the backend to `globalRegistry()`.
 *
 * @packageDocumentation
 */
import { wasmBackend } from './wasm-backend.js';

export { wasmBackend, type WasmBackendOptions } from './wasm-backend.js';
export { wasmInfo, type WasmInfo } from './wasm-info.js';
export {
  FUSED_KERNEL_ENV,
  FUSED_KERNEL_PREFERENCES,
  fusedKernelMode,
  type FusedKernelInfo,
  type FusedKernelMode,
  type FusedKernelPreference,
} from './fused/fused-kernels.js';

export { channelKernelMode, type ChannelKernelInfo } from './fused/channel-kernels.js';

/** Every plugin of this package, for `registry.register(plugins)`. */
export const plugins = [wasmBackend] as const;
