import { NeuralPde, Trainer, TrainingDivergedError, createDefaultRegistry, tf, type ModelSpec, type PluginRef, type Registry, type Tensor2D } from 'npde';
import { planRuns, selectShard, type Family, type RunKey, type Shard, type StudySettings } from './plan.js';
import { initialState, lightConeFloor, makeTarget, relativeDistance, type TargetName } from './targets.js';

/** The outcome of one run. */
export interface RunRow {
  /** Position in the unsharded run list. */
  readonly index: number;
  /** The model family. */
  readonly family: Family;
  /** The target class. */
  readonly target: TargetName;
  /** Depth L. */
  readonly layers: number;
  /** Seed of the model's initialization. */
  readonly seed: number;
  /** Trainable parameters (3, 3N, 3NL or L·N²). */
  readonly params: number;
  /** Final relative distance ‖z_L − y‖ / ‖y‖ of the best weights seen; null when training diverged to non-finite states. */
  readonly distance: number | null;
  /** The light-cone floor: no ADR model of this depth gets below it (0 for dense). */
  readonly floor: number;
  /** Relative distance before training (the initialized model). */
  readonly initialDistance: number;
  /** Adam steps taken. */
  readonly epochs: number;
  /** `ok`, or `diverged` when the loss went non-finite (the best weights before that are reported). */
  readonly status: 'ok' | 'diverged';
  /** Wall-clock seconds of the run (the only number that differs between repeats). */
  readonly seconds: number;
  /** The reached state z_L, one value per site. */
  readonly reached: readonly number[];
}

/** A study's output: its settings, the slice it ran, and one row per run. */
export interface StudyResult {
  /** Format version of `results.json`. */
  readonly version: 1;
  /** The settings that fix the numbers. */
  readonly settings: StudySettings;
  /** The tfjs backend that ran it (different backends round differently). */
  readonly backend: string;
  /** The shards this result holds (one for a shard run; all of them after a merge; `[{index: 0, count: 1}]` unsharded). */
  readonly shards: readonly Shard[];
  /** Runs of the whole study (across shards). */
  readonly totalRuns: number;
  /** Wall-clock seconds of the runs this result holds, summed. */
  readonly seconds: number;
  /** The initial state z₀. */
  readonly initial: readonly number[];
  /** Every target field by class. */
  readonly targets: Readonly<Partial<Record<TargetName, readonly number[]>>>;
  /** Rows in run-index order. */
  readonly rows: readonly RunRow[];
}

/** Progress of a study, for the command's output. */
export type StudyEvent =
  | {
      /** A run is about to start. */
      readonly type: 'run:start';
      /** The run. */
      readonly run: RunKey;
      /** 1-based position within this process's slice. */
      readonly position: number;
      /** Runs in this process's slice. */
      readonly of: number;
    }
  | {
      /** A run finished. */
      readonly type: 'run:end';
      /** Its row. */
      readonly row: RunRow;
      /** 1-based position within this process's slice. */
      readonly position: number;
      /** Runs in this process's slice. */
      readonly of: number;
    };

/** Options of {@link runStudy}. */
export interface RunStudyOptions {
  /** The slice to run (default: everything). */
  readonly shard?: Shard;
  /** Backend name or fallback order (default `wasm`). */
  readonly backend?: string | readonly string[];
  /** Registry (default: a fresh default registry). */
  readonly registry?: Registry;
  /** Called before and after each run. */
  readonly onEvent?: (e: StudyEvent) => void;
}

function kernelFor(family: Family): PluginRef {
  if (family === 'dense') return { id: '@npde/kernels/dense', options: { init: 'identity', noise: 0.01 } };
  return { id: '@npde/kernels/adr', options: { family, boundary: 'periodic', dx: 1, init: { U: 0, D: 0.1, R: 0, noise: 0.01 } } };
}

/** The model spec of one run: one relaxation block, tanh, no bias, periodic ring of N sites. */
export function runSpec(s: StudySettings, run: RunKey): ModelSpec {
  return {
    field: { shape: [s.sites] },
    layers: run.layers,
    activation: '@npde/activations/tanh',
    omega: s.omega,
    kernel: kernelFor(run.family),
    seed: run.seed,
  };
}

function stateOf(model: NeuralPde, x: Tensor2D): number[] {
  const z = model.predict(x);
  try {
    return Array.from(z.dataSync());
  } finally {
    z.dispose();
  }
}

/**
 * Train one run: the family's model of depth L, from its seeded
 * initialization, by full-batch Adam on ‖z_L − y‖² (the trainer's MSE) with
 * the single sample (z₀, y), keeping the best weights seen.
 */
export async function runOne(s: StudySettings, run: RunKey, registry: Registry): Promise<RunRow> {
  const t0 = performance.now();
  const y = makeTarget(run.target, s.sites, s.seed);
  const model = NeuralPde.create(runSpec(s, run), { registry });
  const x = tf.tensor2d([initialState(s.sites)]);
  const yt = tf.tensor2d([y]);
  try {
    const initialDistance = relativeDistance(stateOf(model, x), y);
    const lr = run.family === 'dense' ? s.denseLearningRate : s.adrLearningRate;
    let status: RunRow['status'] = 'ok';
    let epochs = s.epochs;
    try {
      const fit = await new Trainer({ registry }).fit(model, { x, y: yt }, { optimizer: { id: '@npde/optimizers/adam', options: { learningRate: lr } }, epochs: s.epochs, keepBest: true });
      epochs = fit.epochs;
    } catch (err) {
      if (!(err instanceof TrainingDivergedError)) throw err;
      status = 'diverged';
      epochs = err.epoch;
    }
    const reached = stateOf(model, x);
    const d = relativeDistance(reached, y);
    return {
      index: run.index,
      family: run.family,
      target: run.target,
      layers: run.layers,
      seed: run.seed,
      params: model.paramCount,
      distance: Number.isFinite(d) ? d : null,
      floor: run.family === 'dense' ? 0 : lightConeFloor(y, run.layers),
      initialDistance,
      epochs,
      status,
      seconds: (performance.now() - t0) / 1000,
      reached,
    };
  } finally {
    tf.dispose([x, yt]);
    model.dispose();
  }
}

/**
 * Run a reachability study (or one shard of it): every run is independent
 * and deterministic given the settings, so shards run anywhere, in any order,
 * and {@link mergeResults} joins them into what one unsharded run gives.
 */
export async function runStudy(settings: StudySettings, options: RunStudyOptions = {}): Promise<StudyResult> {
  const shard = options.shard ?? { index: 0, count: 1 };
  const registry = options.registry ?? createDefaultRegistry();
  const report = await registry.ready({ backend: options.backend ?? 'wasm' });
  const all = planRuns(settings);
  const mine = selectShard(all, shard);
  const rows: RunRow[] = [];
  for (const [i, run] of mine.entries()) {
    options.onEvent?.({ type: 'run:start', run, position: i + 1, of: mine.length });
    const row = await runOne(settings, run, registry);
    rows.push(row);
    options.onEvent?.({ type: 'run:end', row, position: i + 1, of: mine.length });
  }
  return {
    version: 1,
    settings,
    backend: report.name,
    shards: [shard],
    totalRuns: all.length,
    seconds: rows.reduce((t, r) => t + r.seconds, 0),
    initial: initialState(settings.sites),
    targets: Object.fromEntries(settings.targets.map((t) => [t, makeTarget(t, settings.sites, settings.seed)])),
    rows,
  };
}
