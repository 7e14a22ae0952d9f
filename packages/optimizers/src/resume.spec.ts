import { NeuralPde, Registry, Trainer, defineKernelFamily, memoryCheckpointStore, tf, v, type FitOptions, type Tensor2D } from '@npde/core';
import { referenceEuler, referenceNoReservoir, referencePdeStage, referenceTanh, withReferenceDefaults } from '@npde/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { adam, sgd } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** W = diag(a), a trainable per site. */
const diag = defineKernelFamily({
  id: '@test/k/diag',
  description: 'diagonal W',
  options: v.object({}),
  create: ({ field }) => {
    const a = tf.tidy(() => tf.variable(tf.fill([field.size], 0.5), true));
    return { params: { a }, paramCount: field.size, apply: (z: Tensor2D) => tf.mul(z, a) as Tensor2D, dispose: () => a.dispose() };
  },
});

const registry = () => withReferenceDefaults(new Registry().register(diag, referenceTanh, referenceEuler, referenceNoReservoir, referencePdeStage, adam, sgd));
const spec = { field: { shape: [6] }, layers: 3, kernel: diag.id, activation: referenceTanh.id, integrator: referenceEuler.id, reservoir: referenceNoReservoir.id, omega: 0.5, bias: 'per-layer' } as const;

function weights(model: NeuralPde): Record<string, number[]> {
  const w = model.getWeights();
  const out = Object.fromEntries(Object.entries(w).map(([k, t]) => [k, Array.from(t.dataSync())]));
  tf.dispose(Object.values(w));
  return out;
}

// The optimizers' getState/setState carried by the trainer's checkpoints: a fit cut after
// epoch 3 and resumed on a fresh model in a fresh trainer ends with exactly the weights of
// the uninterrupted fit (shuffled mini-batches, Adam's moments, step count and decaying rate).
describe.each([
  { name: 'adam with a decaying rate', optimizer: { id: adam.id, options: { learningRate: 0.05, decay: 0.5, decaySteps: 7 } } },
  { name: 'sgd with momentum', optimizer: { id: sgd.id, options: { learningRate: 0.2, momentum: 0.9 } } },
])('resuming a fit with $name', ({ optimizer }) => {
  it('ends bit for bit where the uninterrupted fit ends', async () => {
    const x = tf.randomNormal([40, 6], 0, 1, 'float32', 7) as Tensor2D;
    const y = tf.tanh(tf.mul(x, tf.tensor1d([0.9, 1.2, 1.5, 0.7, 1.1, 1.3])));
    const options: FitOptions = { optimizer, epochs: 6, batchSize: 8, validation: 0.25, seed: 3 };

    const straight = NeuralPde.create(spec, { registry: registry() });
    const ref = await new Trainer({ registry: registry() }).fit(straight, { x, y }, options);

    const store = memoryCheckpointStore();
    const first = NeuralPde.create(spec, { registry: registry() });
    await new Trainer({ registry: registry() }).fit(first, { x, y }, { ...options, epochs: 3, checkpoint: { store } });
    const second = NeuralPde.create(spec, { registry: registry() });
    const resumed = await new Trainer({ registry: registry() }).fit(second, { x, y }, { ...options, resume: store });

    expect(resumed.initialEpoch).toBe(3);
    expect(weights(second)).toEqual(weights(straight));
    expect(resumed.history).toEqual(ref.history);
    [straight, first, second].forEach((m) => m.dispose());
    tf.dispose([x, y]);
  });
});
