// Read a trained dense layer as physics (docs/analysis.md):
// 1. a known heterogeneous 1-D ADR model (N = 32, periodic) makes data from white noise;
// 2. `npde train` fits a `dense` model (a full 32 × 32 W, shared by its layers) to that data;
// 3. `npde inspect --periodic` reads the trained W's moments: W1 (advection) and W2 (diffusion)
//    must be within 10% relative L2 of the generating model's, or this script exits 1.
// Usage: node examples/read-dense/run.mjs [--quick] [--noise SIGMA] [--max-offset K] [--out DIR]
//   --quick: 400 samples, 60 epochs (CI); --noise: Gaussian noise of this standard deviation added to the targets;
//   --max-offset: read the moments over |j − i| ≤ K only (passed to `npde inspect`).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NeuralPde, createDefaultRegistry, findMoment, tf } from 'npde';
import { exampleOptions } from '../lib/options.mjs';

const USAGE = `Usage: node examples/read-dense/run.mjs [--quick] [--noise SIGMA] [--max-offset K] [--out DIR] [--help]
Fits a dense layer to data from a known 1-D ADR model with \`npde train\` and reads it back as physics with \`npde inspect\`.`;
const parsed = exampleOptions(
  'read-dense',
  {
    quick: { type: 'boolean', default: false },
    noise: { type: 'string', default: '0' },
    'max-offset': { type: 'string' },
    out: { type: 'string' },
  },
  USAGE,
);
const quick = parsed.quick;
const NOISE = Number(parsed.noise);
const WINDOW = parsed['max-offset'] !== undefined ? ['--max-offset', parsed['max-offset']] : [];
const work = resolve(parsed.out ?? join(tmpdir(), 'npde-read-dense'));
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const cli = join(root, 'apps/cli/bin/npde.js');

const N = 32;
const LAYERS = 2;
const OMEGA = 0.5;
const SAMPLES = quick ? 400 : 1000;
const EPOCHS = quick ? 60 : 150;
const TOLERANCE = 0.1;

// The generating model: U, D, R profiles in grid units (Δ = 1), periodic boundary.
const q = (i) => (2 * Math.PI * i) / N;
const U = Array.from({ length: N }, (_, i) => 0.2 * Math.sin(q(i)) + 0.05);
const D = Array.from({ length: N }, (_, i) => 0.15 + 0.08 * Math.cos(2 * q(i)));
const R = Array.from({ length: N }, (_, i) => -0.05 + 0.04 * Math.sin(3 * q(i)));

const registry = createDefaultRegistry();
await registry.ready({ backend: 'cpu' });
const truth = NeuralPde.create(
  {
    field: { shape: [N] },
    layers: LAYERS,
    omega: OMEGA,
    kernel: { id: '@npde/kernels/adr', options: { family: 'heterogeneous', boundary: 'periodic' } },
    activation: '@npde/activations/tanh',
  },
  { registry },
);
truth.setWeights({ 'kernel/U': U, 'kernel/D': D, 'kernel/R': R }, { partial: true });
const gen = truth.kernel.moments(0, 2);
const W1 = [...findMoment(gen, 'W1').values];
const W2 = [...findMoment(gen, 'W2').values];

// White-noise inputs in [−1, 1] and the generating model's outputs.
let s = 12345;
const rand = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
const x = Array.from({ length: SAMPLES }, () => Array.from({ length: N }, () => 2 * rand() - 1));
const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
const y = truth.predict(x).arraySync().map((row) => row.map((v) => v + NOISE * gauss()));
truth.dispose();
mkdirSync(work, { recursive: true });
writeFileSync(join(work, 'x.json'), JSON.stringify(x));
writeFileSync(join(work, 'y.json'), JSON.stringify(y));

// The dense model: one W for both layers, same ω and activation, trained by `npde train`.
const config = {
  model: {
    field: { shape: [N] },
    layers: LAYERS,
    omega: OMEGA,
    kernel: { id: '@npde/kernels/dense', options: { shared: true, init: 'identity' } },
    activation: '@npde/activations/tanh',
  },
  data: { source: 'file', x: 'x.json', y: 'y.json' },
  optimizer: { id: '@npde/optimizers/adam', options: { learningRate: 0.01 } },
  training: { epochs: EPOCHS, batchSize: 100, loss: 'mse' },
  backend: 'cpu',
};
writeFileSync(join(work, 'config.json'), JSON.stringify(config, null, 2));
const model = join(work, 'model');
const npde = (...a) => execFileSync(process.execPath, [cli, ...a], { encoding: 'utf8', maxBuffer: 1 << 28 });
const trained = JSON.parse(npde('train', join(work, 'config.json'), '--out', model, '--json'));

// Read the trained W as physics, with ring offsets (the generating stencil is periodic).
const info = JSON.parse(npde('inspect', model, '--json', '--periodic', ...WINDOW, '--order', '4', '--plots', join(work, 'plots')));
const physics = info.report.blocks[0].layers[0].physics;
const w1 = physics.advection[0];
const w2 = physics.diffusion[0][0].map((d) => 2 * d);
const relL2 = (a, b) => Math.sqrt(a.reduce((acc, v, i) => acc + (v - b[i]) ** 2, 0) / b.reduce((acc, v) => acc + v * v, 0));
const e1 = relL2(w1, W1);
const e2 = relL2(w2, W2);
const summary = {
  samples: SAMPLES,
  noise: NOISE,
  maxOffset: WINDOW[1] === undefined ? null : Number(WINDOW[1]),
  epochs: EPOCHS,
  finalLoss: trained.finalLoss,
  relL2: { W1: e1, W2: e2 },
  W0: { mean: physics.amplitude.reduce((a, b) => a + b, 0) / N },
  stable: physics.stable,
  plots: info.plots.length,
  work,
};
console.log(JSON.stringify(summary, null, 2));
console.log(npde('inspect', model, '--periodic', ...WINDOW, '--order', '4'));
const ok = e1 <= TOLERANCE && e2 <= TOLERANCE;
console.log(ok ? `ok: W1 and W2 within ${TOLERANCE * 100}% relative L2 of the generating ADR model` : `FAILED: relative L2 W1 ${e1}, W2 ${e2} > ${TOLERANCE}`);
tf.disposeVariables();
process.exitCode = ok ? 0 : 1;
