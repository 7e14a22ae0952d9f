#!/usr/bin/env node
/**
 * Does splitting a fused call's batch across two threads pay? (issue 16, "Both cores".)
 *
 * tfjs-backend-wasm runs single-threaded in Node. This bench builds npde's own stencil
 * kernels (packages/backend-wasm/csrc/stencil_relax.c) a second time as a shared-memory
 * module (`-matomics -mbulk-memory`, `--shared-memory`), instantiates it on one
 * `WebAssembly.Memory({ shared: true })` in the main thread and in one `worker_thread`,
 * and times, side by side in one process, the same calls
 *
 *   1 thread   the main thread runs the whole batch (what the wasm backend does today)
 *   2 threads  the worker runs samples [B/2, B) while the main thread runs [0, B/2);
 *              the backward's tap, bias and ω gradients of the two halves are summed
 *
 *   2 threads + copy  what an integration into tfjs-backend-wasm must do, its heap being a
 *              plain (non-shared) memory: the main thread runs [0, B/2) in place in a plain
 *              memory with the shipped module (zero-copy mode), the worker runs [B/2, B) on
 *              a copy in the shared memory (z copied in, its states and out copied back)
 *
 * for one step at 64 × 1024 and 64 × 4096 (1-D, 3 taps, periodic, tanh) and for the demo's
 * whole trajectory (1000 × 64 sites, 8 steps, taps shared by the steps), forward and
 * forward + backward (the copy variant: forward). The hand-off is one `Atomics.notify` per
 * call and a spin-then-wait on completion. Outputs are compared (forward bit for bit,
 * gradients to float32 rounding of the summation order).
 *
 * What it showed on the 2-core development machine (2026-12-06): the split kernels alone run
 * 1.6–1.8× as fast at 64 × 4096 and at the demo's size, but with the copies the worker's
 * half runs about twice as slow (the main thread reading what the other core wrote, then
 * that core overwriting those lines, stalls on the caches: skipping the copy-back, a
 * diagnostic, restored the speed), so "2 threads + copy" is 0.8–0.9× of one thread. A
 * prototype inside the wasm backend measured the same (forward at the demo size 1.17–1.31 ms
 * on two threads against 0.79–0.82 ms on one), so npde keeps one thread: splitting pays only
 * where tfjs's own heap is shared, which tfjs-backend-wasm 4.22 does not do in Node
 * (its threaded build is browser-only).
 *
 *   node bench/threads.mjs [--reps N] [--json FILE]
 *
 * Needs clang + lld (apt-get install -y clang lld); without them it prints a note and exits 0.
 */
/* global WebAssembly, setTimeout */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

// ---- worker side ---------------------------------------------------------------------------------
// Control block (Int32 slots at CTL): 0 job sequence, 1 done sequence, 2 kind (1 forward, 2 backward),
// 3.. the job's arguments (byte offsets and sizes), written by the main thread before it bumps slot 0.
if (!isMainThread) {
  const { module, memory, ctl } = workerData;
  const { exports: wasm } = new WebAssembly.Instance(module, { env: { memory } });
  const c = new Int32Array(memory.buffer, ctl, 32);
  let seen = 0;
  for (;;) {
    Atomics.wait(c, 0, seen);
    seen = Atomics.load(c, 0);
    if (seen < 0) break;
    runJob(wasm, memory, c);
    Atomics.store(c, 1, seen);
    Atomics.notify(c, 1);
  }
  parentPort?.postMessage('bye');
}

/** Run the job described in control slots 2.. (forward or backward trajectory of one batch slice). */
function runJob(wasm, memory, c) {
  const [kind, z, taps, omega, bias, out, states, scratch, B, H, W, st, per, act, L, dy, dz, dtaps, domega, dbias, work, Bfull, b0] = Array.from(c.subarray(2, 25));
  const job = { z, taps, omega, bias, out, states, scratch, B, H, W, st, per, act, L, dy, dz, dtaps, domega, dbias, work, Bfull, b0 };
  if (kind === 1) forwardSlice(wasm, memory, job);
  else backwardSlice(wasm, memory, job);
}

