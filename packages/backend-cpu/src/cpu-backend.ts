import { defineBackend, tf, v } from '@npde/core';
import { registerStencilRelaxCpuKernels } from './fused/stencil-kernels.js';

/** Plugin id of {@link cpuBackend}. */
export const CPU_BACKEND_ID = '@npde/backend-cpu/cpu';

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
    await tf.setBackend('cpu');
    // Its first write prints advice to install tfjs-node, which does not apply to npde: silence it.
    const backend = tf.findBackend('cpu') as { firstUse?: boolean } | null;
    if (backend && 'firstUse' in backend) backend.firstUse = false;
  },
  probe: async () => ({ available: true }),
});
