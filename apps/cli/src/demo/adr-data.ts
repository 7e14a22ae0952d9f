import { NeuralPde, type ModelSpec, type Registry, type Tensor2D } from 'npde';
import { addNoise, whiteNoise } from './data.js';
import { trueProfiles, type AdrProfiles } from './profiles.js';

/** Settings of the synthetic ADR data set. */
export interface AdrDataOptions {
  readonly sites: number;
  readonly samples: number;
  readonly layers: number;
  readonly omega: number;
  readonly inputStd: number;
  readonly noise: number;
  readonly seed: number;
  readonly registry: Registry;
}

/** A synthetic data set and the model that made it. */
export interface AdrData {
  readonly x: Tensor2D;
  /** Outputs with noise (what training sees). */
  readonly y: Tensor2D;
  /** The true coefficients. */
  readonly truth: AdrProfiles;
  /** The generating model (caller disposes), for clean held-out targets. */
  readonly truthModel: NeuralPde;
  /** The spec of an `adr` heterogeneous model matching the data (initial U = 0, D = 0.1, R = 0). */
  readonly spec: ModelSpec;
}

/**
 * Generate data from the known heterogeneous ADR PDE (periodic grid, grid
 * units, tanh): white-noise inputs, outputs after `layers` relaxation steps,
 * plus Gaussian noise of `noise` × std(outputs).
 */
export function generateAdrData(o: AdrDataOptions): AdrData {
  const spec: ModelSpec = {
    field: { shape: [o.sites] },
    layers: o.layers,
    activation: '@npde/activations/tanh',
    omega: o.omega,
    kernel: { id: '@npde/kernels/adr', options: { family: 'heterogeneous', boundary: 'periodic', dx: 1, init: { U: 0, D: 0.1, R: 0 } } },
  };
  const truth = trueProfiles(o.sites);
  const truthModel = NeuralPde.create(spec, { registry: o.registry });
  truthModel.setWeights({ 'kernel/U': truth.U, 'kernel/D': truth.D, 'kernel/R': truth.R }, { partial: true });
  const x = whiteNoise(o.samples, o.sites, o.inputStd, o.seed);
  const clean = truthModel.predict(x) as Tensor2D;
  const y = addNoise(clean, o.noise, o.seed + 1000);
  clean.dispose();
  return { x, y, truth, truthModel, spec };
}
