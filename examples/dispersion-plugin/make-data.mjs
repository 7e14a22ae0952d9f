// Write x.json and y.json (samples from the known dispersion PDE of truth.mjs) next to
// this script, for `npde train examples/dispersion-plugin/config.json --plugin ./examples/dispersion-plugin`.
// Usage: node examples/dispersion-plugin/make-data.mjs [samples=256] [seed=1]
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDefaultRegistry } from 'npde';
import { plugins } from '@acme/npde-dispersion';
import { makeData } from './truth.mjs';

const registry = createDefaultRegistry().register(plugins);
await registry.ready({ backend: 'cpu' });
const { x, y } = makeData(registry, Number(process.argv[2] ?? 256), Number(process.argv[3] ?? 1));
const dir = dirname(fileURLToPath(import.meta.url));
writeFileSync(join(dir, 'x.json'), JSON.stringify(x.arraySync()));
writeFileSync(join(dir, 'y.json'), JSON.stringify(y.arraySync()));
console.log(`wrote ${x.shape[0]} samples to ${join(dir, 'x.json')} and ${join(dir, 'y.json')}`);
