import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { Command } from 'commander';
import {
  ErrorCodes,
  NeuralPde,
  ShapeError,
  Trainer,
  ValidationError,
  createDefaultRegistry,
  saveModel,
  tf,
  type Registry,
  type Tensor2D,
} from 'npde';
import { writeFileAtomic } from '@npde/core/node';
import { parseTrainConfig, type TrainConfig } from '../config/train-config.js';
import { generateAdrData } from '../demo/adr-data.js';
import { relL2, type AdrProfiles } from '../demo/profiles.js';
import { showProgress } from '../ui/progress.js';
import { num, pct, table } from '../ui/table.js';
import { BACKENDS, parseBackends, runAction } from './shared.js';

async function loadData(config: TrainConfig, configFile: string, registry: Registry, sites: number): Promise<{ x: Tensor2D | number[][]; y: Tensor2D | number[][]; truth?: AdrProfiles }> {
  const d = config.data;
  if (d.source === 'adr') {
    if (d.sites !== sites) {
      throw new ShapeError(ErrorCodes.SHAPE_MISMATCH, 'the model field does not match the data', {
        path: 'model.field.shape',
        expected: `[${d.sites}] (data.sites)`,
        received: `${sites} sites`,
        hint: 'Make model.field.shape and data.sites agree.',
      });
    }
    const data = generateAdrData({ ...d, registry });
    data.truthModel.dispose();
    return { x: data.x, y: data.y, truth: data.truth };
  }
  const file = path.resolve(path.dirname(configFile), d.path);
  let json: { x?: unknown; y?: unknown };
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new ValidationError(ErrorCodes.INVALID_SPEC, `cannot read data file ${file}`, {
      path: 'data.path',
      expected: 'a JSON file { "x": number[][], "y": number[][] }',
      received: (err as Error).message,
    });
  }
  for (const k of ['x', 'y'] as const) {
    if (!Array.isArray(json[k]) || !(json[k] as unknown[]).every((r) => Array.isArray(r) && r.every((e) => typeof e === 'number'))) {
      throw new ValidationError(ErrorCodes.INVALID_SPEC, `data file field "${k}" must be an array of number arrays`, {
        path: `data.path → ${k}`,
        expected: 'number[][]',
        received: typeof json[k],
      });
    }
  }
  return { x: json.x as number[][], y: json.y as number[][] };
}

/** `npde train <config.json> --out <dir>`. */
export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train a model from a config file (model spec, data source, optimizer, epochs), with progress, checkpoints and a final report')
    .argument('<config>', 'JSON config file (see docs/cli.md)')
    .requiredOption('--out <dir>', 'model directory to write (model.json, weights.bin, report.json, checkpoints/)')
    .option('--backend <names>', `tensor backend or comma-separated fallback order: ${BACKENDS.join(', ')} (overrides the config; default wasm)`, parseBackends)
    .option('--json', 'print the final report as JSON')
    .action(async (configFile: string, opts: { out: string; backend?: string[]; json?: boolean }) =>
      runAction(Boolean(opts.json), async () => {
        const config = await parseTrainConfig(configFile);
        const registry = createDefaultRegistry();
        const model = NeuralPde.create(config.model, { registry, path: 'model' });
        const report = await registry.ready({ backend: opts.backend ?? config.backend ?? 'wasm' });
        const data = await loadData(config, configFile, registry, model.field.size);
        const trainer = new Trainer({ registry });
        const stop = showProgress(trainer.events$, 'train', !opts.json);
        const saves: Promise<void>[] = [];
        const every = config.training.checkpointEvery;
        if (every) {
          trainer.events$.subscribe((e) => {
            if (e.type === 'epoch:end' && e.epoch % every === 0) {
              saves.push(saveModel(model, path.join(opts.out, 'checkpoints', `epoch-${String(e.epoch).padStart(5, '0')}`), { metadata: { epoch: e.epoch, loss: e.loss } }));
            }
          });
        }
        let fit;
        try {
          fit = await trainer.fit(model, data, {
            optimizer: config.optimizer,
            epochs: config.training.epochs,
            batchSize: config.training.batchSize,
            validation: config.training.validation,
            timeLimit: config.training.timeLimit,
            seed: config.training.seed,
          });
        } finally {
          stop();
          await Promise.all(saves);
          for (const t of [data.x, data.y]) if (t instanceof tf.Tensor) t.dispose();
        }
        const physics = model.kernel.physics?.() ?? [];
        const learned = Object.fromEntries(physics.map((q) => [q.name, q.values[0] ?? []]));
        const relErr = data.truth && ['U', 'D', 'R'].every((k) => k in learned)
          ? { U: relL2(learned['U']!, data.truth.U), D: relL2(learned['D']!, data.truth.D), R: relL2(learned['R']!, data.truth.R) }
          : undefined;
        const summary = {
          backend: report.name,
          out: opts.out,
          epochs: fit.epochs,
          finalLoss: fit.loss,
          valLoss: fit.valLoss ?? null,
          seconds: fit.seconds,
          reason: fit.reason,
          restoredBest: fit.restoredBest,
          best: fit.best ?? null,
          params: model.paramCount,
          ...(relErr ? { relErr } : {}),
        };
        await saveModel(model, opts.out, { metadata: { report: summary, config } });
        await writeFileAtomic(path.join(opts.out, 'report.json'), JSON.stringify(summary, null, 2) + '\n');
        model.dispose();
        if (opts.json) {
          process.stdout.write(JSON.stringify(summary) + '\n');
          return;
        }
        const rows = [
          ['backend', report.name],
          ['epochs', `${fit.epochs} (${fit.reason})`],
          ['final loss', num(fit.loss)],
          ...(fit.valLoss !== undefined ? [['validation loss', num(fit.valLoss)]] : []),
          ['parameters', String(summary.params)],
          ['time', `${fit.seconds.toFixed(1)} s`],
          ...(relErr ? [['rel. L2 error U / D / R', `${pct(relErr.U)} / ${pct(relErr.D)} / ${pct(relErr.R)}`]] : []),
          ['saved to', opts.out],
        ];
        process.stdout.write(table([['training report', ''], ...rows]) + `\n\nRead it as physics: npde inspect ${opts.out}\n`);
      }),
    );
}
