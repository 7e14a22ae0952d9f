#!/usr/bin/env node
/**
 * Bench of the fused multi-channel 2-D step (`channelStencilRelax`, docs/design/stencil-relax.md
 * "Multi-channel 2-D step"): batch 64, 28 × 28 sites, 8 channels, 9-point per-channel stencils
 * + 8 × 8 channel mixing, tanh, ω = 0.5, zero boundary — forward, and forward + backward
 * (gradients with respect to z, taps, mixing, ω and bias), side by side in one run:
 *
 *   opPath     channelStencilRelaxReference on the wasm backend (tfjs ops, tfjs autodiff)
 *   fused      channelStencilRelax on the wasm backend (csrc/channel_stencil.c; zero-copy,
 *              or copy with NPDE_WASM_FUSED=copy)
 *   tfjsConv   tf.depthwiseConv2d (3×3, 'same') + 1×1 tf.conv2d on wasm — the ops tfjs-layers'
 *              DepthwiseConv2D and Conv2D layers call; forward, and forward + backward where
 *              tfjs-backend-wasm has the gradient kernels (4.22 does not: the column is — and a
 *              note gives tfjs's error)
 *   torch1/2   PyTorch CPU F.conv2d (depthwise 3×3, groups = C, + 1×1), 1 and 2 intra-op threads,
 *              on the same inputs, when a Python that imports torch is found (bench/lib/torch.mjs)
 *
 * plus one batch-64 training step (forward, softmax cross-entropy, backward, Adam; npde's
 * Trainer) of the digits model of examples/digits with fusion on and off.
 *
 *   node bench/channel2d.mjs [--reps N] [--warmup N] [--batch B] [--no-torch] [--no-training-step] [--json FILE]
 *
 * `npm run bench` runs it as a child process (section "multi-channel 2-D step", JSON `channel2d`;
 * `--no-channel2d` skips it). It bundles the packages from source (esbuild, the `@npde/source`
 * condition) into a temporary folder inside packages/backend-wasm (so the kernels find wasm/ next
 * to them) and removes it afterwards; no build needed.
 */
import { Buffer } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CHANNEL2D_REPS } from './lib/args.mjs';
import { CHANNEL2D_COLUMNS, CHANNEL2D_RATIOS, channel2dText } from './lib/report.mjs';
import { median } from './lib/timing.mjs';
import { findTorchPython } from './lib/torch.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');

/** The step's geometry (the digits model's first block, at 8 channels). */
export const CHANNEL2D_SHAPE = { height: 28, width: 28, channels: 8, points: 9, boundary: 'zero', activation: 'tanh', omega: 0.5 };
/** The kernels tfjs's gradients of depthwiseConv2d and conv2d run (the tfjsConv backward pass). */
const TFJS_CONV_GRAD_KERNELS = ['DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter', 'Conv2DBackpropInput', 'Conv2DBackpropFilter'];
/** The issue's goal for one batch-64 training step of the digits model, fused (ms). */
export const TRAINING_STEP_GOAL_MS = 40;
/** The digits model of examples/digits (issue 14), as `stages.cnn` options. */
export const DIGITS_MODEL = { input: { shape: [28, 28] }, outputs: 10, channels: [8, 16], depth: 1, stencil: 'adr', diffusion: 'tensor', readout: 'full', seed: 1 };

export const CHANNEL2D_USAGE = `Usage: node bench/channel2d.mjs [options]

  --reps N            timed runs per column (median reported; default ${CHANNEL2D_REPS.full.reps})
  --warmup N          untimed runs before timing (default ${CHANNEL2D_REPS.full.warmup})
  --batch B           batch size (default 64)
  --no-torch          skip PyTorch (columns torch1, torch2)
  --no-training-step  skip the digits model's training step
  --json FILE         also write the results as JSON to FILE (what bench/run.js reads)
  --help`;

