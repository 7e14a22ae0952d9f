/**
 * How the benchmark forces the wasm fused kernels into copy mode (`fusedCopy`).
 *
 * @npde/backend-wasm exposes it as the wasmBackend option `fusedKernels: 'copy'`
 * and the environment variable named by its FUSED_KERNEL_ENV export
 * (NPDE_WASM_FUSED=copy); either is read once per process, at the first setup. So
 * the column runs in a child process (bench/lib/fused-copy-worker.mjs) on the same
 * deterministic inputs, one child per case and pass, right after the parent's
 * `fused` column of that case.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fused-copy-worker.mjs');

/**
 * @returns `{ available: true, how, run(spec, pass, timing) }` or `{ available: false, why }`
 */
export function detectCopyMode({ npde }) {
  const envName = npde.backendWasm?.FUSED_KERNEL_ENV;
  const prefs = npde.backendWasm?.FUSED_KERNEL_PREFERENCES;
  if (typeof envName !== 'string' || !Array.isArray(prefs) || !prefs.includes('copy')) {
    return { available: false, why: "@npde/backend-wasm exports no FUSED_KERNEL_ENV / FUSED_KERNEL_PREFERENCES with 'copy': no way to force copy mode" };
  }
  return {
    available: true,
    how: `a child process per case and pass with wasmBackend.setup({ fusedKernels: 'copy' }) and ${envName}=copy (the mode is fixed once per process)`,
    run(spec, pass, timing) {
      const r = spawnSync(process.execPath, [WORKER, JSON.stringify({ spec, pass, timing })], {
        encoding: 'utf8',
        env: { ...process.env, [envName]: 'copy' },
        timeout: 600_000,
        maxBuffer: 64 * 2 ** 20,
      });
      if (r.error) return { error: r.error.message };
      const line = r.stdout.trim().split('\n').pop();
      try {
        return JSON.parse(line);
      } catch {
        return { error: `the worker printed no result (exit ${r.status}): ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}` };
      }
    },
  };
}
