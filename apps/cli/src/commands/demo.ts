import type { Command } from 'commander';
import { runDemo, type DemoResult } from '../demo/adr-demo.js';
import { showProgress } from '../ui/progress.js';
import { plot } from '../ui/plot.js';
import { num, pct, table } from '../ui/table.js';
import { addBackendOption, parseNumber, parseInteger, runAction } from './shared.js';

/** The JSON `npde demo --json` prints. */
export function demoJson(r: DemoResult): Record<string, unknown> {
  return {
    backend: r.backend,
    noise: r.noise,
    params: r.params,
    denseParams: r.denseParams,
    seconds: r.seconds,
    finalLoss: r.finalLoss,
    relErr: r.relErr,
    heldOut: r.heldOut,
  };
}

/** The human-readable report of the demo. */
export function demoReport(r: DemoResult): string {
  const d = r.detail;
  const out: string[] = [];
  out.push(
    `npde demo — learning the physics of a heterogeneous 1-D advection–diffusion–reaction PDE`,
    `data: ${d.samples} white-noise inputs on ${d.sites} periodic sites, ${d.layers} relaxation steps (ω = ${d.omega}, f = tanh)` +
      `${r.noise > 0 ? `, outputs with ${pct(r.noise)} Gaussian noise` : ', clean outputs'}; backend ${r.backend}, adr steps ${d.stencilPath}`,
    '',
  );
  const rows: string[][] = [['site q', 'U true', 'U learned', 'D true', 'D learned', 'R true', 'R learned']];
  const step = Math.max(1, Math.floor(d.sites / 16));
  for (let i = 0; i < d.sites; i += step) {
    rows.push([String(i), ...(['U', 'D', 'R'] as const).flatMap((k) => [num(d.truth[k][i]!, 4), num(d.learned[k][i]!, 4)])]);
  }
  out.push(table(rows), '');
  for (const k of ['U', 'D', 'R'] as const) {
    const name = { U: 'U(q) advection speed', D: 'D(q) diffusion', R: 'R(q) reaction' }[k];
    out.push(plot(name, [{ name: 'true', values: d.truth[k], color: 'blue' }, { name: 'learned', values: d.learned[k], color: 'red' }], 6), '');
  }
  out.push(
    table([
      ['coefficient', 'relative L2 error'],
      ['U (advection)', pct(r.relErr.U)],
      ['D (diffusion)', pct(r.relErr.D)],
      ['R (reaction)', pct(r.relErr.R)],
    ]),
    '',
  );
  const dense = r.heldOut.dense;
  out.push(
    table([
      ['model', 'parameters', 'train time', 'epochs', 'final loss', 'held-out MSE (white noise)', 'held-out MSE (smooth fields)'],
      ['adr heterogeneous', String(r.params), `${d.adrSeconds.toFixed(1)} s`, String(d.epochs), num(r.finalLoss, 3), num(r.heldOut.adr.white, 3), num(r.heldOut.adr.smooth, 3)],
      dense
        ? ['dense (same depth)', String(r.denseParams), `${d.denseSeconds.toFixed(1)} s`, String(d.denseEpochs), num(d.denseFinalLoss ?? NaN, 3), num(dense.white, 3), num(dense.smooth, 3)]
        : ['dense (skipped)', String(r.denseParams), '-', '-', '-', '-', '-'],
    ]),
    '',
    `The adr model has ${r.params} parameters against ${r.denseParams} for the dense one (${(r.denseParams / r.params).toFixed(0)}×), ` +
      `and its parameters read directly as the PDE's coefficients.`,
    `total time ${r.seconds.toFixed(1)} s`,
  );
  return out.join('\n');
}

/** `npde demo`. */
export function registerDemo(program: Command): void {
  const cmd = program
    .command('demo')
    .description('learn U, D, R of a known heterogeneous ADR PDE from data, and compare with a dense model of the same depth')
    .option('--noise <fraction>', 'Gaussian noise on the outputs, as a fraction of their std (0.01 = 1%)', parseNumber('--noise', 0, 10), 0)
    .option('--samples <n>', 'training samples', parseInteger('--samples', 1), 1000)
    .option('--epochs <n>', 'full-batch Adam steps for the adr model', parseInteger('--epochs', 1), 400)
    .option('--seed <n>', 'seed of data and noise', parseInteger('--seed', 0), 1)
    .option('--no-dense', 'skip the dense comparison')
    .option('--json', 'print one JSON object instead of the report');
  addBackendOption(cmd, 'wasm');
  cmd.action(async (opts: { noise: number; samples: number; epochs: number; seed: number; dense: boolean; json?: boolean; backend: string[] }) =>
    runAction(Boolean(opts.json), async () => {
      const result = await runDemo({
        noise: opts.noise,
        samples: opts.samples,
        epochs: opts.epochs,
        seed: opts.seed,
        dense: opts.dense,
        backend: opts.backend,
        onTrainer: (label, events$) => showProgress(events$, label, !opts.json),
      });
      process.stdout.write(opts.json ? JSON.stringify(demoJson(result)) + '\n' : demoReport(result) + '\n');
    }),
  );
}
