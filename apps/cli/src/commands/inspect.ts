import type { Command } from 'commander';
import { createDefaultRegistry, loadModel, type KernelMoment, type NeuralPde } from 'npde';
import { readModelJson } from '@npde/core/node';
import { plot } from '../ui/plot.js';
import { num, table } from '../ui/table.js';
import { BACKENDS, parseBackends, runAction } from './shared.js';

function stats(xs: readonly number[]): [string, string, string] {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return [num(Math.min(...xs)), num(mean), num(Math.max(...xs))];
}

/** What the 1-D moments mean (theory §6); other labels (`Mxy`, `W3`) are shown as they are. */
const MOMENT_NAMES: Readonly<Record<string, string>> = { W0: 'W0 (amplitude)', W1: 'W1 (advection)', W2: 'W2 (diffusion)' };

/**
 * The physics of a model: quantities per layer, and per layer the kernel's
 * moments (`moments[layer]` is the `moments` list of its `KernelMoments`:
 * one `{ alpha, label, values, channels? }` per multi-index and channel pair,
 * `W0, W1, W2` in 1-D, `M, Mx, My, …` in 2-D).
 */
export function describeModel(model: NeuralPde, maxOrder = 2): {
  physics: { name: string; description: string; values: number[][] }[];
  moments: KernelMoment[][];
} {
  const physics = (model.kernel.physics?.() ?? []).map((q) => ({ name: q.name, description: q.description, values: q.values.map((r) => [...r]) }));
  const moments: KernelMoment[][] = [];
  for (let l = 0; l < model.layers; l++) {
    if (model.kernel.moments) moments.push([...model.kernel.moments(l, maxOrder).moments]);
  }
  return { physics, moments };
}

/** `npde inspect <model dir>`. */
export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description("read a saved model's parameters as physics: coefficient profiles (U, D, R) and kernel moments per layer")
    .argument('<dir>', 'model directory (written by `npde train` or saveModel)')
    .option('--json', 'print JSON with every value')
    .option('--plot', 'plot the profiles of the first layer')
    .option('--backend <names>', `tensor backend or comma-separated fallback order: ${BACKENDS.join(', ')} (default cpu: exact and fast enough to read a model)`, parseBackends, ['cpu'])
    .action(async (dir: string, opts: { json?: boolean; plot?: boolean; backend: string[] }) =>
      runAction(Boolean(opts.json), async () => {
        const registry = createDefaultRegistry();
        const json = await readModelJson(dir);
        await registry.ready({ backend: opts.backend });
        const model = await loadModel(dir, { registry });
        const { physics, moments } = describeModel(model);
        if (opts.json) {
          process.stdout.write(JSON.stringify({ spec: model.spec, paramCount: model.paramCount, omega: model.omega, physics, moments, metadata: json.metadata ?? null }) + '\n');
          model.dispose();
          return;
        }
        const out: string[] = [
          `model ${dir}: ${model.pluginIds.kernel} on field [${model.field.shape.join(', ')}], ${model.layers} layers, ω = ${num(model.omega)}, ${model.paramCount} trainable parameters`,
          '',
        ];
        if (physics.length) {
          const rows = [['quantity', 'layer', 'min', 'mean', 'max']];
          for (const q of physics) {
            const distinct = q.values.some((r) => r.join() !== q.values[0]!.join());
            (distinct ? q.values : [q.values[0]!]).forEach((r, l) => rows.push([`${q.name} (${q.description})`, distinct ? String(l) : 'all', ...stats(r)]));
          }
          out.push(table(rows), '');
          if (opts.plot) for (const q of physics) out.push(plot(`${q.name}(q), layer 0`, [{ name: q.name, values: q.values[0]!, color: 'blue' }], 6), '');
        }
        if (moments.length) {
          const rows = [['moment', 'layer', 'min', 'mean', 'max']];
          moments.forEach((m, l) =>
            m.forEach((e) => {
              const name = (MOMENT_NAMES[e.label] ?? e.label) + (e.channels ? ` [${e.channels.join('←')}]` : '');
              rows.push([name, String(l), ...stats(e.values)]);
            }),
          );
          out.push(table(rows), '');
        }
        process.stdout.write(out.join('\n'));
        model.dispose();
      }),
    );
}
