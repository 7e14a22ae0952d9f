#!/usr/bin/env node
/**
 * Activation memory of deep models: peak tensor bytes of one loss-and-gradient
 * evaluation by ordinary backpropagation against the checkpointed adjoint
 * (`@npde/optimizers/adjoint`, segment ⌈√L⌉), for depths L ∈ {10, 100, 1000},
 * and how far the two gradients differ (max relative).
 *
 *   node bench/memory.js            # L = 10, 100, 1000 (about a minute on one core)
 *   node bench/memory.js --quick    # L = 10, 100
 *   node bench/memory.js --layers 10,50,200 --sites 64 --batch 32
 *
 * Uses the BUILT packages (`npm run build` first). Peak bytes are tfjs's own
 * count of live tensor bytes (what `tf.memory().numBytes` reports), sampled
 * every time the engine tracks a new tensor.
 */
import process from 'node:process';
import { NeuralPde, Registry, tf } from '@npde/core';
import { referenceEuler, referenceNoReservoir, referencePdeStage, referenceTanh, withReferenceDefaults } from '@npde/core/testing';
import { plugins as kernels } from '@npde/kernels';
import { checkpointedLossAndGrads } from '@npde/optimizers';

function parse(argv) {
  const o = { layers: [10, 100, 1000], sites: 64, batch: 32 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') o.layers = [10, 100];
    else if (a === '--layers') o.layers = argv[++i].split(',').map(Number);
    else if (a === '--sites') o.sites = Number(argv[++i]);
    else if (a === '--batch') o.batch = Number(argv[++i]);
    else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: node bench/memory.js [--quick] [--layers 10,100,1000] [--sites 64] [--batch 32]\n');
      process.exit(0);
    } else {
      process.stderr.write(`unknown argument ${a}\n`);
      process.exit(2);
    }
  }
  return o;
}

/** Most live tensor bytes during fn, above those live before. */
function peakBytes(fn) {
  const engine = tf.engine();
  const original = engine.trackTensor;
  const start = engine.state.numBytes;
  let peak = start;
  engine.trackTensor = function (a, backend) {
    original.call(this, a, backend);
    if (this.state.numBytes > peak) peak = this.state.numBytes;
  };
  try {
    return { result: fn(), peak: peak - start };
  } finally {
    engine.trackTensor = original;
  }
}

function maxRelDiff(a, b) {
  let worst = 0;
  a.forEach((t, k) => {
    const da = t.dataSync();
    const db = b[k].dataSync();
    let scale = 0;
    let diff = 0;
    for (let i = 0; i < db.length; i++) {
      scale = Math.max(scale, Math.abs(db[i]));
      diff = Math.max(diff, Math.abs(da[i] - db[i]));
    }
    worst = Math.max(worst, diff / (scale || 1));
  });
  return worst;
}

const kib = (b) => (b / 1024).toFixed(1);

async function main() {
  const o = parse(process.argv.slice(2));
  await tf.setBackend('cpu');
  const registry = withReferenceDefaults(new Registry().register(...kernels, referenceTanh, referenceEuler, referenceNoReservoir, referencePdeStage));
  const stateBytes = o.batch * o.sites * 4;
  const rows = [];
  for (const L of o.layers) {
    const model = NeuralPde.create(
      {
        field: { shape: [o.sites] },
        layers: L,
        activation: referenceTanh.id,
        omega: 0.3,
        kernel: { id: '@npde/kernels/adr', options: { family: 'heterogeneous', boundary: 'periodic', dx: 1, init: { U: 0.2, D: 0.15, R: -0.05 } } },
      },
      { registry },
    );
    const x = tf.randomNormal([o.batch, o.sites], 0, 1, 'float32', 1);
    const y = tf.randomNormal([o.batch, o.sites], 0, 0.5, 'float32', 2);
    const vars = model.trainableVariables;
    const objective = (p) => tf.mean(tf.squaredDifference(p, y));
    let t = performance.now();
    const full = peakBytes(() => tf.variableGrads(() => objective(model.forward(x)), vars));
    const fullS = (performance.now() - t) / 1000;
    t = performance.now();
    const ck = peakBytes(() => checkpointedLossAndGrads(model, vars, x, objective));
    const ckS = (performance.now() - t) / 1000;
    const ref = vars.map((v) => full.result.grads[v.name]);
    const rel = maxRelDiff(ck.result.grads, ref);
    rows.push({ L, segment: ck.result.segment, full: full.peak, ck: ck.peak, rel, fullS, ckS });
    tf.dispose([full.result.value, ...ref, ck.result.loss, ...ck.result.grads, x, y]);
    model.dispose();
    process.stderr.write(`L = ${L} done\n`);
  }
  const head = ['L', 'segment', 'backprop peak KiB', 'checkpointed peak KiB', 'ratio', 'ckpt / (√L·state)', 'max rel grad diff', 'backprop s', 'checkpointed s'];
  const body = rows.map((r) => [
    String(r.L),
    String(r.segment),
    kib(r.full),
    kib(r.ck),
    (r.full / r.ck).toFixed(1),
    (r.ck / (Math.sqrt(r.L) * stateBytes)).toFixed(1),
    r.rel.toExponential(1),
    r.fullS.toFixed(2),
    r.ckS.toFixed(2),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padStart(widths[i])).join(' | ')} |`;
  process.stdout.write(`peak tensor bytes of one loss+gradient, ADR heterogeneous, N = ${o.sites}, batch ${o.batch} (one state = ${kib(stateBytes)} KiB), tfjs cpu\n`);
  process.stdout.write(`${line(head)}\n| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |\n${body.map(line).join('\n')}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
