import * as v from 'valibot';
import { defineActivation, defineIntegrator, defineReservoir } from '../plugins/define.js';
import { tf, type Tensor2D } from '../tensor/tf.js';

/**
 * Minimal reference plugins for plugin authors' tests, so a kernel package can
 * run a real `NeuralPde` without depending on the other plugin packages. Name
 * them explicitly in the spec (`integrator: referenceEuler.id`, ...).
 */
export const referenceTanh = defineActivation({
  id: '@npde/core/testing/tanh',
  description: 'tanh (reference for tests)',
  options: v.strictObject({}),
  create: () => ({ apply: (x) => tf.tanh(x) }),
});

/** f(x) = x, for linear tests. */
export const referenceIdentity = defineActivation({
  id: '@npde/core/testing/identity',
  description: 'identity (reference for tests)',
  options: v.strictObject({}),
  create: () => ({ apply: (x) => tf.clone(x) }),
});

/** The Euler relaxation z ← (1 − ω) z + ω f(W z − b). */
export const referenceEuler = defineIntegrator({
  id: '@npde/core/testing/euler',
  description: 'Euler relaxation (reference for tests)',
  options: v.strictObject({}),
  create: () => ({
    evaluationsPerStep: 1,
    step: (c) => tf.add(tf.mul(tf.sub(1, c.omega), c.z), tf.mul(c.omega, c.attractor(c.z))) as Tensor2D,
  }),
});

/** No reservoir. */
export const referenceNoReservoir = defineReservoir({
  id: '@npde/core/testing/none',
  description: 'no reservoir (reference for tests)',
  options: v.strictObject({}),
  create: () => ({ params: {}, term: () => null, project: (z) => tf.clone(z) }),
});

/** All reference plugins. */
export const referencePlugins = [referenceTanh, referenceIdentity, referenceEuler, referenceNoReservoir] as const;
