import { readFile } from 'node:fs/promises';
import { ErrorCodes, ValidationError, describeValue, v, validate, PluginRefSchema, type ModelSpec, type PluginRef } from 'npde';

const positiveInt = v.pipe(v.number(), v.integer(), v.minValue(1));

/** Synthetic data from the demo's known heterogeneous ADR PDE. */
const AdrSourceSchema = v.strictObject({
  source: v.literal('adr'),
  sites: v.optional(positiveInt, 64),
  samples: v.optional(positiveInt, 1000),
  layers: v.optional(positiveInt, 8),
  omega: v.optional(v.pipe(v.number(), v.gtValue(0), v.maxValue(2)), 0.5),
  inputStd: v.optional(v.pipe(v.number(), v.gtValue(0)), 1),
  noise: v.optional(v.pipe(v.number(), v.minValue(0)), 0),
  seed: v.optional(v.pipe(v.number(), v.integer()), 1),
});

/** Data from a JSON file `{ "x": number[][], "y": number[][] }` (path relative to the config file). */
const FileSourceSchema = v.strictObject({
  source: v.literal('file'),
  path: v.pipe(v.string(), v.minLength(1)),
});

/**
 * Schema of a `npde train` config file. The model spec itself is validated by
 * `NeuralPde.create` (errors under `model.`).
 */
export const TrainConfigSchema = v.strictObject({
  model: v.looseObject({}),
  data: v.variant('source', [AdrSourceSchema, FileSourceSchema]),
  optimizer: v.optional(PluginRefSchema, {
    id: '@npde/optimizers/adam',
    options: { learningRate: 0.02, decay: 0.5, decaySteps: 60 },
  }),
  training: v.strictObject({
    epochs: positiveInt,
    batchSize: v.optional(positiveInt),
    validation: v.optional(v.pipe(v.number(), v.gtValue(0), v.ltValue(1))),
    timeLimit: v.optional(v.pipe(v.number(), v.gtValue(0))),
    checkpointEvery: v.optional(positiveInt),
    seed: v.optional(v.pipe(v.number(), v.integer()), 0),
  }),
  backend: v.optional(v.picklist(['wasm', 'cpu', 'cuda'])),
});

/** A validated training config. */
export type TrainConfig = Omit<v.InferOutput<typeof TrainConfigSchema>, 'model' | 'optimizer'> & {
  readonly model: ModelSpec;
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