function check(status) {
  if (status !== 0) throw new Error(`stencil kernel status ${status}`);
}

/**
 * Forward trajectory of samples [b0, b0 + B) of a [Bfull, S] batch: states is [L, Bfull, S], the
 * slice's rows of every state are written; the last step goes to out.
 */
function forwardSlice(wasm, memory, j) {
  const S = j.H * j.W;
  const F = j.Bfull * S;
  const row = j.b0 * S * 4;
  const heap = new Float32Array(memory.buffer);
  heap.copyWithin((j.states + row) / 4, (j.z + row) / 4, (j.z + row) / 4 + j.B * S);
  for (let l = 0; l < j.L; l++) {
    const src = j.states + l * F * 4 + row;
    const dst = l < j.L - 1 ? j.states + (l + 1) * F * 4 + row : j.out + row;
    check(wasm.npde_stencil_fwd(src, j.taps, j.omega, j.bias, dst, j.scratch, j.B, j.H, j.W, j.st, j.per, j.act));
  }
}

/**
 * Backward trajectory of samples [b0, b0 + B): dz rows of the slice, and this slice's own
 * dtaps [S, K], dbias [S] and dω (summed over the steps) at the given offsets.
 */
function backwardSlice(wasm, memory, j) {
  const S = j.H * j.W;
  const K = j.st <= 3 ? 2 * j.st + 1 : j.st;
  const F = j.Bfull * S;
  const row = j.b0 * S * 4;
  const lTaps = j.work + j.B * S * 4;
  const lOmega = lTaps + S * K * 4;
  const lBias = lOmega + 4;
  let dom = 0;
  let g = j.dy + row;
  for (let l = j.L - 1; l >= 0; l--) {
    const gOut = l % 2 === 0 ? j.dz + row : j.work;
    const first = l === j.L - 1;
    check(wasm.npde_stencil_bwd(g, j.states + l * F * 4 + row, j.taps, j.omega, j.bias, gOut, first ? j.dtaps : lTaps, lOmega, first ? j.dbias : lBias, j.scratch, j.B, j.H, j.W, j.st, j.per, j.act));
    const heap = new Float32Array(memory.buffer);
    dom += heap[lOmega / 4];
    if (!first) {
      for (let i = 0; i < S * K; i++) heap[j.dtaps / 4 + i] += heap[lTaps / 4 + i];
      for (let i = 0; i < S; i++) heap[j.dbias / 4 + i] += heap[lBias / 4 + i];
    }
    g = gOut;
  }
  new Float32Array(memory.buffer)[j.domega / 4] = dom;
}

// ---- main side -----------------------------------------------------------------------------------
if (isMainThread) await main();

