import { ErrorCodes, ModelFileError, ValidationError, describeValue } from '../errors/errors.js';
import { tf, type Tensor } from '../tensor/tf.js';
import type { BestSeen } from './best-weights.js';
import type { Logs } from './callbacks.js';
import { historyFrom, recordEpoch, type FitHistory } from './history.js';

/** Format tag of a checkpoint's JSON. */
export const CHECKPOINT_FORMAT = 'npde-checkpoint';
/** Format version written; checkpoints from a newer version are refused. */
export const CHECKPOINT_FORMAT_VERSION = 1;

/**
 * What must be the same for a resumed fit to continue the one that wrote the
 * checkpoint: the batches (seed, batch size, shuffling, sample counts), the
 * loss, the optimizer, and the model's parameters. `epochs`, limits and
 * callbacks may differ.
 */
export interface FitSettings {
  /** Shuffling seed. */
  readonly seed: number;
  /** Samples per step. */
  readonly batchSize: number;
  /** Whether batches are shuffled. */
  readonly shuffle: boolean;
  /** Training samples. */
  readonly samples: number;
  /** Validation samples. */
  readonly validationSamples: number;
  /** Name of the loss. */
  readonly loss: string;
  /** The optimizer's id and validated options, or `'(instance)'` for an optimizer passed as an instance. */
  readonly optimizer: unknown;
  /** The trainable parameters, as `name[shape]`, in optimizer order. */
  readonly parameters: readonly string[];
  /** Whether the best weights are kept. */
  readonly keepBest: boolean;
}

/** The JSON half of a {@link Checkpoint}: where training stood, and a manifest of the tensors in `weightData`. */
export interface CheckpointJson {
  /** Always {@link CHECKPOINT_FORMAT}. */
  readonly format: typeof CHECKPOINT_FORMAT;
  /** {@link CHECKPOINT_FORMAT_VERSION} of the writer. */
  readonly formatVersion: number;
  /** Id of the fit that wrote it. */
  readonly fitId: string;
  /** Epochs completed; a resumed fit starts at `epoch + 1`. */
  readonly epoch: number;
  /** Optimizer steps taken (the next step's `problem.iteration`). */
  readonly iteration: number;
  /** The first epoch's loss, the yardstick of the divergence test (null before any epoch). */
  readonly firstLoss: number | null;
  /** The best weights so far (stored in `weightData` under `best/`), or null. */
  readonly best: BestSeen | null;
  /** Each epoch's logs, epoch 1 first (non-finite numbers are stored as null). */
  readonly logs: readonly Readonly<Record<string, number | null>>[];
  /** The settings the fit ran with. */
  readonly settings: FitSettings;
  /** A hash of `settings` (FNV-1a of their canonical JSON), to tell checkpoints apart at a glance. */
  readonly settingsHash: string;
  /** tfjs weights manifest of `weightData`: `model/<param>`, `optimizer/<key>`, `best/<param>`. */
  readonly weightSpecs: readonly tf.io.WeightsManifestEntry[];
}

/**
 * A checkpoint of a fit, as plain data: where training stood (epoch, step
 * count, history, best-so-far, settings) and every tensor it needs to go on
 * (the model's weights, the optimizer's state, the best weights) encoded with
 * `tf.io.encodeWeights` in one buffer. Holds no tensors, so it can be kept,
 * copied or stored anywhere.
 */
export interface Checkpoint {
  /** Where training stood, and the manifest of `weightData`. */
  readonly json: CheckpointJson;
  /** The tensors, in `json.weightSpecs` order (tfjs's weights layout). */
  readonly weightData: ArrayBuffer;
}

/**
 * Where a fit keeps its latest checkpoint. `save` replaces what was there;
 * `load` returns the latest, or `undefined` when none was saved. Core offers
 * {@link memoryCheckpointStore}; `@npde/core/node` offers a directory store.
 *
 * @example
 * ```ts
 * const store = memoryCheckpointStore();
 * await trainer.fit(model, data, { optimizer, epochs: 3, checkpoint: { store } });
 * await trainer.fit(fresh, data, { optimizer, epochs: 6, resume: store });
 * ```
 */
