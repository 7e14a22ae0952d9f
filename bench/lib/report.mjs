/**
 * Machine description, ratios, the text/markdown tables and atomic file writes.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { ALL_COLUMNS, BENCH_DIR } from './args.mjs';
import { fmtMs, fmtRatio } from './timing.mjs';

/** The ratios printed in the table (a / b of the case's medians). */
export const RATIOS = [
  ['opPath/fused', 'opPath', 'fused'],
  ['fused/cSse', 'fused', 'cSse'],
  ['fused/cNative', 'fused', 'cNative'],
  ['fused/dense', 'fused', 'dense'],
  ['torch2/fused', 'torch2', 'fused'],
];
/** Further ratios kept in the JSON only. */
export const EXTRA_RATIOS = [
  ['fusedCopy/fused', 'fusedCopy', 'fused'],
  ['cpu/fused', 'cpu', 'fused'],
  ['jsLoop/fused', 'jsLoop', 'fused'],
  ['cSse/cNative', 'cSse', 'cNative'],
  ['torch1/fused', 'torch1', 'fused'],
  ['torch1/torch2', 'torch1', 'torch2'],
];

export function ratiosOf(ms) {
  const out = {};
  for (const [name, a, b] of [...RATIOS, ...EXTRA_RATIOS]) {
    out[name] = ms[a] != null && ms[b] != null && ms[b] > 0 ? ms[a] / ms[b] : null;
  }
  return out;
}

function cpuFlags() {
  try {
    const info = fs.readFileSync('/proc/cpuinfo', 'utf8');
    const flags = /^flags\s*:(.*)$/m.exec(info)?.[1].trim().split(/\s+/) ?? [];
    return ['sse4_2', 'avx', 'avx2', 'fma', 'avx512f', 'avx512vl', 'avx512bw'].filter((f) => flags.includes(f));
  } catch {
    return null;
  }
}

function lscpuModel() {
  const r = spawnSync('lscpu', [], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  return /^Model name:\s*(.*)$/m.exec(r.stdout)?.[1].trim() ?? null;
}

/** A dependency's version as installed (package.json resolved from the repository root). */
function installedVersion(name) {
  try {
    return createRequire(path.join(BENCH_DIR, '..', 'package.json'))(`${name}/package.json`).version ?? null;
  } catch {
    return null;
  }
}

export function machineInfo({ tf, compiler, simd, threads }) {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? lscpuModel() ?? 'unknown',
    cores: cpus.length,
    cpuFlags: cpuFlags(),
    memoryBytes: os.totalmem(),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    tfjs: tf.version_core,
    tfjsBackendWasm: installedVersion('@tensorflow/tfjs-backend-wasm'),
    tfjsBackendCpu: installedVersion('@tensorflow/tfjs-backend-cpu'),
    wasmSimd: simd,
    wasmThreads: threads,
    compiler: compiler ? compiler.version : null,
  };
}