async function main() {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const csrc = path.resolve(here, '../packages/backend-wasm/csrc');
  const arg = (name, dflt) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : dflt;
  };
  const REPS = Number(arg('reps', 30));
  const jsonOut = arg('json', undefined);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'npde-threads-'));
  const wasmFile = path.join(tmp, 'stencil_relax_shared.wasm');
  const cc = spawnSync(
    process.env.CLANG ?? 'clang',
    [
      '--target=wasm32-unknown-unknown', '-std=c99', '-O3', '-msimd128', '-matomics', '-mbulk-memory',
      '-ffreestanding', '-fno-builtin', '-nostdlib', '-fno-jump-tables', '-I.',
      '-Wl,--no-entry', '-Wl,--import-memory', '-Wl,--shared-memory', '-Wl,--max-memory=1073741824',
      '-Wl,-z,stack-size=0', '-Wl,--initial-memory=65536', '-Wl,--strip-all', '-Wl,--gc-sections',
      '-o', wasmFile, 'stencil_relax.c',
    ],
    { cwd: csrc, encoding: 'utf8' },
  );
  if (cc.status !== 0) {
    console.log(`threads: skipped — could not build the shared-memory module (${cc.error?.message ?? cc.stderr.trim().split('\n')[0]}); apt-get install -y clang lld`);
    fs.rmSync(tmp, { recursive: true, force: true });
    return;
  }
  const module = new WebAssembly.Module(fs.readFileSync(wasmFile));
  const plainModule = new WebAssembly.Module(fs.readFileSync(path.resolve(here, '../packages/backend-wasm/wasm/stencil_relax.wasm')));
  fs.rmSync(tmp, { recursive: true, force: true });

  const cases = [
    { name: '64x1024 step', B: 64, S: 1024, L: 1 },
    { name: '64x4096 step', B: 64, S: 4096, L: 1 },
    { name: 'demo trajectory 1000x64, 8 steps', B: 1000, S: 64, L: 8 },
  ];
  const K = 3;
  const st = 1; // 1-D radius 1
  const act = 1; // tanh
  const maxBytes = Math.max(...cases.map((c) => (c.B * c.S * (2 * c.L + 8) + 4 * c.S * K + 64 * c.S * 8) * 4)) + (1 << 20);
  const pages = Math.ceil(maxBytes / 65536) + 16;
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const { exports: wasm } = new WebAssembly.Instance(module, { env: { memory } });
  const CTL = 64;
  const c = new Int32Array(memory.buffer, CTL, 32);
  const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { module, memory, ctl: CTL } });
  await new Promise((r) => setTimeout(r, 200));

  let seq = 0;
  const dispatch = (kind, job) => {
    c.set([kind, job.z, job.taps, job.omega, job.bias, job.out, job.states, job.scratch, job.B, job.H, job.W, job.st, job.per, job.act, job.L, job.dy, job.dz, job.dtaps, job.domega, job.dbias, job.work, job.Bfull, job.b0], 2);
    seq += 1;
    Atomics.store(c, 0, seq);
    Atomics.notify(c, 0);
  };
  const join = () => {
    for (let spin = 0; spin < 20000; spin++) if (Atomics.load(c, 1) === seq) return;
    while (Atomics.load(c, 1) !== seq) Atomics.wait(c, 1, seq - 1, 1000);
  };

  const results = [];
  for (const cs of cases) {
    const { B, S, L } = cs;
    const F = B * S;
    let top = 4096;
    const alloc = (floats) => {
      const at = top;
      top += Math.ceil((floats * 4 + 64) / 64) * 64;
      return at;
    };
    const scratchF = wasm.npde_stencil_scratch_floats(1, S, st, 1);
    const buf = {
      z: alloc(F), taps: alloc(S * K), omega: alloc(1), bias: alloc(S), out: alloc(F), states: alloc(L * F), dy: alloc(F),
      dz: alloc(F), dtaps: [alloc(S * K), alloc(S * K)], domega: [alloc(1), alloc(1)], dbias: [alloc(S), alloc(S)],
      work: [alloc(F + S * K + 1 + S), alloc(F + S * K + 1 + S)], scratch: [alloc(scratchF), alloc(scratchF)],
    };
    if (top > memory.buffer.byteLength) throw new Error('threads bench: memory too small');
    const heap = new Float32Array(memory.buffer);
    let s = 12345;
    const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
    for (let i = 0; i < F; i++) heap[buf.z / 4 + i] = rnd();
    for (let i = 0; i < F; i++) heap[buf.dy / 4 + i] = rnd();
    for (let i = 0; i < S; i++) {
      heap[buf.taps / 4 + i * K] = 0.1 + 0.05 * rnd();
      heap[buf.taps / 4 + i * K + 1] = 0.8 + 0.05 * rnd();
      heap[buf.taps / 4 + i * K + 2] = 0.1 + 0.05 * rnd();
      heap[buf.bias / 4 + i] = 0.1 * rnd();
    }
    heap[buf.omega / 4] = 0.5;
    const base = { z: buf.z, taps: buf.taps, omega: buf.omega, bias: buf.bias, out: buf.out, states: buf.states, H: 1, W: S, st, per: 1, act, L, dy: buf.dy, dz: buf.dz, Bfull: B };
    const slice = (t, b0, nb) => ({ ...base, B: nb, b0, scratch: buf.scratch[t], dtaps: buf.dtaps[t], domega: buf.domega[t], dbias: buf.dbias[t], work: buf.work[t] });
    const half = Math.floor(B / 2);

    const fwd1 = () => forwardSlice(wasm, memory, slice(0, 0, B));
    const fwd2 = () => {
      dispatch(1, slice(1, half, B - half));
      forwardSlice(wasm, memory, slice(0, 0, half));
      join();
    };
    // "2 threads + copy": what an integration with tfjs-backend-wasm has to do, its heap not being
    // shared. The main thread runs rows [0, B/2) in place in a plain (non-shared) memory with the
    // shipped module (the tfjs heap in zero-copy mode); the worker runs its rows on a compact copy
    // in the shared memory: z copied in before, its states and out copied back after.
    const F2 = (B - half) * S;
    const w = {
      z: alloc(F2), states: alloc(L * F2), out: alloc(F2),
    };
    if (top > memory.buffer.byteLength) throw new Error('threads bench: memory too small');
    const hp = { z: 4096, taps: 4096 + F * 4, omega: 4096 + F * 4 + S * K * 4 + 64, bias: 4096 + F * 4 + S * K * 4 + 128 };
    hp.states = hp.bias + S * 4 + 64;
    hp.out = hp.states + L * F * 4;
    hp.scratch = hp.out + F * 4;
    const heapMem = new WebAssembly.Memory({ initial: Math.ceil((hp.scratch + scratchF * 4 + 4096) / 65536) });
    const plain = new WebAssembly.Instance(plainModule, { env: { memory: heapMem } }).exports;
    const hv = (at, n) => new Float32Array(heapMem.buffer, at, n);
    const sv = (at, n) => new Float32Array(memory.buffer, at, n);
    hv(hp.z, F).set(sv(buf.z, F));
    hv(hp.taps, S * K).set(sv(buf.taps, S * K));
    hv(hp.omega, 1).set(sv(buf.omega, 1));
    hv(hp.bias, S).set(sv(buf.bias, S));
    const fwdCopy = () => {
      sv(w.z, F2).set(hv(hp.z + half * S * 4, F2));
      dispatch(1, { ...slice(1, 0, B - half), z: w.z, states: w.states, out: w.out, Bfull: B - half });
      forwardSlice(plain, heapMem, { ...base, ...hp, B: half, b0: 0, scratch: hp.scratch });
      join();
      for (let l = 0; l < L; l++) hv(hp.states + (l * F + half * S) * 4, F2).set(sv(w.states + l * F2 * 4, F2));
      hv(hp.out + half * S * 4, F2).set(sv(w.out, F2));
    };
    const bwd1 = () => backwardSlice(wasm, memory, slice(0, 0, B));
    const sumHalves = () => {
      const h = new Float32Array(memory.buffer);
      for (let i = 0; i < S * K; i++) h[buf.dtaps[0] / 4 + i] += h[buf.dtaps[1] / 4 + i];
      for (let i = 0; i < S; i++) h[buf.dbias[0] / 4 + i] += h[buf.dbias[1] / 4 + i];
      h[buf.domega[0] / 4] += h[buf.domega[1] / 4];
    };
    const bwd2 = () => {
      dispatch(2, slice(1, half, B - half));
      backwardSlice(wasm, memory, slice(0, 0, half));
      join();
      sumHalves();
    };
    const snapshot = (at, n) => new Float32Array(memory.buffer).slice(at / 4, at / 4 + n);

    // Agreement: forward bit for bit, gradients to float32 rounding of the summation order.
    fwd1();
    const out1 = snapshot(buf.out, F);
    bwd1();
    const g1 = { dz: snapshot(buf.dz, F), dtaps: snapshot(buf.dtaps[0], S * K), domega: snapshot(buf.domega[0], 1) };
    fwd2();
    const out2 = snapshot(buf.out, F);
    bwd2();
    const g2 = { dz: snapshot(buf.dz, F), dtaps: snapshot(buf.dtaps[0], S * K), domega: snapshot(buf.domega[0], 1) };
    const rel = (a, b) => {
      let n = 0;
      let d = 0;
      for (let i = 0; i < a.length; i++) {
        n = Math.max(n, Math.abs(a[i] - b[i]));
        d = Math.max(d, Math.abs(a[i]));
      }
      return n / Math.max(d, 1e-30);
    };
    const agreement = { forward: rel(out1, out2), dz: rel(g1.dz, g2.dz), dtaps: rel(g1.dtaps, g2.dtaps), domega: rel(g1.domega, g2.domega) };

    const time = (fn) => {
      for (let i = 0; i < 3; i++) fn();
      const ts = [];
      for (let i = 0; i < REPS; i++) {
        const t0 = performance.now();
        fn();
        ts.push(performance.now() - t0);
      }
      ts.sort((a, b) => a - b);
      return ts[Math.floor(ts.length / 2)];
    };
    // Interleave the two ways so that load changes hit both.
    fwdCopy();
    agreement.forwardCopy = rel(out1, hv(hp.out, F).slice());
    const m = { fwd1: [], fwd2: [], fb1: [], fb2: [], fwdCopy: [] };
    for (let round = 0; round < 3; round++) {
      m.fwd1.push(time(fwd1));
      m.fwd2.push(time(fwd2));
      m.fwdCopy.push(time(fwdCopy));
      m.fb1.push(time(() => (fwd1(), bwd1())));
      m.fb2.push(time(() => (fwd2(), bwd2())));
    }
    const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const r = { name: cs.name, B, S, L, ms: { forward1: med(m.fwd1), forward2: med(m.fwd2), fb1: med(m.fb1), fb2: med(m.fb2), forwardCopy: med(m.fwdCopy) }, agreement };
    r.speedup = { forward: r.ms.forward1 / r.ms.forward2, forwardBackward: r.ms.fb1 / r.ms.fb2, forwardCopy: r.ms.forward1 / r.ms.forwardCopy };
    results.push(r);
  }
  Atomics.store(c, 0, -1);
  Atomics.notify(c, 0);
  await worker.terminate();

  console.log(`threads: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), load ${os.loadavg()[0].toFixed(2)}, ${REPS} reps × 3 rounds, medians`);
  console.log('| case | forward 1 thread ms | forward 2 threads ms | speed-up | fwd+bwd 1 thread ms | fwd+bwd 2 threads ms | speed-up | forward 2 threads + copy ms | speed-up | max rel diff (fwd, dz, dtaps, fwd copy) |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const r of results) {
    console.log(
      `| ${r.name} | ${r.ms.forward1.toFixed(3)} | ${r.ms.forward2.toFixed(3)} | ${r.speedup.forward.toFixed(2)}× | ${r.ms.fb1.toFixed(3)} | ${r.ms.fb2.toFixed(3)} | ${r.speedup.forwardBackward.toFixed(2)}× | ${r.ms.forwardCopy.toFixed(3)} | ${r.speedup.forwardCopy.toFixed(2)}× | ${[r.agreement.forward, r.agreement.dz, r.agreement.dtaps, r.agreement.forwardCopy].map((x) => x.toExponential(1)).join(', ')} |`,
    );
  }
  if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify({ loadAverage: os.loadavg(), reps: REPS, results }, null, 2));
}
