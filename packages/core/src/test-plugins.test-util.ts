// Minimal plugins for core's own tests (core depends on no concrete plugin package).
import * as v from 'valibot';
import { defineKernelFamily, defineOptimizer } from './plugins/define.js';
import { tf, type Tensor2D } from './tensor/tf.js';
import { Registry } from './registry/registry.js';
import { withReferenceDefaults, referencePdeStage, referenceCpuBackend as cpuBackend, referenceEuler, referenceIdentity, referenceNoReservoir, referenceTanh } from './testing/reference-plugins.js';

export { referenceEuler as euler, referenceNoReservoir as noReservoir, referenceTanh as tanhAct };

/** W = diag(a) with one trainable a per site (shared across layers). */
export const diagKernel = defineKernelFamily({
  id: '@test/k/diag',
  description: 'diagonal W',
  options: v.object({ init: v.optional(v.number(), 0.5) }),
  create: ({ field, options }) => {
    const a = tf.tidy(() => tf.variable(tf.fill([field.size], options.init), true));
    return {
      params: { a },
      paramCount: field.size,
      apply: (z: Tensor2D) => tf.mul(z, a) as Tensor2D,
      dense: () => tf.diag(a) as Tensor2D,
      dispose: () => a.dispose(),
    };
  },
});

export const sgd = defineOptimizer({
  id: '@test/o/sgd',
  description: 'plain gradient descent',
  options: v.object({ learningRate: v.optional(v.number(), 0.1) }),
  create: ({ options }) => ({
    step: (p) => {
      const { loss, grads } = p.lossAndGrads();
      const value = loss.dataSync()[0]!;
      tf.tidy(() => p.variables.forEach((v, i) => v.assign(tf.sub(v, tf.mul(options.learningRate, grads[i]!)))));
      loss.dispose();
      grads.forEach((g) => g.dispose());
      return value;
    },
    learningRate: () => options.learningRate,
    dispose: () => {},
  }),
});

/** A registry holding the test plugins and the cpu backend. */
export function testRegistry(): Registry {
  return withReferenceDefaults(new Registry().register(diagKernel, referenceTanh, referenceIdentity, referenceEuler, referenceNoReservoir, referencePdeStage, sgd, cpuBackend));
}

export const testSpec = {
  field: { shape: [6] },
  layers: 3,
  kernel: '@test/k/diag',
  activation: referenceTanh.id,
  integrator: referenceEuler.id,
  reservoir: referenceNoReservoir.id,
  omega: 0.5,
} as const;
