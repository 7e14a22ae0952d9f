import path from 'node:path';
import type { Command } from 'commander';
import {
  blockFixedPoint,
  blockMoments,
  depthProfile,
  foreignFixedPoint,
  foreignPlots,
  foreignReport,
  formatForeignReport,
  formatPhysicsReport,
  physicsReport,
  reportPlots,
  type DepthProfile,
  type MomentConvention,
} from '@npde/analysis';
import { ErrorCodes, ShapeError, loadModel, tf, type KernelMoment, type NeuralPde, type PdeBlockView, type Tensor } from 'npde';
import { readModelJson } from '@npde/core/node';
import { readArrayFile } from '../data/read-data.js';
import { foreignModelJsonPath, readForeignModel } from '../inspect/read-foreign.js';
import { writePlots } from '../inspect/write-plots.js';
import { plot } from '../ui/plot.js';
import { num, table } from '../ui/table.js';
import { BACKENDS, parseBackends, parseInteger, runAction } from './shared.js';
import { PLUGIN_OPTION_HELP, collectPlugin, hintUnknownPlugins, pluginRequests, registryWithPlugins } from '../plugins/index.js';

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
 * `W0, W1, W2` in 1-D, `M, Mx, My, …` in 2-D): the kernel's own moments, or with
 * a `convention` those of its dense W under that offset convention.
 */
