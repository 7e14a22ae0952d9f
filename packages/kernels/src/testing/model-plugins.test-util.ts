/**
 * A registry for running the kernels inside a real `NeuralPde` without
 * depending on the other plugin packages: core's reference plugins (tanh, the
 * Euler relaxation, no reservoir) plus this package's kernels.
 */
import { Registry, cpuBackend } from '@npde/core';
import { referencePlugins, referenceEuler, referenceNoReservoir, referenceTanh } from '@npde/core/testing';
import { plugins } from '../index.js';

export { referenceTanh as tanhActivation, referenceEuler as eulerIntegrator, referenceNoReservoir as noReservoir };

/** A fresh registry with this package's kernels, core's reference plugins and the cpu backend. */
export function kernelTestRegistry(): Registry {
  return new Registry().register(plugins, referencePlugins, cpuBackend);
}