export interface CheckpointStore {
  /** Save `checkpoint` as the latest, atomically (a reader sees the old or the new one). */
  save(checkpoint: Checkpoint): Promise<void>;
  /** The latest checkpoint, or `undefined` if none was saved. */
  load(): Promise<Checkpoint | undefined>;
  /** Where it stores, for messages (a directory, `memory`). */
  readonly describe?: string;
}

/** A {@link CheckpointStore} in memory; see {@link memoryCheckpointStore}. */
export interface MemoryCheckpointStore extends CheckpointStore {
  /** The latest checkpoint (a copy), or `undefined`. */
  readonly checkpoint: Checkpoint | undefined;
}

/**
 * A {@link CheckpointStore} that keeps the latest checkpoint in memory, copied
 * on save and on load as a file would be. Browser-safe.
 */
export function memoryCheckpointStore(): MemoryCheckpointStore {
  let latest: Checkpoint | undefined;
  const copy = (c: Checkpoint): Checkpoint => ({ json: JSON.parse(JSON.stringify(c.json)) as CheckpointJson, weightData: c.weightData.slice(0) });
  return {
    describe: 'memory',
    get checkpoint() {
      return latest && copy(latest);
    },
    async save(c) {
      latest = copy(c);
    },
    async load() {
      return latest && copy(latest);
    },
  };
}

/** Everything a checkpoint holds, with live tensors (the caller owns them). @internal */
export interface CheckpointParts {
  /** Id of the fit writing it. */
  readonly fitId: string;
  /** Epochs completed. */
  readonly epoch: number;
  /** Optimizer steps taken. */
  readonly iteration: number;
  /** The first epoch's loss (the divergence yardstick). */
  readonly firstLoss: number | undefined;
  /** Per-epoch record so far. */
  readonly history: FitHistory;
  /** The settings a resume must match. */
  readonly settings: FitSettings;
  /** The model's weights by parameter name. */
  readonly weights: Readonly<Record<string, Tensor>>;
  /** `optimizer.getState(variables)`. */
  readonly optimizerState: Readonly<Record<string, Tensor>>;
  /** The best weights so far, with their epoch, loss and monitor. */
  readonly best: { readonly epoch: number; readonly loss: number; readonly monitor: 'val_loss' | 'loss'; readonly weights: Readonly<Record<string, Tensor>> } | undefined;
}

const prefixed = (prefix: string, named: Readonly<Record<string, Tensor>>) => Object.entries(named).map(([k, t]) => ({ name: `${prefix}/${k}`, tensor: t }));

/** Serialize checkpoint parts (the tensors stay the caller's). @internal */
export async function encodeCheckpoint(parts: CheckpointParts): Promise<Checkpoint> {
  const { data, specs } = await tf.io.encodeWeights([
    ...prefixed('model', parts.weights),
    ...prefixed('optimizer', parts.optimizerState),
    ...(parts.best ? prefixed('best', parts.best.weights) : []),
  ]);
  const json: CheckpointJson = {
    format: CHECKPOINT_FORMAT,
    formatVersion: CHECKPOINT_FORMAT_VERSION,
    fitId: parts.fitId,
    epoch: parts.epoch,
    iteration: parts.iteration,
    firstLoss: parts.firstLoss ?? null,
    best: parts.best ? { epoch: parts.best.epoch, loss: parts.best.loss, monitor: parts.best.monitor } : null,
    logs: parts.history.logs.map((l) => Object.fromEntries(Object.entries(l).map(([k, v]) => [k, Number.isFinite(v) ? v : null]))),
    settings: parts.settings,
    settingsHash: settingsHash(parts.settings),
    weightSpecs: specs,
  };
  return { json, weightData: data };
}

/** A decoded checkpoint: its JSON, history, and tensors grouped (the caller disposes them). @internal */
export interface DecodedCheckpoint {
  /** The checked JSON. */
  readonly json: CheckpointJson;
  /** The history, rebuilt from the logs. */
  readonly history: FitHistory;
  /** The model's weights by parameter name. */
  readonly weights: Record<string, Tensor>;
  /** The optimizer's state, for `setState`. */
  readonly optimizerState: Record<string, Tensor>;
  /** The best weights, when the checkpoint has them. */
  readonly bestWeights: Record<string, Tensor> | undefined;
}

