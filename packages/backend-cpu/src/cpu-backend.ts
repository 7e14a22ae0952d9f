import { defineBackend, tf, v } from '@npde/core';
import { registerStencilRelaxCpuKernels } from './fused/stencil-kernels.js';
import { registerChannelStencilCpuKernels } from './fused/channel-kernels.js';

/** Plugin id of {@link cpuBackend}. */
export const CPU_BACKEND_ID = '@npde/backend-cpu/cpu';

/**
 * tfjs's cpu backend prints advice to install tfjs-node at its first tensor
 * write in Node; that advice does not apply to npde (its Node backends are
 * wasm and cuda). This turns it off for the active cpu backend instance:
 * call it after `tf.setBackend('cpu')`, as this backend's `setup` and the
 * `npde` command do.
 */
export function silenceNodeBackendAdvice(): void {
  const backend = tf.findBackend('cpu') as { firstUse?: boolean } | null;
  if (backend && 'firstUse' in backend) backend.firstUse = false;
}

/**
 * tfjs's reference `cpu` backend (plain JavaScript). Always available, slow;
 * the backend of last resort and the reference for backend tests. `setup`
 * selects it and registers the fused stencil-relaxation op's plain-TypeScript
 * kernels for it, so `stencilRelax` runs fused there (`stencilRelaxPath().mode`
 * is `fused-cpu`).
 *
 * Its id was `@npde/core/cpu` while it lived in `@npde/core`; that id stays an
 * alias, so configs and `registry.ready({ backend: '@npde/core/cpu' })` keep working.
 *
 * @example
 * ```ts
 * import { Registry } from '@npde/core';
 * import { cpuBackend } from '@npde/backend-cpu';
 * await new Registry().register(cpuBackend).ready({ backend: 'cpu' });
 * ```
 */
export const cpuBackend = defineBackend({
  id: CPU_BACKEND_ID,
  name: 'cpu',
  aliases: ['@npde/core/cpu'],
  description: 'tfjs reference CPU backend (plain JavaScript; always available, slowest), with plain-TypeScript fused stencil kernels',
  priority: 1,
  options: v.strictObject({}),
  // tfjs's cpu backend is registered by the tfjs bundle core loads for its gradients.
  setup: async () => {
    registerStencilRelaxCpuKernels();
    registerChannelStencilCpuKernels();
    await tf.setBackend('cpu');
    silenceNodeBackendAdvice();
  },
  probe: async () => ({ available: true }),
});