export function describeBlock(block: PdeBlockView, maxOrder = 2, convention?: MomentConvention): {
  physics: { name: string; description: string; values: number[][] }[];
  moments: KernelMoment[][];
} {
  const physics = (block.kernel.physics?.() ?? []).map((q) => ({ name: q.name, description: q.description, values: q.values.map((r) => [...r]) }));
  const moments: KernelMoment[][] = [];
  if (block.kernel.moments) {
    for (const l of blockMoments(block, { order: maxOrder, ...(convention ? { convention } : {}) })) moments.push([...l.moments.moments]);
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

/** Options of `npde inspect`. */
interface InspectOptions {
  json?: boolean;
  plot?: boolean;
  plots?: string;
  order: number;
  periodic?: boolean;
  maxOffset?: number;
  attractor?: boolean;
  data?: string;
  targets?: string;
  labels?: boolean;
  backend: string[];
  plugin: string[];
}

/** One layer's attractor as `npde inspect --attractor` reports it. */
interface AttractorSummary {
  stage: string;
  layer: number;
  converged: boolean;
  iterations: number;
  residuals: number[];
  norm: number;
  z: number[];
}

function attractors(model: NeuralPde): AttractorSummary[] {
  const out: AttractorSummary[] = [];
  for (const s of model.stages) {
    const pde = s.instance.pde;
    if (!pde || pde.field.size > 4096) continue;
    for (let l = 0; l < pde.layers; l++) {
      const r = blockFixedPoint(s, l, undefined, { maxIterations: 200 });
      out.push({ stage: s.name, layer: l, converged: r.converged, iterations: r.iterations, residuals: [...r.residuals], norm: Math.hypot(...r.z), z: [...r.z] });
    }
  }
  return out;
}

async function depthAdvice(model: NeuralPde, opts: InspectOptions): Promise<DepthProfile[] | undefined> {
  if (!opts.data) return undefined;
  if (!opts.targets) {
    throw new ShapeError(ErrorCodes.SHAPE_MISMATCH, '--data needs --targets', { path: '--targets', expected: 'a targets file (or labels with --labels)', received: 'none' });
  }
  const x = await readArrayFile(opts.data);
  const y = await readArrayFile(opts.targets, opts.labels ? { dtype: 'int32' } : {});
  const tensors: Tensor[] = [];
  try {
    const xs = model.toState(tf.tensor(x.data, x.shape, 'float32'), opts.data);
    tensors.push(xs);
    const ys = opts.labels ? tf.tensor1d(y.data as Int32Array, 'int32') : model.toTarget(tf.tensor(y.data, y.shape, 'float32'), opts.targets);
    tensors.push(ys);
    return depthProfile(model, xs, ys, { loss: opts.labels ? 'softmax-cross-entropy' : 'mse' });
  } finally {
    tensors.forEach((t) => t.dispose());
  }
}

async function inspectForeign(file: string, opts: InspectOptions): Promise<void> {
  const foreign = await readForeignModel(file);
  const convention: MomentConvention = opts.periodic ? 'periodic' : 'open';
  const report = foreignReport(foreign, { order: opts.order, convention, ...(opts.maxOffset !== undefined ? { maxOffset: opts.maxOffset } : {}) });
  const plotFiles = opts.plots ? await writePlots(opts.plots, foreignPlots(report, foreign)) : [];
  const attractor: (Omit<AttractorSummary, 'stage'> & { name: string })[] = [];
  if (opts.attractor) {
    foreign.layers.forEach((l, k) => {
      if (l.kind !== 'dense' || l.inputs !== l.units) return;
      try {
        const r = foreignFixedPoint(l, undefined, { maxIterations: 200 });
        attractor.push({ name: l.name, layer: k, converged: r.converged, iterations: r.iterations, residuals: [...r.residuals], norm: Math.hypot(...r.z), z: [...r.z] });
      } catch (e) {
        if (!(e instanceof RangeError)) throw e; // an activation it cannot iterate: no attractor reported
      }
    });
  }
  if (opts.json) {
    process.stdout.write(
      JSON.stringify({ foreign: true, file, format: foreign.format, generatedBy: foreign.generatedBy ?? null, report, ...(opts.attractor ? { attractors: attractor } : {}), plots: plotFiles }) + '\n',
    );
    return;
  }
  const read = report.layers.filter((l) => l.readAs).length;
  process.stdout.write(
    [
      `foreign model ${file} (${foreign.format}${foreign.generatedBy ? `, ${foreign.generatedBy}` : ''}): ${report.layers.length} layers, ${read} read as physics (moments up to order ${report.order})`,
      '',
      formatForeignReport(report),
      ...(attractor.length
        ? [
            'attractors z* = f(Kᵀ z* + b) of the square Dense layers (Anderson acceleration from z = 0):',
            '',
            table([
              ['layer', 'converged', 'iterations', 'last residual', '‖z*‖'],
              ...attractor.map((a) => [a.name, a.converged ? 'yes' : 'no', String(a.iterations), num(a.residuals.at(-1) ?? NaN), num(a.norm)]),
            ]),
            '',
          ]
        : []),
      ...(plotFiles.length ? [`wrote ${plotFiles.length} plots to ${opts.plots}`, ''] : []),
    ].join('\n'),
  );
}

/** `npde inspect <model dir | model.json>`. */
export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description(
      "read a model as physics: an npde model directory (stages, each pde block's coefficient profiles and kernel moments per layer, read as reaction, advection, diffusion, dispersion and hyper-diffusion with their stability), or a TensorFlow.js Layers model.json (Dense layers of equal widths as 1-D kernels, convolutions as stencils)",
    )
    .argument('<path>', 'model directory (written by `npde train` or saveModel), or a TensorFlow.js Layers model.json (or its directory)')
    .option('--json', 'print JSON with every value')
    .option('--plot', 'plot the profiles of the first layer in the terminal')
    .option('--plots <dir>', 'write SVG plots of the profiles (line plots for 1-D fields, heat maps for 2-D) to this directory')
    .option('--order <n>', 'largest moment order of the physics report (4: up to hyper-diffusion)', parseInteger('--order', 0), 4)
    .option('--periodic', "read moments from the dense W with periodic (ring) offsets, also where the kernel has its own moments; default: the kernel's closed form, else open offsets")
    .option('--max-offset <n>', 'for moments read from a dense W: count only couplings within n grid steps (keeps the noise of far entries out of the higher moments)', parseInteger('--max-offset', 0))
    .option('--attractor', "find each layer's attractor z* = f(W z* − b) (Anderson acceleration) and report its residuals")
    .option('--data <file>', 'inputs for the layer-by-layer loss and depth advice (.json, .npy, raw)')
    .option('--targets <file>', 'targets for --data (class labels with --labels)')
    .option('--labels', 'the targets are class labels (softmax cross-entropy)')
    .option('--backend <names>', `tensor backend or comma-separated fallback order: ${BACKENDS.join(', ')} (default cpu: exact and fast enough to read a model)`, parseBackends, ['cpu'])
    .option('--plugin <package>', PLUGIN_OPTION_HELP, collectPlugin, [])
    .action(async (dir: string, opts: InspectOptions) =>
      runAction(Boolean(opts.json), async () => {
        const foreignFile = await foreignModelJsonPath(dir);
        if (foreignFile) {
          await inspectForeign(foreignFile, opts);
          return;
        }
        const { registry } = await registryWithPlugins(pluginRequests(opts.plugin));
        const json = await readModelJson(dir);
        await registry.ready({ backend: opts.backend });
        const model = await hintUnknownPlugins(() => loadModel(dir, { registry }));
        try {
          const convention: MomentConvention | undefined = opts.periodic ? 'periodic' : undefined;
          const stages = describeStages(model);
          const blocks = model.stages.flatMap((s) => (s.instance.pde ? [{ stage: s.name, block: s.instance.pde, ...describeBlock(s.instance.pde, 2, convention) }] : []));
          const report = physicsReport(model, { order: opts.order, ...(convention ? { convention } : {}), ...(opts.maxOffset !== undefined ? { maxOffset: opts.maxOffset } : {}) });
          const attractor = opts.attractor ? attractors(model) : undefined;
          const depth = await depthAdvice(model, opts);
          const plotFiles = opts.plots ? await writePlots(opts.plots, reportPlots(report)) : [];
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
                report,
                ...(attractor ? { attractors: attractor } : {}),
                ...(depth ? { depth } : {}),
                plots: plotFiles,
                metadata: json.metadata ?? null,
              }) + '\n',
            );
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
          if (report.blocks.length) out.push('physics (theory §2: Z = W z ≈ W0 z + W1 ∂z + W2/2 ∂²z + …):', '', formatPhysicsReport(report));
          if (attractor) {
            out.push(
              'attractors z* = f(W z* − b) per layer (Anderson acceleration from z = 0):',
              '',
              table([
                ['stage', 'layer', 'converged', 'iterations', 'last residual', '‖z*‖'],
                ...attractor.map((a) => [a.stage || '(unnamed)', String(a.layer), a.converged ? 'yes' : 'no', String(a.iterations), num(a.residuals.at(-1) ?? NaN), num(a.norm)]),
              ]),
              '',
            );
          }
          for (const d of depth ?? []) {
            out.push(
              `depth advice for ${d.stage || 'the block'}: lowest loss ${num(d.bestLoss)} at depth ${d.bestDepth} of ${d.layers} (loss at full depth ${num(d.losses.at(-1)!)})`,
              '  loss by depth: ' + d.losses.map((v, l) => `${l}: ${num(v)}`).join(', '),
              '',
            );
          }
          if (plotFiles.length) out.push(`wrote ${plotFiles.length} plots to ${path.resolve(opts.plots!)}`, '');
          process.stdout.write(out.join('\n'));
        } finally {
          model.dispose();
        }
      }),
    );
}
