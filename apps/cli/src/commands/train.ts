import * as path from 'node:path';
import type { Command } from 'commander';
import {
  ErrorCodes,
  NeuralPde,
  ShapeError,
  Trainer,
  saveModel,
  tf,
  type Registry,
} from 'npde';
import { fileCheckpointStore, writeFileAtomic } from '@npde/core/node';
import { readDataset } from '../data/read-data.js';
import { parseTrainConfig, type TrainConfig } from '../config/train-config.js';
import { generateAdrData } from '../demo/adr-data.js';
import { relL2, type AdrProfiles } from '../demo/profiles.js';
import { showProgress } from '../ui/progress.js';
import { num, pct, table } from '../ui/table.js';
import { BACKENDS, parseBackends, runAction } from './shared.js';
import { PLUGIN_OPTION_HELP, collectPlugin, pluginFlags, pluginRequests, registryWithPlugins, withPluginHint } from '../plugins/index.js';

type Tensorish = tf.Tensor | number[][];

async function loadData(
  config: TrainConfig,
  configFile: string,
  registry: Registry,
  model: NeuralPde,
): Promise<{ x: Tensorish; y: Tensorish; truth?: AdrProfiles }> {
  const d = config.data;
  if (d.source === 'adr') {
    const blocks = model.blocks;
    const oneBlock = model.stages.length === 1 && blocks.length === 1;
    const sites = model.input.size;
    if (oneBlock && d.sites !== sites) {
      throw new ShapeError(ErrorCodes.SHAPE_MISMATCH, 'the model field does not match the data', {
        path: 'model.field.shape',
        expected: `[${d.sites}] (data.sites)`,
        received: `${sites} sites`,
        hint: 'Make model.field.shape and data.sites agree.',
      });
    }
    const data = generateAdrData({ ...d, registry });
    data.truthModel.dispose();
    return { x: data.x, y: data.y, ...(oneBlock ? { truth: data.truth } : {}) };
  }
  const ds = await readDataset(d, path.dirname(path.resolve(configFile)));
  const x = tf.tensor(ds.x.data, ds.x.shape, 'float32');
  const y = tf.tensor(ds.y.data, ds.y.shape, ds.y.dtype);
  return { x, y };
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
    .option('--resume', 'continue the run in --out from its latest checkpoint (<out>/checkpoints) up to training.epochs')
    .option('--plugin <package>', PLUGIN_OPTION_HELP + ' (adds to the config\'s "plugins" list)', collectPlugin, [])
    .action(async (configFile: string, opts: { out: string; backend?: string[]; json?: boolean; resume?: boolean; plugin: string[] }) =>
      runAction(Boolean(opts.json), withPluginHint(async () => {
        const config = await parseTrainConfig(configFile);
        const { registry, loaded } = await registryWithPlugins(pluginRequests(opts.plugin, config.plugins, configFile));
        const model = NeuralPde.create(config.model, { registry, path: 'model' });
        const report = await registry.ready({ backend: opts.backend ?? config.backend ?? 'wasm' });
        const data = await loadData(config, configFile, registry, model);
        const trainer = new Trainer({ registry });
        const stop = showProgress(trainer.events$, 'train', !opts.json);
        const store = fileCheckpointStore(path.join(opts.out, 'checkpoints'));
        const every = config.training.checkpointEvery;
        let fit;
        try {
          fit = await trainer.fit(model, data as { x: tf.Tensor2D; y: tf.Tensor2D }, {
            optimizer: config.optimizer,
            loss: config.training.loss,
            ...(config.training.metrics ? { metrics: config.training.metrics } : {}),
            epochs: config.training.epochs,
            batchSize: config.training.batchSize,
            validation: config.training.validation,
            timeLimit: config.training.timeLimit,
            seed: config.training.seed,
            ...(every ? { checkpoint: { store, every } } : {}),
            ...(opts.resume ? { resume: store } : {}),
          });
        } finally {
          stop();
          for (const t of [data.x, data.y]) if (t instanceof tf.Tensor) t.dispose();
        }
        const metrics = Object.fromEntries(Object.entries(fit.logs).filter(([k]) => k !== 'loss' && k !== 'val_loss'));
        const physics = model.blocks.length === 1 ? (model.blocks[0]!.kernel.physics?.() ?? []) : [];
        const learned = Object.fromEntries(physics.map((q) => [q.name, q.values[0] ?? []]));
        const relErr = data.truth && ['U', 'D', 'R'].every((k) => k in learned)
          ? { U: relL2(learned['U']!, data.truth.U), D: relL2(learned['D']!, data.truth.D), R: relL2(learned['R']!, data.truth.R) }
          : undefined;
        const summary = {
          backend: report.name,
          out: opts.out,
          epochs: fit.epochs,
          initialEpoch: fit.initialEpoch,
          loss: config.training.loss,
          finalLoss: fit.loss,
          valLoss: fit.valLoss ?? null,
          seconds: fit.seconds,
          reason: fit.reason,
          restoredBest: fit.restoredBest,
          best: fit.best ?? null,
          params: model.paramCount,
          metrics,
          ...(relErr ? { relErr } : {}),
        };
        await saveModel(model, opts.out, { metadata: { report: summary, config } });
        await writeFileAtomic(path.join(opts.out, 'report.json'), JSON.stringify(summary, null, 2) + '\n');
        const hasBlocks = model.blocks.length > 0;
        model.dispose();
        if (opts.json) {
          process.stdout.write(JSON.stringify(summary) + '\n');
          return;
        }
        const rows = [
          ['backend', report.name],
          ['epochs', `${fit.epochs} (${fit.reason}${fit.initialEpoch ? `, resumed after ${fit.initialEpoch}` : ''})`],
          ['final loss', num(fit.loss)],
          ...(fit.valLoss !== undefined ? [['validation loss', num(fit.valLoss)]] : []),
          ...Object.entries(metrics).map(([k, m]) => [k, num(m)]),
          ['parameters', String(summary.params)],
          ['time', `${fit.seconds.toFixed(1)} s`],
          ...(relErr ? [['rel. L2 error U / D / R', `${pct(relErr.U)} / ${pct(relErr.D)} / ${pct(relErr.R)}`]] : []),
          ['saved to', opts.out],
        ];
        process.stdout.write(table([['training report', ''], ...rows]) + (hasBlocks ? `\n\nRead it as physics: npde inspect ${opts.out}${pluginFlags(loaded)}\n` : `\n\nInspect it: npde inspect ${opts.out}${pluginFlags(loaded)}\n`));
      }, true)),
    );
}
