// Write x.json (n × 8 × 8 noisy bars) and y.json (labels: 0 horizontal, 1 vertical) next to this script.
// Usage: node examples/classify-bars/make-data.mjs [samples=400] [seed=1]
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const n = Number(process.argv[2] ?? 400);
let s = Number(process.argv[3] ?? 1) * 7919 + 1;
const rand = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
const x = [];
const y = [];
for (let k = 0; k < n; k++) {
  const label = k % 2;
  const at = Math.floor(rand() * 8);
  x.push(Array.from({ length: 8 }, (_, i) => Array.from({ length: 8 }, (_, j) => +(((label === 0 ? i : j) === at ? 1 : 0) + 0.3 * (rand() - 0.5)).toFixed(4))));
  y.push(label);
}
const dir = dirname(fileURLToPath(import.meta.url));
writeFileSync(join(dir, 'x.json'), JSON.stringify(x));
writeFileSync(join(dir, 'y.json'), JSON.stringify(y));
console.log(`wrote ${n} samples to ${join(dir, 'x.json')} and ${join(dir, 'y.json')}`);
