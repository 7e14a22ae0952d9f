import * as v from 'valibot';
import { defineBackend } from '../plugins/define.js';
import { tf } from './tf.js';

/**
 * tfjs's reference `cpu` backend (plain JavaScript). Always available, slow;
 * the backend of last resort and the reference for backend tests.
 */
export const cpuBackend = defineBackend({
  id: '@npde/core/cpu',
  name: 'cpu',
  description: 'tfjs reference CPU backend (plain JavaScript; always available, slowest)',
  priority: 1,
  options: v.strictObject({}),
  // The cpu backend is registered by the tfjs bundle core loads for its gradients.
  setup: async () => {
    await tf.setBackend('cpu');
    // Its first write prints advice to install tfjs-node, which does not apply to npde: silence it.
    const backend = tf.findBackend('cpu') as { firstUse?: boolean } | null;
    if (backend && 'firstUse' in backend) backend.firstUse = false;
  },
  probe: async () => ({ available: true }),
});
