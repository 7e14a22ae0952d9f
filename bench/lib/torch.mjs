/**
 * The PyTorch columns (`torch1`, `torch2`: one and two intra-op threads) and the
 * PyTorch side of the training comparison: bench/torch/torch_bench.py, run as one
 * long-lived child process that takes one JSON job per line on stdin and answers
 * one JSON line on stdout, on the same float32 inputs as the other columns
 * (written to files by the parent).
 *
 * The interpreter: $NPDE_BENCH_PYTHON, else /usr/bin/python3 (Debian's
 * python3-torch lives there, beside a pyenv `python3` on PATH that may lack
 * it), else `python3` and `python` on PATH — the first that can import torch.
 */
import { Buffer } from 'node:buffer';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import readline from 'node:readline';
import { BENCH_DIR } from './args.mjs';

export const TORCH_SCRIPT = path.join(BENCH_DIR, 'torch', 'torch_bench.py');
/** The thread counts timed: column `torch${n}` for each. */
export const TORCH_THREADS = [1, 2];

function candidates() {
  const list = [];
  if (process.env.NPDE_BENCH_PYTHON) list.push(process.env.NPDE_BENCH_PYTHON);
  list.push('/usr/bin/python3', 'python3', 'python');
  return [...new Set(list)];
}

/** The first interpreter that imports torch: `{ python, version }`, or `{ why }`. */
export function findTorchPython() {
  const tried = [];
  for (const py of candidates()) {
    const r = spawnSync(py, ['-c', 'import torch, sys; print(torch.__version__)'], { encoding: 'utf8', timeout: 60_000 });
    if (!r.error && r.status === 0) return { python: py, version: r.stdout.trim() };
    tried.push(`${py}: ${r.error ? r.error.code ?? r.error.message : (r.stderr || '').trim().split('\n').pop()}`);
  }
  return { why: `no Python with torch found (${tried.join('; ')}); set NPDE_BENCH_PYTHON or apt-get install python3-torch` };
}

/**
 * Start the child. Returns `{ available: true, python, version, job(obj), writeCase(c), close() }`
 * or `{ available: false, why }`.
 */
export async function startTorch() {
  if (process.env.NPDE_BENCH_NO_TORCH) return { available: false, why: 'NPDE_BENCH_NO_TORCH is set' };
  const found = findTorchPython();
  if (!found.python) return { available: false, why: found.why };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'npde-bench-torch-'));
  const child = spawn(found.python, [TORCH_SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  const lines = readline.createInterface({ input: child.stdout });
  const waiting = [];
  let exited = null;
  lines.on('line', (line) => waiting.shift()?.resolve(line));
  child.on('exit', (code, signal) => {
    exited = `the torch child exited (${signal ?? code}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`;
    for (const w of waiting.splice(0)) w.reject(new Error(exited));
  });
  child.on('error', (err) => {
    exited = String(err);
    for (const w of waiting.splice(0)) w.reject(err);
  });

  const job = (obj) =>
    new Promise((resolve, reject) => {
      if (exited) return reject(new Error(exited));
      waiting.push({
        resolve: (line) => {
          try {
            const res = JSON.parse(line);
            if (!res.ok) reject(new Error(res.error ?? 'the torch job failed'));
            else resolve(res);
          } catch (err) {
            reject(new Error(`unreadable answer from the torch child: ${String(err)}`));
          }
        },
        reject,
      });
      child.stdin.write(`${JSON.stringify(obj)}\n`);
    });

  let hello;
  try {
    hello = await job({ kind: 'hello' });
  } catch (err) {
    child.kill();
    fs.rmSync(dir, { recursive: true, force: true });
    return { available: false, why: `the torch child did not start: ${String(err.message ?? err)}` };
  }

  const writeFloats = (name, arrays) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, Buffer.concat(arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength))));
    return file;
  };

  return {
    available: true,
    python: found.python,
    version: hello.torch,
    pythonVersion: hello.python,
    dir,
    job,
    writeFloats,
    /** Time one case and pass; returns `{ [threads]: { medianMs, minMs, maxMs, outputs } }`. */
    async step(c, pass, { warmup, reps }) {
      const input = writeFloats(`in-${c.B}-${c.H}-${c.W}.bin`, [c.z, c.taps, Float32Array.of(c.omega), c.bias, c.dy]);
      const res = await job({
        kind: 'step',
        input,
        output: path.join(dir, `out-${c.B}-${c.H}-${c.W}-${pass === 'forward' ? 'fwd' : 'fb'}`),
        B: c.B,
        H: c.H,
        W: c.W,
        K: c.K,
        offsets: c.offsets,
        boundary: c.config.boundary,
        pass: pass === 'forward' ? 'fwd' : 'fb',
        threads: TORCH_THREADS,
        warmup,
        reps,
      });
      const out = {};
      for (const [t, r] of Object.entries(res.results)) {
        const raw = fs.readFileSync(r.output);
        const f = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
        const BS = c.B * c.S;
        const SK = c.S * c.K;
        const outputs =
          pass === 'forward'
            ? { out: f.slice(0, BS) }
            : { dz: f.slice(0, BS), dtaps: f.slice(BS, BS + SK), domega: f.slice(BS + SK, BS + SK + 1), dbias: f.slice(BS + SK + 1, BS + SK + 1 + c.S) };
        out[t] = { medianMs: r.medianMs, minMs: r.minMs, maxMs: r.maxMs, reps: r.reps, outputs };
      }
      return out;
    },
    close() {
      try {
        child.stdin.end(`${JSON.stringify({ kind: 'quit' })}\n`);
      } catch {
        /* already gone */
      }
      setTimeout(() => child.kill(), 2000).unref();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
