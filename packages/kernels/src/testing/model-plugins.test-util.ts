/**
 * A registry for running the kernels inside a real `NeuralPde` without
 * depending on the other plugin packages: core's reference plugins (tanh, the
 * Euler relaxation, no reservoir, the cpu backend) plus this package's kernels.
 */
import { Registry } from '@npde/core';
import { referencePlugins, referenceEuler, referenceNoReservoir, referenceTanh, withReferenceDefaults } from '@npde/core/testing';
import { plugins } from '../index.js';

export { referenceTanh as tanhActivation, referenceEuler as eulerIntegrator, referenceNoReservoir as noReservoir };

/** A fresh registry with this package's kernels, core's reference plugins and the cpu backend. */
export function kernelTestRegistry(): Registry {
  return withReferenceDefaults(new Registry().register(plugins, referencePlugins));
}
