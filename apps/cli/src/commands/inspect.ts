import type { Command } from 'commander';
import { createDefaultRegistry, loadModel, type KernelMoment, type NeuralPde, type PdeBlockView } from 'npde';
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
export function describeBlock(block: PdeBlockView, maxOrder = 2): {
  physics: { name: string; description: string; values: number[][] }[];
  moments: KernelMoment[][];
} {
  const physics = (block.kernel.physics?.() ?? []).map((q) => ({ name: q.name, description: q.description, values: q.values.map((r) => [...r]) }));
  const moments: KernelMoment[][] = [];
  for (let l = 0; l < block.layers; l++) {
    if (block.kernel.moments) moments.push([...block.kernel.moments(l, maxOrder).moments]);
  }
  return { physics, moments };
}

/** The physics of a model's first pde block (empty for a model without one); see {@link describeBlock}. */
export function describeModel(model: NeuralPde, maxOrder = 2): ReturnType<typeof describeBlock> {
  const b = model.blocks[0];
  return b ? describeBlock(b, maxOrder) : { physics: [], moments: [] };
}

function geometry(f: NeuralPde['input']): string {
  return `[${f.shape.join(', ')}]×${f.realChannels}`;
}

/** Each stage of a model: name, plugin id, geometry, one-line description and trainable parameter count. */
export function describeStages(model: NeuralPde): { name: string; id: string; input: string; output: string; description: string; params: number }[] {
  return model.stages.map((s) => ({
    name: s.name,
    id: s.id,
    input: geometry(s.input),
    output: geometry(s.output),
    description: s.instance.describe?.() ?? '',
    params: Object.values(s.instance.params).reduce((n, p) => n + (p.trainable ? p.size : 0), 0),
  }));
}

/** `npde inspect <model dir>`. */
export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description("read a saved model: its stages, and each pde block's parameters as physics: coefficient profiles (U, D, R) and kernel moments per layer")
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
        const stages = describeStages(model);
        const blocks = model.stages.flatMap((s) => (s.instance.pde ? [{ stage: s.name, block: s.instance.pde, ...describeBlock(s.instance.pde) }] : []));
        if (opts.json) {
          const first = blocks[0];
          process.stdout.write(
            JSON.stringify({
              spec: model.spec,
              paramCount: model.paramCount,
              omega: first ? first.block.omega() : null,
              physics: first?.physics ?? [],
              moments: first?.moments ?? [],
              stages,
              blocks: blocks.map((b) => ({ stage: b.stage, kernel: b.block.pluginIds.kernel, layers: b.block.layers, omega: b.block.omega(), physics: b.physics, moments: b.moments })),
              metadata: json.metadata ?? null,
            }) + '\n',
          );
          model.dispose();
          return;
        }
        const out: string[] = [
          `model ${dir}: input ${geometry(model.input)} → output ${geometry(model.output)}, ${model.stages.length} stage${model.stages.length === 1 ? '' : 's'}, ${model.paramCount} trainable parameters`,
          '',
          table([['stage', 'id', 'input → output', 'description', 'params'], ...stages.map((s) => [s.name || '(unnamed)', s.id, `${s.input} → ${s.output}`, s.description, String(s.params)])]),
          '',
        ];
        for (const { stage, block, physics, moments } of blocks) {
          out.push(`pde block ${stage || '(unnamed)'}: ${block.pluginIds.kernel} on field [${block.field.shape.join(', ')}], ${block.layers} layers, ω = ${num(block.omega())}`, '');
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
        }
        process.stdout.write(out.join('\n'));
        model.dispose();
      }),
    );
}
