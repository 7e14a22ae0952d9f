/**
 * A registry for running the kernels inside a real `NeuralPde` without
 * depending on the other plugin packages: core's reference plugins (tanh, the
 * Euler relaxation, no reservoir, the cpu backend) plus this package's kernels.
 */
import { NeuralPde, Registry, type FieldSpec, type PluginRef } from '@npde/core';
import { referencePlugins, referenceEuler, referenceNoReservoir, referenceTanh, withReferenceDefaults } from '@npde/core/testing';
import { plugins } from '../index.js';

export { referenceTanh as tanhActivation, referenceEuler as eulerIntegrator, referenceNoReservoir as noReservoir };

/** A fresh registry with this package's kernels, core's reference plugins and the cpu backend. */
export function kernelTestRegistry(): Registry {
  return withReferenceDefaults(new Registry().register(plugins, referencePlugins));
}

/**
 * A `NeuralPde` of `layers` (default 3) steps with ω (default 0.5), the given kernel and
 * core's reference tanh, Euler relaxation and no reservoir, built on
 * {@link kernelTestRegistry}: the model the fusion checks of this package run.
 */
export function referenceModel(kernel: PluginRef, field: FieldSpec, options: { layers?: number; omega?: number; seed?: number } = {}): NeuralPde {
  return NeuralPde.create(
    {
      field,
      layers: options.layers ?? 3,
      omega: options.omega ?? 0.5,
      kernel,
      activation: referenceTanh.id,
      integrator: referenceEuler.id,
      reservoir: referenceNoReservoir.id,
      ...(options.seed === undefined ? {} : { seed: options.seed }),
    },
    { registry: kernelTestRegistry() },
  );
}