/** Parse channel2d.mjs's command line. */
export function parseChannel2dArgs(argv) {
  const o = { ...CHANNEL2D_REPS.full, batch: 64, torch: true, trainingStep: true, json: null, help: false };
  const int = (flag, v, min) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`${flag} expects an integer ≥ ${min}, got ${JSON.stringify(v)}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--reps') o.reps = int(a, next(), 1);
    else if (a === '--warmup') o.warmup = int(a, next(), 0);
    else if (a === '--batch') o.batch = int(a, next(), 1);
    else if (a === '--no-torch') o.torch = false;
    else if (a === '--no-training-step') o.trainingStep = false;
    else if (a === '--json') o.json = path.resolve(next());
    else if (a === '--help' || a === '-h') o.help = true;
    else throw new Error(`unknown option '${a}'\n\n${CHANNEL2D_USAGE}`);
  }
  return o;
}

async function bundle() {
  const esbuild = await import('esbuild');
  const dir = fs.mkdtempSync(path.join(root, 'packages/backend-wasm/.bench-channel2d-'));
  const entry = path.join(dir, 'entry.mjs');
  fs.writeFileSync(entry, "export * from 'npde';\n");
  await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'node',
    conditions: ['@npde/source'],
    outfile: path.join(dir, 'x', 'bundle.mjs'), // two folders below packages/backend-wasm: '../../wasm/' resolves
    logLevel: 'error',
    plugins: [
      {
        name: 'externals',
        setup(b) {
          b.onResolve({ filter: /^[^./#]/ }, (a) => (a.path === 'npde' || a.path.startsWith('@npde/') ? undefined : { path: a.path, external: true }));
        },
      },
    ],
  });
  return { dir, file: path.join(dir, 'x', 'bundle.mjs') };
}

/** warm-up + reps runs of `once` (which returns the ms of its own timed region): median, min, max. */
function time(once, { warmup, reps, log }) {
  for (let i = 0; i < warmup; i++) once();
  const t = [];
  for (let i = 0; i < reps; i++) {
    t.push(once());
    if (process.env.NPDE_BENCH_TRACE) log(`  rep ${i}: ${t[i].toFixed(2)} ms`);
  }
  return { ms: median(t), minMs: Math.min(...t), maxMs: Math.max(...t) };
}

function torchTimes({ B, H, W, C, reps, warmup, inputFile, outputFile }) {
  if (process.env.NPDE_BENCH_NO_TORCH) return { why: 'NPDE_BENCH_NO_TORCH is set' };
  const found = findTorchPython();
  if (!found.python) return { why: found.why };
  const script = path.join(here, 'torch', 'channel2d.py');
  const r = spawnSync(found.python, [script, String(B), String(H), String(W), String(C), String(reps), String(warmup), inputFile, outputFile], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) return { why: `${found.python} ${script} failed: ${(r.error?.message ?? r.stderr ?? '').trim().split('\n').pop()}` };
  return { ...JSON.parse(r.stdout.trim().split('\n').pop()), python: found.python };
}

function maxAbsDiff(a, b) {
  if (a.length !== b.length) return Infinity;
  let d = 0;
  for (let i = 0; i < a.length; i++) {
    const x = Math.abs(a[i] - b[i]);
    if (!(x <= d)) d = x; // NaN-sticky
  }
  return d;
}

/**
 * One batch-64 training step of the digits model (Trainer.fit: forward, softmax cross-entropy,
 * backward, Adam) on wasm with `model.fusion` 'auto' and 'off': the time between consecutive
 * `onBatchEnd` callbacks, the first `warmup` steps of each fit dropped.
 */
async function trainingStep(npde, { batch, reps, warmup, log, notes }) {
  const { tf } = npde;
  const registry = npde.createDefaultRegistry();
  await registry.ready({ backend: 'wasm' });
  const tensorsAtStart = tf.memory().numTensors;
  const model = npde.NeuralPde.create(npde.stages.cnn(DIGITS_MODEL), { registry });
  const params = model.trainableVariables.reduce((n, t) => n + t.size, 0);
  const steps = warmup + reps;
  // Uniform pixels and cycling labels: the step's cost does not depend on the data.
  const x = tf.randomUniform([steps * batch, 784], 0, 1, 'float32', 7);
  const y = Array.from({ length: steps * batch }, (_, i) => i % 10);
  const fit = async (fusion) => {
    model.fusion = fusion;
    const times = [];
    let t = 0;
    await new npde.Trainer({ registry }).fit(model, { x, y }, {
      optimizer: { id: '@npde/optimizers/adam', options: { learningRate: 0.01 } },
      loss: 'softmax-cross-entropy',
      epochs: 1,
      batchSize: batch,
      seed: 1,
      callbacks: [
        {
          onEpochBegin: () => {
            t = performance.now();
          },
          onBatchEnd: () => {
            const n = performance.now();
            times.push(n - t);
            t = n;
          },
        },
      ],
    });
    const timed = times.slice(warmup);
    return { ms: median(timed), minMs: Math.min(...timed), maxMs: Math.max(...timed), steps: timed.length, blocksRan: model.blocks.map((b) => b.lastPath ?? null) };
  };
  try {
    log('timing the digits model\'s training step, fusion auto …');
    const fused = await fit('auto');
    log('timing the digits model\'s training step, fusion off …');
    const unfused = await fit('off');
    return {
      model: `stages.cnn(${JSON.stringify(DIGITS_MODEL)})`,
      params,
      batch,
      reps,
      warmup,
      loss: 'softmax-cross-entropy',
      optimizer: 'adam (lr 0.01)',
      fused,
      unfused,
      'unfused/fused': unfused.ms / fused.ms,
      goalMs: TRAINING_STEP_GOAL_MS,
    };
  } finally {
    x.dispose();
    model.dispose();
    const left = tf.memory().numTensors - tensorsAtStart;
    if (left !== 0) notes.push(`tf.memory().numTensors is ${left > 0 ? '+' : ''}${left} after the training step (model and data disposed)`);
  }
}

/**
 * Run the whole bench; returns the JSON object bench/run.js records as `channel2d`
 * (`config`, `passes[pass] = { ms, minMs, ratios }`, `agreement`, `torch`, `trainingStep`, `notes`).
 */
export async function runChannel2d({ reps = CHANNEL2D_REPS.full.reps, warmup = CHANNEL2D_REPS.full.warmup, batch = 64, torch = true, trainingStep: withTraining = true, log = (m) => process.stderr.write(`${m}\n`) } = {}) {
  const timing = { reps, warmup, log };
  log('bundling the packages from source (esbuild) …');
  const { dir, file } = await bundle();
  try {
    const npde = await import(pathToFileURL(file).href);
    const { tf } = npde;
    const registry = npde.createDefaultRegistry();
    await registry.ready({ backend: 'wasm' });
    const mode = npde.backendWasm.channelKernelMode();
    if (mode.mode === 'op-path') throw new Error(`the fused channel kernels are not registered: ${mode.reason}`);
    const { height: H, width: W, channels: C, points: K } = CHANNEL2D_SHAPE;
    const B = batch;
    const config = { height: H, width: W, channels: C, points: K, boundary: CHANNEL2D_SHAPE.boundary, activation: CHANNEL2D_SHAPE.activation };
    const N = H * W * C;
    const tensorsAtStart = tf.memory().numTensors;
    const z = tf.randomUniform([B, N], -1, 1, 'float32', 1);
    const taps = tf.randomNormal([C, K], 0, 0.3, 'float32', 2);
    const mixing = tf.randomNormal([C, C], 0, 0.3, 'float32', 3);
    const omega = tf.scalar(CHANNEL2D_SHAPE.omega);
    const bias = tf.randomNormal([C], 0, 0.1, 'float32', 4);
    const dy = tf.randomUniform([B, N], -1, 1, 'float32', 5);
    const notes = [];
    const mark = (what) => process.env.NPDE_BENCH_TRACE && log(`  tensors after ${what}: ${tf.memory().numTensors - tensorsAtStart}`);
    const ms = { forward: {}, 'forward+backward': {} };
    const minMs = { forward: {}, 'forward+backward': {} };
    const put = (pass, col, r) => {
      ms[pass][col] = r.ms;
      minMs[pass][col] = r.minMs;
    };
    // A timed run: the tensors computed in a tidy (returned, so the read-back and the disposal
    // follow the timer; wasm runs its kernels synchronously, the work is done when tidy returns).
    const once = (compute) => () => {
      const t0 = performance.now();
      const out = tf.tidy(compute);
      const t = performance.now() - t0;
      (Array.isArray(out) ? out : [out]).forEach((o) => {
        o.dataSync();
        o.dispose();
      });
      return t;
    };
    const forward = (op) => () => op(z, taps, mixing, omega, bias, config);
    const both = (op) => () => tf.grads((a, b, c, d, e) => op(a, b, c, d, e, config))([z, taps, mixing, omega, bias], dy);

    // Agreement first (so the timed columns compute the same thing); the fused forward output is the reference.
    const fusedOut = tf.tidy(() => npde.channelStencilRelax(z, taps, mixing, omega, bias, config));
    const ref = fusedOut.dataSync().slice();
    fusedOut.dispose();
    const fusedMode = npde.backendWasm.channelKernelMode(); // chosen on the first call
    const agreement = {};
    agreement['opPath'] = tf.tidy(() => maxAbsDiff(npde.channelStencilRelaxReference(z, taps, mixing, omega, bias, config).dataSync(), ref));

    for (const [col, op] of [
      ['opPath', npde.channelStencilRelaxReference],
      ['fused', npde.channelStencilRelax],
    ]) {
      log(`timing ${col} …`);
      put('forward', col, time(once(forward(op)), timing));
      put('forward+backward', col, time(once(both(op)), timing));
      mark(col);
    }

    log('timing tfjs conv …');
    // tfjs-layers' DepthwiseConv2D (kernel [3, 3, C, 1]) and a 1×1 Conv2D (kernel [1, 1, Cin, Cout]).
    const dw = tf.tidy(() => tf.reshape(tf.transpose(taps), [3, 3, C, 1]));
    const mix1 = tf.tidy(() => tf.reshape(tf.transpose(mixing), [1, 1, C, C]));
    const conv = (zz, dwK, mixK, w, b) => {
      const xx = tf.reshape(zz, [B, H, W, C]);
      const u = tf.sub(tf.add(tf.depthwiseConv2d(xx, dwK, 1, 'same'), tf.conv2d(xx, mixK, 1, 'same')), b);
      return tf.reshape(tf.add(tf.mul(tf.sub(1, w), xx), tf.mul(w, tf.tanh(u))), [B, N]);
    };
    agreement['tfjsConv'] = tf.tidy(() => maxAbsDiff(conv(z, dw, mix1, omega, bias).dataSync(), ref));
    put('forward', 'tfjsConv', time(once(() => conv(z, dw, mix1, omega, bias)), timing));
    mark('tfjsConv forward');
    // Its backward pass needs these kernels; checked up front (a tf.grads that throws inside tfjs leaks its tape's tensors).
    const missing = TFJS_CONV_GRAD_KERNELS.filter((k) => tf.getKernel(k, 'wasm') == null);
    if (missing.length) {
      notes.push(`tfjsConv forward+backward not measured: tfjs-backend-wasm ${tf.version_core ? `(tfjs ${tf.version_core}) ` : ''}registers no ${missing.join(', ')}`);
    } else {
      put('forward+backward', 'tfjsConv', time(once(() => tf.grads(conv)([z, dw, mix1, omega, bias], dy)), timing));
    }
    mark('tfjsConv forward+backward');
    let torchInfo = null;
    if (torch) {
      log('timing PyTorch …');
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'npde-channel2d-'));
      try {
        const inputFile = path.join(tmp, 'in.bin');
        const outputFile = path.join(tmp, 'out.bin');
        const arrays = [z, taps, mixing, bias, dy].map((t) => t.dataSync());
        fs.writeFileSync(inputFile, Buffer.concat(arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength))));
        const r = torchTimes({ B, H, W, C, reps, warmup, inputFile, outputFile });
        if (r.why) notes.push(`PyTorch skipped: ${r.why}`);
        else {
          torchInfo = { version: r.version, python: r.python };
          for (const row of r.rows) {
            put('forward', `torch${row.threads}`, { ms: row.fwd, minMs: row.fwdMin });
            put('forward+backward', `torch${row.threads}`, { ms: row.both, minMs: row.bothMin });
          }
          const raw = fs.readFileSync(outputFile);
          agreement['torch'] = maxAbsDiff(new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4), ref);
        }
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    } else {
      notes.push('PyTorch skipped (--no-torch)');
    }
    tf.dispose([z, taps, mixing, omega, bias, dy, dw, mix1]);
    const leaked = tf.memory().numTensors - tensorsAtStart;
    if (leaked !== 0) notes.push(`tf.memory().numTensors is ${leaked > 0 ? '+' : ''}${leaked} after the kernel columns`);
    if (fusedMode.mode !== 'zero-copy') notes.push(`the fused channel kernels ran in mode '${fusedMode.mode}': ${fusedMode.reason}`);
    for (const [col, d] of Object.entries(agreement)) {
      if (!(d <= 1e-4)) notes.push(`${col} forward output differs from fused: max |Δz'| = ${d} (> 1e-4)`);
    }

    const passes = {};
    for (const pass of ['forward', 'forward+backward']) {
      const m = Object.fromEntries(CHANNEL2D_COLUMNS.map((col) => [col, ms[pass][col] ?? null]));
      const mins = Object.fromEntries(CHANNEL2D_COLUMNS.map((col) => [col, minMs[pass][col] ?? null]));
      const ratios = Object.fromEntries(CHANNEL2D_RATIOS.map(([name, a, b]) => [name, m[a] != null && m[b] != null && m[b] > 0 ? m[a] / m[b] : null]));
      passes[pass] = { ms: m, minMs: mins, ratios };
    }

    let step = null;
    if (withTraining) {
      try {
        step = await trainingStep(npde, { batch, reps, warmup, log, notes });
      } catch (err) {
        step = { skipped: String(err.stack ?? err) };
      }
    }
    return {
      config: { batch: B, ...CHANNEL2D_SHAPE, reps, warmup, statistic: 'median', fusedMode: fusedMode.mode, source: 'packages bundled from source (esbuild, @npde/source)' },
      machine: { cpu: os.cpus()[0]?.model ?? '?', cores: os.cpus().length, node: process.version },
      passes,
      agreement,
      torch: torchInfo,
      trainingStep: step,
      notes,
    };
  } finally {
    if (!process.env.NPDE_BENCH_KEEP) fs.rmSync(dir, { recursive: true, force: true });
    else log(`kept ${file}`);
  }
}

async function main() {
  const opts = parseChannel2dArgs(process.argv.slice(2));
  if (opts.help) {
    console.log(CHANNEL2D_USAGE);
    return;
  }
  const result = await runChannel2d(opts);
  if (opts.json) {
    fs.mkdirSync(path.dirname(opts.json), { recursive: true });
    fs.writeFileSync(opts.json, `${JSON.stringify(result, null, 2)}\n`);
  }
  console.log(channel2dText(result));
}

if (process.argv[1] && import.meta.url === pathToFileURL(fs.realpathSync(process.argv[1])).href) {
  main().catch((err) => {
    console.error(err?.stack ?? err);
    process.exit(1);
  });
}
