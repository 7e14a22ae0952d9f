import { readFile } from 'node:fs/promises';
import { FileDataSourceSchema } from '../data/read-data.js';
import { ErrorCodes, ValidationError, describeValue, v, validate, PluginRefSchema, type ModelSpec, type PluginRef } from 'npde';

const positiveInt = v.pipe(v.number(), v.integer(), v.minValue(1));

/** Synthetic data from the demo's known heterogeneous ADR PDE. */
const AdrSourceSchema = v.strictObject({
  /** `adr`: generate the data. */
  source: v.literal('adr'),
  /** Grid sites of the generating PDE; must equal the model's field size (default 64). */
  sites: v.optional(positiveInt, 64),
  /** Number of input/output pairs (default 1000). */
  samples: v.optional(positiveInt, 1000),
  /** Relaxation steps of the generating model (default 8). */
  layers: v.optional(positiveInt, 8),
  /** ω of the generating model, in (0, 2] (default 0.5). */
  omega: v.optional(v.pipe(v.number(), v.gtValue(0), v.maxValue(2)), 0.5),
  /** Standard deviation of the white-noise inputs, > 0 (default 1). */
  inputStd: v.optional(v.pipe(v.number(), v.gtValue(0)), 1),
  /** Gaussian output noise as a fraction of the outputs' standard deviation, ≥ 0 (default 0). */
  noise: v.optional(v.pipe(v.number(), v.minValue(0)), 0),
  /** Integer seed of inputs and noise (default 1). */
  seed: v.optional(v.pipe(v.number(), v.integer()), 1),
});

/**
 * Schema of a `npde train` config file. The model spec itself is validated by
 * `NeuralPde.create` (errors under `model.`).
 */
export const TrainConfigSchema = v.strictObject({
  /** The model spec (a `ModelSpec`: one-block `{ field, layers, kernel, ... }` or composite `{ input, stages }`), validated by `NeuralPde.create`. */
  model: v.looseObject({}),
  /** Where the data comes from: `{ source: 'adr', ... }`, `{ source: 'file', x, y, labels? }` or `{ source: 'file', path }`. */
  data: v.variant('source', [AdrSourceSchema, FileDataSourceSchema]),
  /** Optimizer plugin ref (default: Adam, learning rate 0.02 halved every 60 steps). */
  optimizer: v.optional(PluginRefSchema, {
    /** The default optimizer's id. */
    id: '@npde/optimizers/adam',
    /** The default optimizer's options. */
    options: {
      /** Initial learning rate. */
      learningRate: 0.02,
      /** Factor applied every `decaySteps` steps. */
      decay: 0.5,
      /** Steps per `decay` factor. */
      decaySteps: 60,
    },
  }),
  /** How to train. */
  training: v.strictObject({
    /** Passes over the training data, an integer ≥ 1 (with `--resume`: the epoch to end at, counted from the start). */
    epochs: positiveInt,
    /** Loss: `mse` (default), `sse`, or `softmax-cross-entropy` (integer class labels as targets). */
    loss: v.optional(v.picklist(['mse', 'sse', 'softmax-cross-entropy']), 'mse'),
    /** Metrics logged per epoch beside the loss: `accuracy`, `mse`. */
    metrics: v.optional(v.array(v.picklist(['accuracy', 'mse']))),
    /** Samples per optimizer step (default: all, full batch). */
    batchSize: v.optional(positiveInt),
    /** Fraction in (0, 1) of the samples (the last ones) held out for validation. */
    validation: v.optional(v.pipe(v.number(), v.gtValue(0), v.ltValue(1))),
    /** Stop after this many seconds, > 0 (checked after each epoch). */
    timeLimit: v.optional(v.pipe(v.number(), v.gtValue(0))),
    /** Save a checkpoint every this many epochs under `<out>/checkpoints/`. */
    checkpointEvery: v.optional(positiveInt),
    /** Integer seed for batch shuffling (default 0). */
    seed: v.optional(v.pipe(v.number(), v.integer()), 0),
  }),
  /** Tensor backend, `wasm`, `cpu` or `cuda` (default `wasm`; `--backend` overrides it). */
  backend: v.optional(v.picklist(['wasm', 'cpu', 'cuda'])),
  /**
   * Plugin packages to import before the model is built, as with `--plugin`:
   * npm package names (looked up from the current directory) or paths
   * (relative to this config file). Nothing else in a config imports code.
   */
  plugins: v.optional(v.array(v.pipe(v.string(), v.minLength(1)))),
});

/** A validated training config. */
export type TrainConfig = Omit<v.InferOutput<typeof TrainConfigSchema>, 'model' | 'optimizer'> & {
  /** The model spec. */
  readonly model: ModelSpec;
  /** The optimizer, defaults applied. */
  readonly optimizer: PluginRef;
};

/** Read and validate a config file; errors name the file and the path of the bad value. */
export async function parseTrainConfig(file: string): Promise<TrainConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ValidationError(ErrorCodes.INVALID_SPEC, `cannot read config file ${file}`, {
      path: '(file)',
      expected: 'a readable JSON file',
      received: (err as NodeJS.ErrnoException).code ?? String(err),
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ValidationError(ErrorCodes.INVALID_SPEC, `config file ${file} is not valid JSON`, {
      path: '(file)',
      expected: 'JSON',
      received: (err as Error).message,
    });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ValidationError(ErrorCodes.INVALID_SPEC, 'config must be a JSON object', { path: '(root)', expected: 'an object', received: describeValue(json) });
  }
  return validate(TrainConfigSchema, json, { what: 'training config', code: ErrorCodes.INVALID_SPEC }) as unknown as TrainConfig;
}
