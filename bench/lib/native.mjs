/**
 * The native C references (`cSse`, `cNative`): bench/native/stencil_bench.c,
 * compiled by this benchmark into a temp dir with gcc (else g++) at
 * `-O3 -msse4.2` and `-O3 -march=native`, including the WASM kernel's tanh
 * header (packages/backend-wasm/csrc/tanh_approx.h) when it exists. Each run is
 * a subprocess that reads the case's inputs from a file, times its own loop
 * (warm-up, then `reps` runs) and prints JSON; its outputs come back through a
 * file for the correctness check.
 */
import { Buffer } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pinnedCommand } from './affinity.mjs';
import { BENCH_DIR } from './args.mjs';

const SOURCE = path.join(BENCH_DIR, 'native', 'stencil_bench.c');
export const TANH_HEADER = path.resolve(BENCH_DIR, '..', 'packages', 'backend-wasm', 'csrc', 'tanh_approx.h');

export const NATIVE_VARIANTS = {
  cSse: ['-O3', '-msse4.2', '-fno-trapping-math'],
  cNative: ['-O3', '-march=native', '-fno-trapping-math'],
};

function firstLine(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) return null;
  return (r.stdout || r.stderr).split('\n')[0].trim();
}

/** The C compiler to use: gcc (as C11), else g++ (as C++), else cc; null when none runs. */
export function findCompiler() {
  for (const [cmd, lang] of [
    ['gcc', 'c'],
    ['g++', 'c++'],
    ['cc', 'c'],
  ]) {
    const version = firstLine(cmd, ['--version']);
    if (version) return { cmd, lang, version };
  }
  return null;
}

/** The scalar float tanh the header defines (`static inline float NAME(float x)`). */
function tanhFunctionOf(header) {
  const m = /static\s+inline\s+float\s+(\w+)\s*\(\s*float\b/.exec(header);
  return m ? m[1] : null;
}

/**
 * Compile both variants into a fresh temp dir. Returns
 * `{ dir, compiler, tanh, binaries: { cSse, cNative }, errors: { ... }, notes: [] }`
 * (a variant that failed to build is missing from `binaries`, with its error).
 */
export function buildNative() {
  const notes = [];
  const compiler = findCompiler();
  if (!compiler) {
    return { dir: null, compiler: null, tanh: null, binaries: {}, errors: {}, notes: ['no C compiler (gcc, g++ or cc) found: cSse and cNative skipped'] };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'npde-bench-native-'));
  const defs = [];
  let tanh = 'libm tanhf';
  if (fs.existsSync(TANH_HEADER)) {
    const fn = tanhFunctionOf(fs.readFileSync(TANH_HEADER, 'utf8'));
    if (fn) {
      defs.push(`-DNPDE_TANH_HEADER="${TANH_HEADER}"`, `-DNPDE_TANH_FN=${fn}`);
      tanh = `${fn}() from packages/backend-wasm/csrc/tanh_approx.h`;
    } else {
      notes.push(`${TANH_HEADER} defines no 'static inline float NAME(float)': the C references use libm tanhf`);
    }
  } else {
    notes.push('packages/backend-wasm/csrc/tanh_approx.h is missing: the C references use libm tanhf, not the WASM kernel\'s tanh');
  }
  // -std=c11 (ISO mode) means -ffp-contract=off for gcc: no FMA contraction, like WASM; say it explicitly for C++.
  const langFlags = compiler.lang === 'c' ? ['-std=c11'] : ['-x', 'c++', '-ffp-contract=off'];
  const binaries = {};
  const errors = {};
  const commands = {};
  for (const [variant, flags] of Object.entries(NATIVE_VARIANTS)) {
    const out = path.join(dir, variant);
    const args = [...langFlags, ...flags, ...defs, '-o', out, SOURCE, '-lm'];
    const r = spawnSync(compiler.cmd, args, { encoding: 'utf8' });
    const shown = args.map((a) => a.replace(SOURCE, 'bench/native/stencil_bench.c').replace(TANH_HEADER, 'packages/backend-wasm/csrc/tanh_approx.h').replace(dir, '$TMP'));
    commands[variant] = `${compiler.cmd} ${shown.join(' ')}`;
    if (r.error || r.status !== 0) {
      errors[variant] = (r.error?.message ?? r.stderr ?? '').trim().split('\n').slice(0, 5).join(' | ');
      notes.push(`${variant}: compilation failed (${errors[variant]})`);
    } else {
      binaries[variant] = out;
    }
  }
  return { dir, compiler, tanh, binaries, errors, commands, notes };
}

/** Write the case's inputs in the layout stencil_bench.c reads. */
export function writeInputs(dir, c) {
  const file = path.join(dir, `in-${c.B}-${c.H}-${c.W}.bin`);
  const parts = [c.z, c.taps, Float32Array.of(c.omega), c.bias, c.dy];
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const buf = Buffer.allocUnsafe(total);
  let off = 0;
  for (const p of parts) {
    Buffer.from(p.buffer, p.byteOffset, p.byteLength).copy(buf, off);
    off += p.byteLength;
  }
  fs.writeFileSync(file, buf);
  return file;
}

/**
 * Run one native variant on one case and pass (pinned to vCPU `cpu` when given). Returns
 * `{ medianMs, minMs, maxMs, reps, tanh, outputs }` or `{ error }`.
 */
export function runNative(binary, inputFile, c, pass, { warmup, reps, cpu = null }) {
  const outFile = `${inputFile}.${path.basename(binary)}.${pass === 'forward' ? 'fwd' : 'fb'}.out`;
  const offsets = c.offsets.map(([di, dj]) => `${di},${dj}`).join(';');
  const args = [inputFile, outFile, pass === 'forward' ? 'fwd' : 'fb', c.B, c.H, c.W, c.K, offsets, c.config.boundary, warmup, reps].map(String);
  const [cmd, cmdArgs] = pinnedCommand(cpu, binary, args);
  const r = spawnSync(cmd, cmdArgs, { encoding: 'utf8', timeout: 300_000 });
  if (r.error || r.status !== 0) return { error: (r.error?.message ?? r.stderr ?? `exit ${r.status}`).trim() };
  let res;
  try {
    res = JSON.parse(r.stdout.trim().split('\n').pop());
  } catch (err) {
    return { error: `unreadable output: ${String(err)}` };
  }
  const raw = fs.readFileSync(outFile);
  fs.rmSync(outFile, { force: true });
  const f = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  const BS = c.B * c.S;
  const SK = c.S * c.K;
  const outputs = { out: f.subarray(0, BS) };
  if (pass !== 'forward') {
    const at = [BS, 2 * BS, 2 * BS + SK, 2 * BS + SK + 1, 2 * BS + SK + 1 + c.S];
    outputs.dz = f.subarray(at[0], at[1]);
    outputs.dtaps = f.subarray(at[1], at[2]);
    outputs.domega = f.subarray(at[2], at[3]);
    outputs.dbias = f.subarray(at[3], at[4]);
  }
  return { ...res, outputs };
}

export function cleanupNative(build) {
  if (build?.dir) fs.rmSync(build.dir, { recursive: true, force: true });
}
