import { NeuralPde, Registry, tf, type ModelSpec, type OptimizationProblem, type Scalar, type Tensor2D } from '@npde/core';
import { referenceEuler, referenceIdentity, referenceNoReservoir, referencePdeStage, referenceTanh, withReferenceDefaults } from '@npde/core/testing';
import { plugins as kernels } from '@npde/kernels';

/** A registry with the ADR and dense kernels and the reference tanh/identity, Euler, no reservoir and pde stage. */
export function testRegistry(): Registry {
  return withReferenceDefaults(new Registry().register(...kernels, referenceTanh, referenceIdentity, referenceEuler, referenceNoReservoir, referencePdeStage));
}

/** The `npde demo` coefficient profiles (apps/cli/src/demo/profiles.ts), grid units. */
export function trueProfiles(N: number): { U: number[]; D: number[]; R: number[] } {
  const q = Array.from({ length: N }, (_, i) => (2 * Math.PI * i) / N);
  return {
    U: q.map((t) => 0.3 + 0.2 * Math.sin(t)),
    D: q.map((t) => 0.2 + 0.1 * Math.cos(t)),
    R: q.map((t) => -0.1 + 0.05 * Math.sin(2 * t)),
  };
}

/** ‖a − b‖ / ‖b‖. */
export function relL2(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return Math.sqrt(num / den);
}

/** The demo's heterogeneous ADR model spec (periodic, dx = 1, tanh), initial U = 0, D = 0.1, R = 0. */
export function adrSpec(N: number, L: number, omega: number, family: 'heterogeneous' | 'time-dependent' = 'heterogeneous'): ModelSpec {
  return {
    field: { shape: [N] },
    layers: L,
    activation: referenceTanh.id,
    omega,
    kernel: { id: '@npde/kernels/adr', options: { family, boundary: 'periodic', dx: 1, init: { U: 0, D: 0.1, R: 0 } } },
  };
}

/** The demo's recovery problem at a chosen size: data from the true profiles, a fresh model to fit. */
export interface AdrRecovery {
  readonly model: NeuralPde;
  readonly x: Tensor2D;
  readonly y: Tensor2D;
  readonly truth: { U: number[]; D: number[]; R: number[] };
  /** Full-batch MSE problem on (x, y). */
  problem(): OptimizationProblem;
  /** Largest relative L2 error of U, D, R against the truth (for time-dependent models: over every layer). */
  error(): number;
  dispose(): void;
}

/** Build {@link AdrRecovery}: `n` white-noise samples of N sites through L steps of the true PDE. */
export function adrRecovery(o: { N: number; L: number; omega: number; n: number; seed?: number; family?: 'heterogeneous' | 'time-dependent' }): AdrRecovery {
  const registry = testRegistry();
  const family = o.family ?? 'heterogeneous';
  const truth = trueProfiles(o.N);
  const reps = family === 'time-dependent' ? o.L : 1;
  const tile = (a: number[]) => Array.from({ length: reps }, () => a).flat();
  const truthModel = NeuralPde.create(adrSpec(o.N, o.L, o.omega, family), { registry });
  truthModel.setWeights({ 'kernel/U': tile(truth.U), 'kernel/D': tile(truth.D), 'kernel/R': tile(truth.R) }, { partial: true });
  const x = tf.randomNormal([o.n, o.N], 0, 1, 'float32', o.seed ?? 1) as Tensor2D;
  const y = tf.tidy(() => truthModel.forward(x));
  truthModel.dispose();
  const model = NeuralPde.create(adrSpec(o.N, o.L, o.omega, family), { registry });
  const objective = (p: Tensor2D) => tf.mean(tf.squaredDifference(p, y)) as Scalar;
  const f = () => objective(model.forward(x));
  return {
    model,
    x,
    y,
    truth,
    problem: () => ({
      variables: model.trainableVariables,
      loss: () => tf.tidy(f),
      lossAndGrads: () => {
        const vars = model.trainableVariables;
        const { value, grads } = tf.variableGrads(f, vars);
        return { loss: value, grads: vars.map((v) => grads[v.name]!) };
      },
      objective,
      batch: { x, y },
      model,
      iteration: 0,
    }),
    error: () => {
      const p = model.parameters;
      return Math.max(
        relL2(p['kernel/U']!.dataSync(), tile(truth.U)),
        relL2(p['kernel/D']!.dataSync(), tile(truth.D)),
        relL2(p['kernel/R']!.dataSync(), tile(truth.R)),
      );
    },
    dispose: () => {
      model.dispose();
      tf.dispose([x, y]);
    },
  };
}
