// The known dispersion PDE the example learns back, and samples from it. Shared by
// train.mjs and make-data.mjs. Uses npde only through its public entry points.
import { NeuralPde, tf } from 'npde';
import { HYPER_ID } from '@acme/npde-dispersion';

/** The generating coefficients: W z = z + c3 ∂³z + c4 ∂⁴z with these values. */
export const TRUE = Object.freeze({ c3: 0.08, c4: -0.04 });

/** The model spec: 32 sites, 4 relaxation steps, linear (identity) activation. */
export function modelSpec() {
  return {
    field: { shape: [32] },
    layers: 4,
    omega: 0.5,
    kernel: { id: HYPER_ID, options: { family: 'homogeneous', boundary: 'periodic' } },
    activation: '@npde/activations/identity',
  };
}

/**
 * `samples` white-noise inputs and the true model's outputs.
 *
 * @param {import('npde').Registry} registry - a registry holding the plugin
 * @param {number} samples
 * @param {number} seed
 */
export function makeData(registry, samples = 256, seed = 1) {
  const truth = NeuralPde.create(modelSpec(), { registry });
  truth.setWeights({ 'kernel/c3': [TRUE.c3], 'kernel/c4': [TRUE.c4] }, { partial: true });
  const x = tf.randomNormal([samples, 32], 0, 1, 'float32', seed);
  const y = truth.predict(x);
  truth.dispose();
  return { x, y };
}
