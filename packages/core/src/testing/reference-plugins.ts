import * as v from 'valibot';
import { defineActivation, defineBackend, defineIntegrator, defineReservoir, defineStage } from '../plugins/define.js';
import { createRelaxationStage } from '../model/relaxation-block.js';
import { BlockSpecSchema } from '../model/spec.js';
import type { Registry } from '../registry/registry.js';
import { tf, type Tensor2D } from '../tensor/tf.js';

/**
 * Minimal reference plugins for plugin authors' tests, so a kernel package can
 * run a real `NeuralPde` without depending on the other plugin packages. Name
 * them explicitly in the spec (`integrator: referenceEuler.id`, ...).
 *
 * They make the fusion claims their real counterparts make (tanh and identity
 * name their entries of the fused op's activation table, the Euler integrator
 * is `relaxation: 'euler'`, the reservoir is inert), so a model of a stencil
 * kernel and these plugins fuses, and a kernel package can check its fusion
 * (`checkBlockFusion`, `checkFusion`) without other packages.
 */
export const referenceTanh = defineActivation({
  id: '@npde/core/testing/tanh',
  description: 'tanh (reference for tests)',
  options: v.strictObject({}),
  create: () => ({ apply: (x) => tf.tanh(x), stencilActivation: 'tanh' }),
});

/** f(x) = x, for linear tests. */
export const referenceIdentity = defineActivation({
  id: '@npde/core/testing/identity',
  description: 'identity (reference for tests)',
  options: v.strictObject({}),
  create: () => ({ apply: (x) => tf.clone(x), stencilActivation: 'identity' }),
});

/** The Euler relaxation z ← (1 − ω) z + ω f(W z − b). */
export const referenceEuler = defineIntegrator({
  id: '@npde/core/testing/euler',
  description: 'Euler relaxation (reference for tests)',
  options: v.strictObject({}),
  create: () => ({
    evaluationsPerStep: 1,
    relaxation: 'euler',
    step: (c) => tf.add(tf.mul(tf.sub(1, c.omega), c.z), tf.mul(c.omega, c.attractor(c.z))) as Tensor2D,
  }),
});

/** No reservoir. */
export const referenceNoReservoir = defineReservoir({
  id: '@npde/core/testing/none',
  description: 'no reservoir (reference for tests)',
  options: v.strictObject({}),
  create: () => ({ params: {}, inert: true, term: () => null, project: (z) => tf.clone(z) }),
});

/**
 * tfjs's `cpu` backend without fused kernels (so `stencilRelax` runs its tfjs-op
 * path there), for tests of packages that need a backend but should not depend
 * on `@npde/backend-cpu`. Applications use `@npde/backend-cpu`'s `cpuBackend`.
 */
export const referenceCpuBackend = defineBackend({
  id: '@npde/core/testing/cpu',
  name: 'cpu',
  description: 'tfjs cpu backend, no fused kernels (reference for tests)',
  priority: 0,
  options: v.strictObject({}),
  setup: async () => {
    await tf.setBackend('cpu');
    // Its first write prints advice to install tfjs-node, which does not apply to npde: silence it.
    const backend = tf.findBackend('cpu') as { firstUse?: boolean } | null;
    if (backend && 'firstUse' in backend) backend.firstUse = false;
  },
  probe: async () => ({ available: true }),
});

/** Reference `pde` stage: one `RelaxationBlock` (`createRelaxationStage`) on the incoming field, as `@npde/stages/pde` is. */
export const referencePdeStage = defineStage({
  id: '@npde/core/testing/pde',
  description: 'reference pde stage: a RelaxationBlock on the incoming field (what @npde/stages/pde is)',
  options: BlockSpecSchema,
  create: createRelaxationStage,
});

/** All reference plugins, the cpu backend and the pde stage included. */
export const referencePlugins = [referenceTanh, referenceIdentity, referenceEuler, referenceNoReservoir, referenceCpuBackend, referencePdeStage] as const;

/**
 * Set the reference plugins as `registry`'s defaults (integrator, reservoir,
 * and the stage a one-block spec becomes), so one-block specs that leave
 * those out build with reference plugins only. Returns the registry.
 */
export function withReferenceDefaults(registry: Registry): Registry {
  return registry
    .setDefault('integrator', referenceEuler.id)
    .setDefault('reservoir', referenceNoReservoir.id)
    .setDefault('stage', referencePdeStage.id);
}
