// The outside plugin at work: register it from outside npde, build a model with
// it, train it on data from a known dispersion PDE, save, load and inspect it.
// Run after `npm install` at the workspace root (no build step for this package):
//   node examples/dispersion-plugin/train.mjs [--epochs 150] [--out dir] [--backend wasm|cpu]
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { NeuralPde, Trainer, createDefaultRegistry, findMoment, loadModel, saveModel } from 'npde';
import { HYPER_ID, plugins } from '@acme/npde-dispersion';
import { TRUE, makeData, modelSpec } from './truth.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({ options: { epochs: { type: 'string', default: '150' }, out: { type: 'string' }, backend: { type: 'string' } } });

// 1. Register from outside: npde's built-ins plus this package's plugins.
const registry = createDefaultRegistry().register(plugins);
const { name } = await registry.ready(args.backend ? { backend: args.backend } : {});
console.log(`backend: ${name}; ${HYPER_ID} registered: ${registry.has('kernel', HYPER_ID)}`);

// 2. A model with the outside kernel, and data from the known PDE.
const model = NeuralPde.create(modelSpec(), { registry });
const { x, y } = makeData(registry);

// 3. Train.
const trainer = new Trainer({ registry });
trainer.events$.subscribe((e) => e.type === 'epoch:end' && e.epoch % 50 === 0 && console.log(`epoch ${e.epoch} loss ${e.loss.toExponential(2)}`));
const fit = await trainer.fit(model, { x, y }, { optimizer: { id: '@npde/optimizers/adam', options: { learningRate: 0.01 } }, epochs: Number(args.epochs) });
console.log(`trained ${fit.epochs} epochs, final loss ${fit.loss.toExponential(2)}`);

// 4. Save, and load into a fresh registry that holds the plugin.
const out = args.out ?? (await mkdtemp(join(tmpdir(), 'npde-dispersion-')));
await saveModel(model, out);
const loaded = await loadModel(out, { registry: createDefaultRegistry().register(plugins) });
const [before, after] = [model.predict(x), loaded.predict(x)];
const want = before.dataSync();
const same = after.dataSync().every((v, i) => v === want[i]);
before.dispose();
after.dispose();
console.log(`saved to ${out}; loaded model predicts identically: ${same}`);
const rel = relative(process.cwd(), here) || '.';
console.log(`read it with the CLI: npde inspect ${out} --plugin ${rel.startsWith('.') || isAbsolute(rel) ? rel : `./${rel}`}`);

// 5. Inspect: the coefficients as physics, and the kernel's moments W3 = 6 c3, W4 = 24 c4.
const [c3, c4] = loaded.kernel.physics().map((q) => q.values[0][0]);
const m = loaded.kernel.moments(0, 4);
const moment = (label) => findMoment(m, label).values[0];
const relErr = { c3: Math.abs(c3 - TRUE.c3) / Math.abs(TRUE.c3), c4: Math.abs(c4 - TRUE.c4) / Math.abs(TRUE.c4) };
console.log(`learned c3 = ${c3.toFixed(4)} (true ${TRUE.c3}, error ${(100 * relErr.c3).toFixed(2)} %), c4 = ${c4.toFixed(4)} (true ${TRUE.c4}, error ${(100 * relErr.c4).toFixed(2)} %)`);
console.log(`moments: W0 = ${moment('W0').toFixed(4)}, W1 = ${moment('W1').toFixed(4)}, W2 = ${moment('W2').toFixed(4)}, W3 = ${moment('W3').toFixed(4)} (6·c3), W4 = ${moment('W4').toFixed(4)} (24·c4)`);
x.dispose();
y.dispose();
model.dispose();
loaded.dispose();
if (!same || relErr.c3 > 0.05 || relErr.c4 > 0.05) {
  console.error('example failed: the loaded model differs, or the learned coefficients are more than 5 % off');
  process.exitCode = 1;
}
