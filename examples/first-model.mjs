// A first model: learn the advection, diffusion and reaction of a known 1-D PDE from data.
import { NeuralPde, Trainer, createDefaultRegistry, tf } from 'npde';

const registry = createDefaultRegistry();
await registry.ready(); // the WASM backend
const spec = {
  field: { shape: [32] }, layers: 4, omega: 0.5, activation: '@npde/activations/tanh',
  kernel: { id: '@npde/kernels/adr', options: { family: 'homogeneous', boundary: 'periodic' } },
};
const truth = NeuralPde.create(spec, { registry });
truth.setWeights({ 'kernel/U': [0.2], 'kernel/D': [0.15], 'kernel/R': [-0.05] }, { partial: true });
const x = tf.randomNormal([256, 32], 0, 1, 'float32', 1);
const y = truth.predict(x); // what a PDE with U = 0.2, D = 0.15, R = -0.05 makes of x

const model = NeuralPde.create(spec, { registry });
const optimizer = { id: '@npde/optimizers/adam', options: { learningRate: 0.02 } };
await new Trainer({ registry }).fit(model, { x, y }, { optimizer, epochs: 200 });
for (const q of model.kernel.physics()) console.log(`${q.name} (${q.description}) = ${q.values[0][0].toFixed(3)}`);