/** Write `file` atomically (temp file beside it, then rename). */
export function writeAtomic(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

function table(rows, header, labels = 2) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i < labels ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function rowsOf(cases) {
  return cases.map((c) => [
    c.name,
    c.pass === 'forward' ? 'fwd' : 'fwd+bwd',
    ...ALL_COLUMNS.map((col) => fmtMs(c.ms[col])),
    ...RATIOS.map(([name]) => fmtRatio(c.ratios[name])),
  ]);
}

const HEADER = ['case', 'pass', ...ALL_COLUMNS, ...RATIOS.map(([n]) => n)];

export function textTable(result) {
  return table(rowsOf(result.cases), HEADER);
}

const fmtErr = (e) => (e ? `U ${e.U.toExponential(1)}, D ${e.D.toExponential(1)}, R ${e.R.toExponential(1)}` : '—');

/** Rows of the training comparison: [who, seconds (median), min, final loss, rel. errors]. */
function trainingRows(t) {
  return [
    ['npde (wasm)', t.npde],
    ['torch, 1 thread', t.torch1],
    ['torch, 2 threads', t.torch2],
  ]
    .filter(([, r]) => r)
    .map(([who, r]) => [who, r.seconds.toFixed(2), r.minSeconds.toFixed(2), r.finalLoss.toExponential(2), fmtErr(r.relErr)]);
}
const TRAINING_HEADER = ['who', 'seconds (median)', 'fastest', 'final loss', 'relative L2 error of U, D, R'];

function trainingTitle(t) {
  const p = t.problem;
  return `training, the demo's ADR model: ${p.samples} × ${p.sites} samples, ${p.layers} steps, full-batch Adam (lr ${p.lr}), ${p.epochs} steps; median of ${t.reps} interleaved round(s)`;
}

/** The training comparison as text (stdout). */
export function trainingText(t) {
  if (t.skipped) return `training: skipped (${t.skipped.split('\n')[0]})`;
  const lines = [trainingTitle(t), table(trainingRows(t), TRAINING_HEADER)];
  const r = t.ratios;
  if (r['npde/torch2'] != null) lines.push(`npde/torch1 ${fmtRatio(r['npde/torch1'])}, npde/torch2 ${fmtRatio(r['npde/torch2'])} (medians of the rounds' ratios; below 1: npde is faster); npde path: ${JSON.stringify(t.npde.path)}`);
  return lines.join('\n');
}

/** The multi-channel 2-D step's timed columns (bench/channel2d.mjs), in table order. */
export const CHANNEL2D_COLUMNS = ['opPath', 'fused', 'tfjsConv', 'torch1', 'torch2'];
/** Its ratios, kept per pass: [name, numerator column, denominator column]. */
export const CHANNEL2D_RATIOS = [
  ['opPath/fused', 'opPath', 'fused'],
  ['tfjsConv/fused', 'tfjsConv', 'fused'],
  ['torch1/fused', 'torch1', 'fused'],
  ['torch2/fused', 'torch2', 'fused'],
];
const CHANNEL2D_HEADER = ['pass', ...CHANNEL2D_COLUMNS, ...CHANNEL2D_RATIOS.map(([n]) => n)];

function channel2dTitle(c) {
  const k = c.config;
  return `multi-channel 2-D step: batch ${k.batch}, ${k.height}×${k.width} sites, ${k.channels} channels, ${k.points}-point per-channel stencils + ${k.channels}×${k.channels} mixing, ${k.activation}, ω = ${k.omega}, ${k.boundary} boundary; median of ${k.reps} run(s) after ${k.warmup} warm-up, ms; fused kernels: ${k.fusedMode}`;
}

/**
 * Rows of the channel2d table: fwd, fwd+bwd, and the digits model's training step
 * (opPath = fusion 'off', fused = fusion 'auto'; the other columns are not measured).
 */
function channel2dRows(c) {
  const rows = ['forward', 'forward+backward'].map((pass) => {
    const p = c.passes[pass];
    return [pass === 'forward' ? 'fwd' : 'fwd+bwd', ...CHANNEL2D_COLUMNS.map((col) => fmtMs(p.ms[col])), ...CHANNEL2D_RATIOS.map(([n]) => fmtRatio(p.ratios[n]))];
  });
  const t = c.trainingStep;
  if (t && !t.skipped) {
    const ms = { opPath: t.unfused.ms, fused: t.fused.ms };
    rows.push([`train step (digits, B=${t.batch})`, ...CHANNEL2D_COLUMNS.map((col) => fmtMs(ms[col])), fmtRatio(t['unfused/fused']), ...CHANNEL2D_RATIOS.slice(1).map(() => '—')]);
  }
  return rows;
}

function channel2dFootnotes(c) {
  const lines = [];
  const t = c.trainingStep;
  if (t && !t.skipped) {
    lines.push(
      `train step: one batch-${t.batch} step (forward, ${t.loss}, backward, ${t.optimizer}; npde's Trainer) of ${t.model} (${t.params} parameters) on wasm, median of ${t.fused.steps} step(s) after ${t.warmup} warm-up; opPath column = model.fusion 'off' (blocks ran: ${t.unfused.blocksRan.join(', ')}), fused = 'auto' (blocks ran: ${t.fused.blocksRan.join(', ')}); goal < ${t.goalMs} ms fused: ${t.fused.ms < t.goalMs ? 'met' : 'not met'}`,
    );
  } else if (t?.skipped) lines.push(`train step: failed (${t.skipped.split('\n')[0]})`);
  const a = c.agreement ?? {};
  lines.push(`forward outputs against fused, max |Δz'|: ${Object.entries(a).map(([k, v]) => `${k} ${Number(v).toExponential(1)}`).join(', ') || '—'}`);
  if (c.torch) lines.push(`torch: PyTorch ${c.torch.version} under ${c.torch.python}, bench/torch/channel2d.py (F.conv2d depthwise 3×3 + 1×1, autograd), on the same inputs`);
  return lines;
}

/** The multi-channel 2-D section as text (stdout of run.js and channel2d.mjs). */
export function channel2dText(c) {
  if (c.skipped) return `multi-channel 2-D step: skipped (${c.skipped.split('\n')[0]})`;
  return [channel2dTitle(c), table(channel2dRows(c), CHANNEL2D_HEADER, 1), ...channel2dFootnotes(c), ...(c.notes ?? []).map((n) => `note: ${n}`)].join('\n');
}

/** The multi-channel 2-D section as markdown lines (latest.md). */
function channel2dMarkdown(c) {
  const lines = ['## Multi-channel 2-D step (bench/channel2d.mjs)', ''];
  if (c.skipped) return [...lines, `Skipped: ${c.skipped}`, ''];
  lines.push(`${channel2dTitle(c)}.`, '');
  lines.push(`| ${CHANNEL2D_HEADER.join(' | ')} |`);
  lines.push(`|${CHANNEL2D_HEADER.map((_, i) => (i < 1 ? ' --- ' : ' ---: ')).join('|')}|`);
  for (const r of channel2dRows(c)) lines.push(`| ${r.join(' | ')} |`);
  lines.push('');
  for (const n of [...channel2dFootnotes(c), ...(c.notes ?? [])]) lines.push(`- ${n}`);
  lines.push('');
  return lines;
}

export function markdown(result) {
  const m = result.machine;
  const lines = [];
  lines.push(`# npde stencil-relaxation benchmark — ${result.date}`);
  lines.push('');
  lines.push(
    `${m.cpu}, ${m.cores} cores, ${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB; Node ${m.node}, tfjs ${m.tfjs} (wasm SIMD ${m.wasmSimd ? 'on' : 'off'}, threads ${m.wasmThreads ? 'on' : 'off'}); ${m.compiler ?? 'no C compiler'}.`,
  );
  lines.push('');
  lines.push(
    `Median of ${result.config.reps} runs after ${result.config.warmup} warm-up runs, milliseconds, float32. Ratios above 1 mean the left column is slower. — = not measured (see notes).`,
  );
  lines.push('');
  lines.push(`| ${HEADER.join(' | ')} |`);
  lines.push(`|${HEADER.map((_, i) => (i < 2 ? ' --- ' : ' ---: ')).join('|')}|`);
  for (const r of rowsOf(result.cases)) lines.push(`| ${r.join(' | ')} |`);
  lines.push('');
  lines.push('Fastest run (min) of each column, milliseconds — less sensitive than the median to other processes on a busy machine:');
  lines.push('');
  lines.push(`| case | pass | ${ALL_COLUMNS.join(' | ')} |`);
  lines.push(`| --- | --- |${ALL_COLUMNS.map(() => ' ---: ').join('|')}|`);
  for (const c of result.cases) {
    lines.push(`| ${c.name} | ${c.pass === 'forward' ? 'fwd' : 'fwd+bwd'} | ${ALL_COLUMNS.map((col) => fmtMs(c.spread?.[col]?.minMs)).join(' | ')} |`);
  }
  lines.push('');
  if (result.endToEnd) {
    const e = result.endToEnd;
    lines.push('## End to end: `npde demo` (runDemo, dense: false)');
    lines.push('');
    if (e.skipped) {
      lines.push(`Skipped: ${e.skipped}`);
    } else {
      lines.push(`| path | seconds (whole demo) | training seconds | final loss | fused kernel calls |`);
      lines.push(`| --- | ---: | ---: | ---: | ---: |`);
      for (const k of ['fused', 'opPath']) {
        const r = e[k];
        if (!r) continue;
        lines.push(`| ${k} | ${r.seconds?.toFixed(2) ?? '—'} | ${r.trainSeconds?.toFixed(2) ?? '—'} | ${r.finalLoss?.toExponential(2) ?? '—'} | ${r.fusedKernelCalls ?? '—'} |`);
      }
      if (e.ratio != null) lines.push('', `opPath/fused (whole demo): ${fmtRatio(e.ratio)}`);
    }
    for (const n of e.notes ?? []) lines.push(`- ${n}`);
    lines.push('');
  }
  if (result.training) {
    const t = result.training;
    lines.push('## Training: npde against PyTorch');
    lines.push('');
    if (t.skipped) lines.push(`Skipped: ${t.skipped}`);
    else {
      lines.push(`${trainingTitle(t)}.`);
      lines.push('');
      lines.push(`| ${TRAINING_HEADER.join(' | ')} |`);
      lines.push(`| --- | ---: | ---: | ---: | --- |`);
      for (const row of trainingRows(t)) lines.push(`| ${row.join(' | ')} |`);
      if (t.ratios['npde/torch2'] != null) lines.push('', `npde/torch1 ${fmtRatio(t.ratios['npde/torch1'])}, npde/torch2 ${fmtRatio(t.ratios['npde/torch2'])} (medians of the rounds' ratios; below 1: npde is faster).`);
    }
    for (const n of t.notes ?? []) lines.push(`- ${n}`);
    lines.push('');
  }
  if (result.channel2d) lines.push(...channel2dMarkdown(result.channel2d));
  lines.push('## Notes');
  lines.push('');
  for (const n of result.notes) lines.push(`- ${n}`);
  for (const c of result.cases) for (const n of c.notes) lines.push(`- ${c.name} ${c.pass}: ${n}`);
  lines.push('');
  return lines.join('\n');
}
