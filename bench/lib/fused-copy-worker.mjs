/**
 * The `fusedCopy` column, in a child process of bench/run.js.
 *
 * @npde/backend-wasm chooses its fused-kernel mode once per process, at the first
 * `wasmBackend.setup()` (option `fusedKernels`, else the environment variable
 * NPDE_WASM_FUSED), so copy mode needs a process of its own. This one asks for it both
 * ways, runs the `fused` column's code (stencilRelax on wasm) on the same
 * deterministic inputs, and prints one line of JSON.
 *
 *   node bench/lib/fused-copy-worker.mjs '{"spec":{...},"pass":"forward","timing":{"warmup":3,"reps":20}}'
 */
import process from 'node:process';
import { runTfColumn } from './columns.mjs';
import { makeCase } from './inputs.mjs';
import { makeJsLoop } from './jsloop.mjs';

const print = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);

async function main() {
  const { spec, pass, timing } = JSON.parse(process.argv[2]);
  process.env.NPDE_WASM_FUSED = 'copy';
  const npde = await import('npde');
  const { tf } = npde;
  const setup = npde.backendWasm?.wasmBackend?.setup;
  if (typeof setup === 'function') await setup({ fusedKernels: 'copy' });
  await npde.createDefaultRegistry().ready({ backend: 'wasm' });
  const p = typeof npde.stencilRelaxPath === 'function' ? npde.stencilRelaxPath() : null;
  const mode = typeof p === 'string' ? p : p?.mode;
  if (mode !== 'fused-copy') {
    print({ error: `copy mode could not be forced: stencilRelaxPath() says ${JSON.stringify(p)}` });
    return;
  }
  const c = makeCase(spec);
  const js = makeJsLoop(c);
  const reference = pass === 'forward' ? { out: js.forward() } : js.forwardBackward();
  const res = await runTfColumn({ tf, c, pass, col: 'fusedCopy', backend: 'wasm', runnerOpts: { op: npde.stencilRelax }, timing, reference });
  print({ ...res, mode, reason: p.reason });
}

main().catch((err) => {
  print({ error: String(err?.stack ?? err) });
});