/**
 * Check and decode a checkpoint, where `path` names it in errors.
 *
 * @throws `ModelFileError` (`INVALID_MODEL_FILE`) for a damaged checkpoint or one from a newer npde.
 * @internal
 */
export function decodeCheckpoint(c: Checkpoint, path: string): DecodedCheckpoint {
  const json = checkCheckpointJson(c?.json, path);
  const bytes = json.weightSpecs.reduce((n, s) => n + 4 * s.shape.reduce((a, b) => a * b, 1), 0);
  if (!(c.weightData instanceof ArrayBuffer) || c.weightData.byteLength !== bytes) {
    throw new ModelFileError(ErrorCodes.INVALID_MODEL_FILE, 'checkpoint weights have the wrong size', {
      path,
      expected: `${bytes} bytes, as its manifest says`,
      received: c.weightData instanceof ArrayBuffer ? `${c.weightData.byteLength} bytes` : describeValue(c.weightData),
      hint: 'The checkpoint is truncated or its two parts come from different saves.',
    });
  }
  const all = tf.io.decodeWeights(c.weightData, [...json.weightSpecs]) as Record<string, Tensor>;
  const group = (prefix: string) => {
    const out: Record<string, Tensor> = {};
    for (const [k, t] of Object.entries(all)) if (k.startsWith(`${prefix}/`)) out[k.slice(prefix.length + 1)] = t;
    return out;
  };
  const history = historyFrom();
  for (const l of json.logs) recordEpoch(history, Object.fromEntries(Object.entries(l).map(([k, v]) => [k, v ?? NaN])) as Logs);
  return { json, history, weights: group('model'), optimizerState: group('optimizer'), bestWeights: json.best ? group('best') : undefined };
}

function checkCheckpointJson(json: unknown, path: string): CheckpointJson {
  const j = json as Partial<CheckpointJson> | undefined;
  const bad = (what: string, expected: string, received: unknown) =>
    new ModelFileError(ErrorCodes.INVALID_MODEL_FILE, `not a usable checkpoint: ${what}`, { path, expected, received: describeValue(received) });
  if (j?.format !== CHECKPOINT_FORMAT) throw bad('wrong format tag', `"${CHECKPOINT_FORMAT}"`, j?.format);
  if (typeof j.formatVersion !== 'number' || j.formatVersion > CHECKPOINT_FORMAT_VERSION) {
    throw bad('from a newer npde', `formatVersion ≤ ${CHECKPOINT_FORMAT_VERSION}`, j.formatVersion);
  }
  if (!Number.isInteger(j.epoch) || !Number.isInteger(j.iteration) || !Array.isArray(j.logs) || !Array.isArray(j.weightSpecs) || typeof j.settings !== 'object') {
    throw bad('missing fields', 'epoch, iteration, logs, settings and weightSpecs', Object.keys(j));
  }
  return j as CheckpointJson;
}

/**
 * Throw unless `current` settings equal the checkpoint's, naming each that differs.
 *
 * @throws `ValidationError` (`INVALID_SPEC`, path `resume`).
 * @internal
 */
export function checkSameSettings(saved: FitSettings, current: FitSettings): void {
  if (settingsHash(saved) === settingsHash(current)) return;
  const keys = Object.keys(current) as (keyof FitSettings)[];
  const differ = keys.filter((k) => canonicalJson(saved[k]) !== canonicalJson(current[k]));
  throw new ValidationError(ErrorCodes.INVALID_SPEC, 'the checkpoint was written by a fit with other settings', {
    path: 'resume',
    expected: differ.map((k) => `${k} = ${canonicalJson(saved[k])}`).join('; '),
    received: differ.map((k) => `${k} = ${canonicalJson(current[k])}`).join('; '),
    hint: 'Resume with the data, model, loss, optimizer, batch size, shuffling, seed and keepBest of the interrupted fit.',
  });
}

/** FNV-1a (32-bit, hex) of the canonical JSON of `settings`. @internal */
export function settingsHash(settings: FitSettings): string {
  let h = 0x811c9dc5;
  for (const ch of canonicalJson(settings)) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** JSON with object keys sorted, so equal values give equal text. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  ) ?? 'undefined';
}
