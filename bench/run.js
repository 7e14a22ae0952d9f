#!/usr/bin/env node
/**
 * npde benchmark: the fused stencil-relaxation op (docs/design/stencil-relax.md)
 * against its op-by-op path, the cpu kernel, plain JavaScript, native C and a
 * dense layer, on the same float32 inputs, plus `npde demo` end to end and the
 * fused multi-channel 2-D step (bench/channel2d.mjs, in a child process).
 *
 *   npm run bench                 # full run, results in bench/results/
 *   npm run bench -- --quick      # smoke run (≈ 20–30 s; channel2d with 2 reps)
 *   node bench/run.js --help
 *
 * Uses the BUILT packages (`npm run build` first). See bench/README.md.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { BENCH_DIR, CHANNEL2D_REPS, USAGE, parseArgs } from './lib/args.mjs';
import { endToEnd } from './lib/demo.mjs';
import { denseMatrix, makeCase } from './lib/inputs.mjs';
import { makeJsLoop } from './lib/jsloop.mjs';
import { buildNative, cleanupNative, runNative, writeInputs } from './lib/native.mjs';
import { detectCopyMode } from './lib/modes.mjs';
import { channel2dText, machineInfo, markdown, ratiosOf, textTable, trainingText, writeAtomic } from './lib/report.mjs';
import { describeColumn, runTfColumn } from './lib/columns.mjs';
import { compareOutputs, measure, now } from './lib/timing.mjs';
import { TORCH_THREADS, startTorch } from './lib/torch.mjs';
import { trainingComparison } from './lib/training.mjs';
import { pairedRatio } from './lib/paired.mjs';
import { profileText, profileTraining } from './lib/profile.mjs';

const log = (msg) => process.stderr.write(`${msg}\n`);
const KERNEL = 'NpdeStencilRelax';
const GRAD_KERNEL = 'NpdeStencilRelaxGrad';

function localDate(d = new Date()) {
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

function pathInfo(npde) {
  if (typeof npde.stencilRelaxPath !== 'function') return null;
  const p = npde.stencilRelaxPath();
  return typeof p === 'string' ? { mode: p } : p;
}

function fusedOn(tf, backend) {
  return tf.getKernel(KERNEL, backend) != null && tf.getKernel(GRAD_KERNEL, backend) != null;
}

function memorySnapshot(tf) {
  const m = process.memoryUsage();
  const out = { rss: m.rss, arrayBuffers: m.arrayBuffers, heapUsed: m.heapUsed };
  try {
    const heap = tf.backend()?.wasm?.HEAPU8;
    if (heap) out.wasmHeap = heap.byteLength;
  } catch {
    /* not the wasm backend */
  }
  return out;
}

/**
 * The multi-channel 2-D section: bench/channel2d.mjs in a child process (it bundles the
 * packages from source and starts its own tfjs), its progress passed through to stderr, its
 * results read back from the JSON file it writes. Returns that object, or `{ skipped }`.
 */
