/**
 * Test-only minimal plugins so the kernels can run inside a real
 * `NeuralPde` without depending on the other plugin packages: tanh, the
 * Euler integrator and the empty reservoir (under the default ids a spec
 * falls back to).
 */
import { Registry, cpuBackend, defineActivation, defineIntegrator, defineReservoir, tf, v, type Tensor2D } from '@npde/core';
import { plugins } from '../index.js';

/** f = tanh. */
export const tanhActivation = defineActivation({
  id: '@npde-test/kernels/tanh',
  description: 'tanh (test copy)',
  options: v.object({}),
  create: () => ({ apply: (x) => tf.tanh(x) }),
});

/** z ← (1 − ω) z + ω f(W z − b). */
export const eulerIntegrator = defineIntegrator({
  id: '@npde/integrators/euler',
  description: 'euler (test copy)',
  options: v.object({}),
  create: () => ({
    evaluationsPerStep: 1,
    step: (c) => tf.add(tf.mul(tf.sub(1, c.omega), c.z), tf.mul(c.omega, c.attractor(c.z))) as Tensor2D,
  }),
});

/** No reservoir. */
export const noReservoir = defineReservoir({
  id: '@npde/reservoirs/none',
  description: 'none (test copy)',
  options: v.object({}),
  create: () => ({ params: {}, term: () => null, project: (z) => z }),
});

/** A fresh registry with this package's kernels, the test plugins above and the cpu backend. */
export function kernelTestRegistry(): Registry {
  return new Registry().register(plugins, tanhActivation, eulerIntegrator, noReservoir, cpuBackend);
}
