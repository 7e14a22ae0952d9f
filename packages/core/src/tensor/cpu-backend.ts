import * as v from 'valibot';
import { defineBackend } from '../plugins/define.js';

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
  setup: async () => {},
  probe: async () => ({ available: true }),
});