function channel2dSection({ quick, torch }) {
  const { reps, warmup } = quick ? CHANNEL2D_REPS.quick : CHANNEL2D_REPS.full;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'npde-bench-channel2d-'));
  const json = path.join(dir, 'channel2d.json');
  const args = [path.join(BENCH_DIR, 'channel2d.mjs'), '--reps', String(reps), '--warmup', String(warmup), '--json', json, ...(torch ? [] : ['--no-torch'])];
  return new Promise((resolve) => {
    // The default fused mode, as in the parent: an NPDE_WASM_FUSED in the environment is not passed on.
    const env = { ...process.env };
    delete env.NPDE_WASM_FUSED;
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
    let tail = '';
    child.stderr.on('data', (d) => {
      process.stderr.write(d);
      tail = (tail + d).slice(-2000);
    });
    const done = (value) => {
      fs.rmSync(dir, { recursive: true, force: true });
      resolve(value);
    };
    child.on('error', (err) => done({ skipped: `bench/channel2d.mjs did not start: ${String(err.message ?? err)}` }));
    child.on('close', (code, signal) => {
      if (code !== 0) return done({ skipped: `bench/channel2d.mjs exited with ${signal ?? code}: ${tail.trim().split('\n').slice(-3).join(' | ')}` });
      try {
        done(JSON.parse(fs.readFileSync(json, 'utf8')));
      } catch (err) {
        done({ skipped: `bench/channel2d.mjs wrote no readable ${json}: ${String(err.message ?? err)}` });
      }
    });
  });
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  const t0 = now();
  const loadStart = os.loadavg();
  const want = (col) => opts.columns.includes(col);

  let npde;
  let internal; // @npde/core/internal: backend plumbing (matMulTransposedB), no stability promise
  try {
    npde = await import('npde');
    internal = await import('@npde/core/internal').catch(() => ({}));
  } catch (err) {
    log(`Cannot import the built 'npde' package (${String(err.message ?? err).split('\n')[0]}).\nRun \`npm run build\` at the repository root first.`);
    return 2;
  }
  const { tf } = npde;
  const globalNotes = [];
  const has = {
    stencilRelax: typeof npde.stencilRelax === 'function',
    stencilRelaxReference: typeof npde.stencilRelaxReference === 'function',
    stencilRelaxPath: typeof npde.stencilRelaxPath === 'function',
  };
  for (const [k, v] of Object.entries(has)) if (!v) globalNotes.push(`npde exports no ${k} (packages/core/src/ops/stencil-relax missing or not built): the columns that need it are null`);

  // Backends: wasm (default, through npde's registry so that backend packages register their kernels), cpu for the cpu column.
  // The fused wasm kernels pick their mode once per process at the first wasmBackend.setup(): ask for the
  // default ('auto' = zero-copy when possible) explicitly, whatever NPDE_WASM_FUSED says.
  const wasmSetup = npde.backendWasm?.wasmBackend?.setup;
  if (typeof wasmSetup === 'function') await wasmSetup({ fusedKernels: 'auto' });
  const registry = npde.createDefaultRegistry();
  const ready = await registry.ready({ backend: 'wasm' });
  if (ready.name !== 'wasm') {
    log(`The wasm backend is not available (${JSON.stringify(ready)}).`);
    return 2;
  }
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  const threads = (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) === true;
  const wasmFused = fusedOn(tf, 'wasm');
  const wasmPathInfo = pathInfo(npde);
  if (!wasmFused) globalNotes.push(`no fused ${KERNEL}/${GRAD_KERNEL} kernels are registered for 'wasm' (@npde/backend-wasm's fused kernels missing or not built): fused and fusedCopy are null`);
  else if (wasmPathInfo && wasmPathInfo.mode !== 'fused-zero-copy') globalNotes.push(`the wasm fused kernels report mode '${wasmPathInfo.mode}', not zero-copy: ${wasmPathInfo.reason ?? ''}`);
  const copyMode = wasmFused ? detectCopyMode({ npde }) : null;
  if (wasmFused && !copyMode?.available) globalNotes.push(`fusedCopy is null: ${copyMode?.why ?? 'no way to force the copy mode was found'}`);

  // Through the registry, so that @npde/backend-cpu's setup registers its fused kernels
  // (and silences tfjs-backend-cpu's one-time "install tfjs-node" advice).
  await registry.ready({ backend: 'cpu' });
  const cpuFused = fusedOn(tf, 'cpu');
  const cpuPath = pathInfo(npde);
  if (!cpuFused) globalNotes.push(`no fused kernels are registered for 'cpu': the cpu column would be the op path, so it is null`);
  await tf.setBackend('wasm');

  // Native references.
  let native = null;
  if (want('dense')) {
    globalNotes.push(
      typeof internal.matMulTransposedB === 'function'
        ? 'dense: z·Wᵀ by matMulTransposedB of @npde/core/internal (what the dense kernel family runs: an explicit transpose of W, then a plain tfjs matMul, forward and backward; tfjs-wasm 4.22 matMul with a transpose flag is several times slower), then the same −b, tanh and ω-mix as the stencil op'
        : 'dense: z·Wᵀ by tf.matMul(z, W, false, true), then the same −b, tanh and ω-mix as the stencil op',
    );
  }
  const wantNative = opts.columns.some((c) => c === 'cSse' || c === 'cNative');
  if (wantNative) {
    log('building the native C references…');
    native = buildNative();
    globalNotes.push(...native.notes);
    if (native.compiler) globalNotes.push(`C references: ${Object.values(native.commands).join('; ')} (tanh: ${native.tanh})`);
  } else if (!opts.native) {
    globalNotes.push('cSse and cNative skipped (--no-native)');
  }

  // PyTorch (columns torch1, torch2, and the training comparison): one child process for the whole run.
  let torch = { available: false, why: '--no-torch' };
  if (opts.torch) {
    log('starting the PyTorch child…');
    torch = await startTorch();
    if (torch.available) globalNotes.push(`torch: PyTorch ${torch.version} under ${torch.python} (Python ${torch.pythonVersion}), bench/torch/torch_bench.py; torch1/torch2 = torch.set_num_threads(1/2); the stencil is torch.roll per tap, the backward pass autograd`);
    else globalNotes.push(`torch1, torch2 and the training comparison's PyTorch side skipped: ${torch.why}`);
  }

  const timing = { warmup: opts.warmup, reps: opts.reps };
  const cases = [];
  let checksFailed = 0;
  const tensorsAtStart = tf.memory().numTensors;

  try {
    for (const spec of opts.cases) {
      const c = makeCase(spec);
      const js = makeJsLoop(c);
      const inputFile = native?.dir && Object.keys(native.binaries).length ? writeInputs(native.dir, c) : null;
      const denseW = want('dense') && c.S <= opts.maxDenseSites ? denseMatrix(c) : null;

      for (const pass of opts.passes) {
        const label = `${c.name} ${pass}`;
        log(`${label}:`);
        const ms = {};
        const spread = {}; // min and max of the timed runs, per column
        const notes = [];
        const check = {};
        const tfMemory = {};
        const memBefore = memorySnapshot(tf);
        for (const col of ['fused', 'fusedCopy', 'opPath', 'cpu', 'jsLoop', 'cSse', 'cNative', 'dense', 'torch1', 'torch2']) ms[col] = null;

        // jsLoop: timed, and the reference of the checks.
        const jsFn = pass === 'forward' ? () => ({ out: js.forward() }) : js.forwardBackward;
        let reference = jsFn();
        if (want('jsLoop')) {
          let last = reference;
          const r = await measure(() => {
            const s = now();
            last = jsFn();
            return now() - s;
          }, timing);
          ms.jsLoop = r.medianMs;
          spread.jsLoop = { minMs: r.minMs, maxMs: r.maxMs };
          reference = last;
          log(`  jsLoop     ${r.medianMs.toFixed(3)} ms`);
        }

        const tfColumn = async (col, backend, runnerOpts) => {
          const res = await runTfColumn({ tf, c, pass, col, backend, runnerOpts, timing, reference });
          record(col, res);
        };
        const record = (col, res) => {
          ms[col] = res.ms;
          spread[col] = { minMs: res.minMs, maxMs: res.maxMs };
          check[col] = res.check;
          tfMemory[col] = res.profile;
          notes.push(...res.notes);
          if (res.failed) checksFailed++;
          log(describeColumn(col, res));
        };

        if (want('fused')) {
          if (!has.stencilRelax) notes.push('fused: stencilRelax not exported');
          else if (!wasmFused) notes.push('fused: no fused wasm kernel registered');
          else await tfColumn('fused', 'wasm', { op: npde.stencilRelax });
        }
        if (want('fusedCopy') && has.stencilRelax && wasmFused && copyMode?.available) {
          const res = copyMode.run(spec, pass, timing);
          if (res.error) notes.push(`fusedCopy: ${res.error.split('\n')[0]}`);
          else record('fusedCopy', res);
        }
        if (want('opPath')) {
          if (!has.stencilRelaxReference) notes.push('opPath: stencilRelaxReference not exported');
          else await tfColumn('opPath', 'wasm', { op: npde.stencilRelaxReference });
        }
        if (want('dense')) {
          if (denseW) await tfColumn('dense', 'wasm', { denseW, matMulT: internal.matMulTransposedB });
          else notes.push(`dense: N = ${c.S} > ${opts.maxDenseSites}; W would be ${c.S}² floats = ${((c.S * c.S * 4) / 2 ** 30).toFixed(c.S * c.S * 4 >= 2 ** 30 ? 0 : 2)} GiB`);
        }
        if (want('cpu')) {
          if (!has.stencilRelax) notes.push('cpu: stencilRelax not exported');
          else if (!cpuFused) notes.push('cpu: no fused cpu kernel registered');
          else await tfColumn('cpu', 'cpu', { op: npde.stencilRelax });
        }
        await tf.setBackend('wasm');

        for (const col of ['cSse', 'cNative']) {
          if (!want(col) || !native) continue;
          if (!native.binaries[col]) {
            notes.push(`${col}: ${native.compiler ? 'did not compile' : 'no C compiler'}`);
            continue;
          }
          const r = runNative(native.binaries[col], inputFile, c, pass, timing);
          if (r.error) {
            notes.push(`${col}: ${r.error}`);
            continue;
          }
          ms[col] = r.medianMs;
          spread[col] = { minMs: r.minMs, maxMs: r.maxMs };
          const cmp = compareOutputs(r.outputs, reference);
          check[col] = cmp;
          if (!cmp.ok) {
            checksFailed++;
            notes.push(`${col} outputs differ from the JavaScript reference: ${JSON.stringify(cmp.fields)}`);
          }
          log(`  ${col.padEnd(10)} ${r.medianMs.toFixed(3)} ms  (max diff ${cmp.maxDiff.toExponential(1)}; tanh ${r.tanh})`);
        }

        // fused/cSse from interleaved rounds (bench/lib/paired.mjs): both sides of each ratio timed within the same second.
        let paired = null;
        if (opts.pairedRounds > 0 && ms.fused != null && ms.cSse != null) {
          const p = await pairedRatio({ tf, c, pass, op: npde.stencilRelax, binary: native.binaries.cSse, inputFile, rounds: opts.pairedRounds, reps: opts.reps });
          if (p.error) notes.push(`paired fused/cSse: ${p.error}`);
          else {
            paired = { 'fused/cSse': p.ratio, fromColumnMedians: ms.fused / ms.cSse, rounds: p.rounds };
            log(`  fused/cSse ${p.ratio.toFixed(2)}× (median of ${p.rounds.length} interleaved rounds: ${p.rounds.map((x) => x.ratio.toFixed(2)).join(', ')})`);
          }
        }

        const torchCols = TORCH_THREADS.map((t) => `torch${t}`).filter(want);
        if (torchCols.length && torch.available) {
          try {
            const res = await torch.step(c, pass, timing);
            for (const col of torchCols) {
              const r = res[col.slice('torch'.length)];
              if (!r) continue;
              ms[col] = r.medianMs;
              spread[col] = { minMs: r.minMs, maxMs: r.maxMs };
              const cmp = compareOutputs(r.outputs, reference);
              check[col] = cmp;
              if (!cmp.ok) {
                checksFailed++;
                notes.push(`${col} outputs differ from the JavaScript reference: ${JSON.stringify(cmp.fields)}`);
              }
              log(`  ${col.padEnd(10)} ${r.medianMs.toFixed(3)} ms  (max diff ${cmp.maxDiff.toExponential(1)})`);
            }
          } catch (err) {
            notes.push(`torch: ${String(err.message ?? err).split('\n')[0]}`);
          }
        }

        const memAfter = memorySnapshot(tf);
        const peak = Object.values(tfMemory).reduce((m, p) => Math.max(m, p.peakBytes ?? 0), 0);
        cases.push({
          name: c.name,
          B: c.B,
          N: c.S,
          ...(c.geometry.dims === 2 ? { H: c.H, W: c.W } : {}),
          geometry: c.geometry,
          boundary: c.config.boundary,
          activation: c.config.activation,
          omega: c.omega,
          pass,
          ms,
          ratios: { ...ratiosOf(ms), ...(paired ? { 'fused/cSse': paired['fused/cSse'] } : {}) },
          paired,
          spread,
          check,
          memory: { before: memBefore, after: memAfter, tfPeakBytes: peak || null, tfByColumn: tfMemory },
          notes,
        });
      }
    }
  } finally {
    cleanupNative(native);
  }

  let channel2d = null;
  if (opts.channel2d) {
    log('multi-channel 2-D step (bench/channel2d.mjs):');
    channel2d = await channel2dSection({ quick: opts.quick, torch: opts.torch });
  }

  let training = null;
  if (opts.training) {
    log('training, npde against PyTorch (the demo\'s ADR model):');
    try {
      training = await trainingComparison({ npde, torch, quick: opts.quick, reps: opts.trainingReps, epochs: opts.demoEpochs, log });
    } catch (err) {
      training = { skipped: `the training comparison failed: ${String(err.stack ?? err)}`, notes: [] };
    }
  }
  if (torch.available) torch.close();

  let profile = null;
  if (opts.profile) {
    log('profile of one training step (the demo\'s model):');
    try {
      profile = await profileTraining({ npde, quick: opts.quick, log });
    } catch (err) {
      profile = { skipped: `the profile failed: ${String(err.stack ?? err)}`, notes: [] };
    }
  }
  await tf.setBackend('wasm');
  const tensorsLeft = tf.memory().numTensors - tensorsAtStart;
  if (tensorsLeft !== 0) globalNotes.push(`after all cases tf.memory().numTensors (wasm) is ${tensorsLeft > 0 ? '+' : ''}${tensorsLeft} against the start`);

  let e2e = null;
  if (opts.demo) {
    log('end to end (npde demo):');
    try {
      e2e = await endToEnd({ tf, npde, quick: opts.quick, epochs: opts.demoEpochs, log });
    } catch (err) {
      e2e = { skipped: `the demo failed: ${String(err.stack ?? err)}`, notes: [] };
    }
  }

  const date = localDate();
  const result = {
    date,
    generatedAt: new Date().toISOString(),
    quick: opts.quick,
    machine: machineInfo({ tf, compiler: native?.compiler, simd, threads }),
    config: {
      reps: opts.reps,
      warmup: opts.warmup,
      dtype: 'float32',
      statistic: 'median',
      passes: opts.passes,
      columns: opts.columns,
      maxDenseSites: opts.maxDenseSites,
      paths: { wasm: wasmPathInfo, cpu: cpuPath },
      copyMode: copyMode ? { available: copyMode.available, how: copyMode.how ?? null, why: copyMode.why ?? null } : null,
      nativeTanh: native?.tanh ?? null,
      nativeCommands: native?.commands ?? null,
    },
    cases,
    channel2d,
    endToEnd: e2e,
    training,
    profile,
    notes: globalNotes,
    checksFailed,
    tensorsLeftAfterCases: tensorsLeft,
    wallSeconds: null,
  };
  result.wallSeconds = (now() - t0) / 1000;
  const loadEnd = os.loadavg();
  result.machine.loadAverage = { start: loadStart, end: loadEnd };
  const cores = result.machine.cores;
  // The benchmark itself adds about 1 to the load average while it runs.
  if (loadStart[0] > 0.5 * cores || loadEnd[0] > 0.5 * cores + 1) {
    globalNotes.push(
      `the machine was busy (1-min load average ${loadStart[0].toFixed(1)} at the start, ${loadEnd[0].toFixed(1)} at the end, this run included, on ${cores} cores): timings are noisier than usual`,
    );
  }

  console.log('');
  console.log(textTable(result));
  console.log('');
  if (e2e && !e2e.skipped) {
    console.log(
      `npde demo ${JSON.stringify(e2e.options)}: fused ${e2e.fused.seconds.toFixed(2)} s (train ${e2e.fused.trainSeconds?.toFixed(2)} s, ${e2e.fused.fusedKernelCalls} fused kernel calls), op path ${e2e.opPath.seconds.toFixed(2)} s (train ${e2e.opPath.trainSeconds?.toFixed(2)} s)`,
    );
  } else if (e2e?.skipped) {
    console.log(`npde demo: skipped (${e2e.skipped.split('\n')[0]})`);
  }
  if (channel2d) console.log(`${channel2dText(channel2d)}\n`);
  if (training) console.log(trainingText(training));
  if (profile) console.log(profileText(profile));
  for (const n of [...globalNotes, ...(e2e?.notes ?? []), ...(training?.notes ?? []), ...(profile?.notes ?? [])]) console.log(`note: ${n}`);
  for (const c of cases) for (const n of c.notes) console.log(`note: ${c.name} ${c.pass}: ${n}`);

  if (opts.write) {
    const json = `${JSON.stringify(result, null, 2)}\n`;
    writeAtomic(path.join(opts.out, `${date}.json`), json);
    writeAtomic(path.join(opts.out, 'latest.json'), json);
    writeAtomic(path.join(opts.out, 'latest.md'), markdown(result));
    console.log(`\nwrote ${path.join(opts.out, `${date}.json`)}, latest.json, latest.md`);
  }
  console.log(`benchmark took ${result.wallSeconds.toFixed(1)} s${checksFailed ? `; ${checksFailed} output check(s) FAILED` : ''}`);
  return checksFailed ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    log(err?.stack ?? String(err));
    process.exitCode = 2;
  },
);
