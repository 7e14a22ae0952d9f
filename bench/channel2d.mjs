#!/usr/bin/env node
/**
 * Bench of the fused multi-channel 2-D step (`channelStencilRelax`, docs/design/stencil-relax.md
 * "Multi-channel 2-D step"): batch 64, 28 × 28 sites, 8 channels, 9-point per-channel stencils
 * + 8 × 8 channel mixing, tanh, ω = 0.5, zero boundary — forward, and forward + backward
 * (gradients with respect to z, taps, mixing, ω and bias), side by side in one run:
 *
 *   op path      channelStencilRelaxReference on the wasm backend (tfjs ops, tfjs autodiff)
 *   fused wasm   channelStencilRelax on the wasm backend (csrc/channel_stencil.c; zero-copy,
 *                or copy with NPDE_WASM_FUSED=copy)
 *   tfjs conv    tf.depthwiseConv2d + 1×1 tf.conv2d on wasm (forward only: tfjs-backend-wasm
 *                4.22 has no backward kernels for them)
 *   torch N      PyTorch CPU F.conv2d (depthwise 3×3, groups = C, + 1×1), N intra-op threads,
 *                when /usr/bin/python3 (or $NPDE_BENCH_PYTHON) imports torch
 *
 *   node bench/channel2d.mjs [--reps N] [--warmup N] [--batch B]
 *
 * Not wired into CI or `npm run bench`. It bundles the packages from source (esbuild, the
 * `@npde/source` condition) into a temporary folder inside packages/backend-wasm (so the
 * kernels find wasm/ next to them) and removes it afterwards; no build needed.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const REPS = arg('reps', 10);
const WARMUP = arg('warmup', 2);
const B = arg('batch', 64);
const H = 28;
const W = 28;
const C = 8;
const K = 9;
const log = (m) => process.stderr.write(`${m}\n`);

async function bundle() {
  const esbuild = await import('esbuild');
  const dir = fs.mkdtempSync(path.join(root, 'packages/backend-wasm/.bench-channel2d-'));
  const entry = path.join(dir, 'entry.mjs');
  fs.writeFileSync(
    entry,
    [
      "export * from '@npde/core';",
      "export { wasmBackend } from '@npde/backend-wasm';",
      "export { channelKernelMode } from '@npde/backend-wasm/src/fused/channel-kernels.ts';",
    ].join('\n'),
  );
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
          b.onResolve({ filter: /^@npde\/backend-wasm\/src\// }, (a) => ({ path: path.join(root, 'packages/backend-wasm', a.path.slice('@npde/backend-wasm/'.length)) }));
          b.onResolve({ filter: /^[^./#]/ }, (a) => (a.path.startsWith('@npde/') ? undefined : { path: a.path, external: true }));
        },
      },
    ],
  });
  return { dir, file: path.join(dir, 'x', 'bundle.mjs') };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(fn) {
  for (let i = 0; i < WARMUP; i++) fn();
  const t = [];
  for (let i = 0; i < REPS; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
    if (process.env.NPDE_BENCH_TRACE) log(`  rep ${i}: ${(performance.now() - t0).toFixed(2)} ms`);
  }
  return median(t);
}

function torchTimes() {
  const candidates = [...new Set([process.env.NPDE_BENCH_PYTHON, '/usr/bin/python3'].filter(Boolean))];
  const script = path.join(here, 'torch', 'channel2d.py');
  for (const py of candidates) {
    const probe = spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' });
    if (probe.status !== 0) continue;
    const r = spawnSync(py, [script, String(B), String(H), String(W), String(C), String(REPS), String(WARMUP)], { encoding: 'utf8', timeout: 600_000 });
    if (r.status !== 0) return { why: `${py} ${script} failed: ${(r.stderr || '').trim().split('\n').pop()}` };
    return JSON.parse(r.stdout.trim().split('\n').pop());
  }
  return { why: `no Python that imports torch (${candidates.join(', ')}); apt-get install python3-torch` };
}

async function main() {
  log('bundling the packages from source (esbuild) …');
  const { dir, file } = await bundle();
  try {
    const npde = await import(pathToFileURL(file).href);
    const { tf } = npde;
    await new npde.Registry().register(npde.wasmBackend).ready({ backend: 'wasm' });
    if (npde.channelKernelMode().mode === 'op-path') throw new Error(`the fused channel kernels are not registered: ${npde.channelKernelMode().reason}`);
    const config = { height: H, width: W, channels: C, points: K, boundary: 'zero', activation: 'tanh' };
    const N = H * W * C;
    const z = tf.randomUniform([B, N], -1, 1, 'float32', 1);
    const taps = tf.randomNormal([C, K], 0, 0.3, 'float32', 2);
    const mixing = tf.randomNormal([C, C], 0, 0.3, 'float32', 3);
    const omega = tf.scalar(0.5);
    const bias = tf.randomNormal([C], 0, 0.1, 'float32', 4);
    const dy = tf.randomUniform([B, N], -1, 1, 'float32', 5);
    const rows = [];
    // (Nothing is returned from tf.tidy: it would walk a returned typed array element by element.)
    const forward = (op) => () =>
      tf.tidy(() => {
        op(z, taps, mixing, omega, bias, config).dataSync();
      });
    const both = (op) => () =>
      tf.tidy(() => {
        const g = tf.grads((a, b, c, d, e) => tf.sum(tf.mul(dy, op(a, b, c, d, e, config))))([z, taps, mixing, omega, bias]);
        g.forEach((t) => t.dataSync());
      });
    // Agreement first (so the timed columns compute the same thing).
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(npde.channelStencilRelax(z, taps, mixing, omega, bias, config), npde.channelStencilRelaxReference(z, taps, mixing, omega, bias, config)))).dataSync()[0]);
    log(`fused vs op path: max |Δz'| = ${diff.toExponential(2)}`);
    const mode = npde.channelKernelMode();
    log('timing op path …');
    rows.push({ name: 'op path (tfjs ops, wasm)', fwd: time(forward(npde.channelStencilRelaxReference)), both: time(both(npde.channelStencilRelaxReference)) });
    log('timing fused wasm …');
    rows.push({ name: 'fused wasm (channelStencilRelax)', fwd: time(forward(npde.channelStencilRelax)), both: time(both(npde.channelStencilRelax)) });
    log('timing tfjs conv …');
    const dw = tf.tidy(() => tf.reshape(tf.transpose(taps), [3, 3, C, 1]));
    const mix1 = tf.tidy(() => tf.reshape(tf.transpose(mixing), [1, 1, C, C]));
    const tfConv = () =>
      tf.tidy(() => {
        const x = tf.reshape(z, [B, H, W, C]);
        const u = tf.sub(tf.add(tf.depthwiseConv2d(x, dw, 1, 'same'), tf.conv2d(x, mix1, 1, 'same')), bias);
        tf.add(tf.mul(tf.sub(1, omega), x), tf.mul(omega, tf.tanh(u))).dataSync();
      });
    rows.push({ name: 'tfjs depthwiseConv2d + 1×1 conv2d (wasm)', fwd: time(tfConv), both: NaN });
    tf.dispose([z, taps, mixing, omega, bias, dy, dw, mix1]);
    log('timing PyTorch …');
    const torch = torchTimes();
    const notes = [];
    if (torch.why) notes.push(`PyTorch skipped: ${torch.why}`);
    else for (const r of torch.rows) rows.push({ name: `PyTorch ${torch.version} F.conv2d, ${r.threads} thread${r.threads > 1 ? 's' : ''}`, fwd: r.fwd, both: r.both });
    const fused = rows[1];
    const fmt = (x) => (Number.isFinite(x) ? x.toFixed(2) : '—');
    const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) ? (a / b).toFixed(2) : '—');
    const lines = [
      `channel2d: batch ${B}, ${H}×${W} sites, ${C} channels, 9-point + mixing, tanh — median of ${REPS} (after ${WARMUP} warm-up), ms`,
      `machine: ${os.cpus()[0]?.model ?? '?'} × ${os.cpus().length}, node ${process.version}; fused kernels: ${mode.mode}`,
      '',
      '| implementation | forward ms | fwd+bwd ms | forward ÷ fused | fwd+bwd ÷ fused |',
      '| --- | ---: | ---: | ---: | ---: |',
      ...rows.map((r) => `| ${r.name} | ${fmt(r.fwd)} | ${fmt(r.both)} | ${ratio(r.fwd, fused.fwd)} | ${ratio(r.both, fused.both)} |`),
      '',
      `fused vs op path: max |Δz'| = ${diff.toExponential(2)}`,
      ...notes,
    ];
    console.log(lines.join('\n'));
  } finally {
    if (!process.env.NPDE_BENCH_KEEP) fs.rmSync(dir, { recursive: true, force: true });
    else log(`kept ${file}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
