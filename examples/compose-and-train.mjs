// Compose a neural ADR model, train it, and read its weights as physics.
// Run after `npm install`: node examples/compose-and-train.mjs
import { NeuralPde, Trainer, createDefaultRegistry, tf } from 'npde';

const registry = createDefaultRegistry();
const { name } = await registry.ready(); // the WASM backend unless asked otherwise
console.log(`backend: ${name}`);

const model = NeuralPde.create(
  {
    field: { shape: [32] },
    layers: 4,
    omega: 0.5,
    kernel: { id: '@npde/kernels/adr', options: { family: 'homogeneous', boundary: 'periodic' } },
    activation: '@npde/activations/tanh',
  },
  { registry },
);

// Targets from a known homogeneous ADR model (U = 0.2, D = 0.15, R = -0.05).
const truth = NeuralPde.create(model.spec, { registry });
truth.setWeights({ 'kernel/U': [0.2], 'kernel/D': [0.15], 'kernel/R': [-0.05] }, { partial: true });
const x = tf.randomNormal([256, 32], 0, 1, 'float32', 1);
const y = truth.predict(x);

const trainer = new Trainer({ registry });
trainer.events$.subscribe((e) => e.type === 'epoch:end' && e.epoch % 50 === 0 && console.log(`epoch ${e.epoch} loss ${e.loss.toExponential(2)}`));
await trainer.fit(model, { x, y }, { optimizer: { id: '@npde/optimizers/adam', options: { learningRate: 0.02 } }, epochs: 200 });

for (const q of model.kernel.physics()) console.log(`${q.name} (${q.description}) = ${q.values[0][0].toFixed(4)}`);
