import { ErrorCodes, ValidationError } from 'npde';
import { TARGET_NAMES, type TargetName } from './targets.js';

/** The model families the study compares: the three ADR families of theory §6 and an unconstrained dense kernel. */
export const FAMILIES = ['homogeneous', 'heterogeneous', 'time-dependent', 'dense'] as const;

/** One of {@link FAMILIES}. */
export type Family = (typeof FAMILIES)[number];

/** Everything that fixes a study's numbers: two studies with equal settings give equal rows. */
export interface StudySettings {
  /** Grid sites N. */
  readonly sites: number;
  /** Depths L (relaxation steps) to try. */
  readonly depths: readonly number[];
  /** Families to train. */
  readonly families: readonly Family[];
  /** Target classes to aim at. */
  readonly targets: readonly TargetName[];
  /** Full-batch Adam steps per run. */
  readonly epochs: number;
  /** Adam learning rate of the ADR families. */
  readonly adrLearningRate: number;
  /** Adam learning rate of the dense family. */
  readonly denseLearningRate: number;
  /** ω of every model (1: the ordinary layer update z ← f(W z)). */
  readonly omega: number;
  /** Seed of the random targets and of every model's initialization. */
  readonly seed: number;
}

/** Named study sizes of `npde study reachability --size`. */
export const STUDY_SIZES = {
  /** The full study: N = 32, L ∈ {4, 16, 64}, 72 runs of 250 Adam steps (about 10 CPU-minutes on one core, wasm; see docs/study.md). */
  default: { sites: 32, depths: [4, 16, 64], epochs: 250 },
  /** For a first look: N = 32, L ∈ {4, 16}, 48 runs of 120 Adam steps (no L = 64, so a small fraction of the default cost). */
  quick: { sites: 32, depths: [4, 16], epochs: 120 },
} as const satisfies Record<string, Pick<StudySettings, 'sites' | 'depths' | 'epochs'>>;

/** A name of {@link STUDY_SIZES}. */
export type StudySize = keyof typeof STUDY_SIZES;

/** The settings of a named size with the given seed (everything else at the study's defaults). */
export function settingsFor(size: StudySize, seed = 1): StudySettings {
  const s = STUDY_SIZES[size];
  return {
    sites: s.sites,
    depths: [...s.depths],
    families: [...FAMILIES],
    targets: [...TARGET_NAMES],
    epochs: s.epochs,
    adrLearningRate: 0.03,
    denseLearningRate: 0.003,
    omega: 1,
    seed,
  };
}

/** One independent run: a family trained to send z₀ to one target at one depth. */
export interface RunKey {
  /** Position in the study's run list (the unsharded order). */
  readonly index: number;
  /** The model family. */
  readonly family: Family;
  /** The target class. */
  readonly target: TargetName;
  /** Depth L. */
  readonly layers: number;
  /** Seed of the model's initialization, a function of (study seed, family, target, L) only. */
  readonly seed: number;
}

/** A stable 31-bit hash of a string (FNV-1a), for per-run seeds. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h & 0x7fffffff;
}

/** Every run of the study, in table order (target, then depth, then family). */
export function planRuns(s: StudySettings): RunKey[] {
  const runs: RunKey[] = [];
  for (const target of s.targets) {
    for (const layers of s.depths) {
      for (const family of s.families) {
        runs.push({ index: runs.length, family, target, layers, seed: hash(`${s.seed}/${family}/${target}/${layers}`) % 1_000_000 });
      }
    }
  }
  return runs;
}

/** Which slice of the runs a process does: shard `index` (0-based) of `count`. */
export interface Shard {
  /** 0-based shard index, < count. */
  readonly index: number;
  /** Number of shards, ≥ 1. */
  readonly count: number;
}

/** The runs of one shard: every `count`-th run from `index` on (round-robin, so slow and fast runs spread evenly). */
export function selectShard<T extends { readonly index: number }>(runs: readonly T[], shard: Shard): T[] {
  return runs.filter((r) => r.index % shard.count === shard.index);
}

/** Environment variables `--shard auto` reads (a subset of `process.env`). */
export type ShardEnv = Readonly<Record<string, string | undefined>>;

function badShard(received: string, hint: string): ValidationError {
  return new ValidationError(ErrorCodes.INVALID_OPTIONS, 'invalid --shard', {
    path: 'shard',
    expected: 'k/n with 1 ≤ k ≤ n (1-based), auto, or auto/n',
    received: JSON.stringify(received),
    hint,
  });
}

function nonNegativeInt(v: string | undefined): number | undefined {
  if (v === undefined || !/^\d+$/.test(v.trim())) return undefined;
  return Number(v);
}

/**
 * Parse `--shard`: `k/n` (1-based, like `npde study reachability --shard 2/4`),
 * or `auto` / `auto/n`, which reads the index a batch scheduler gives each
 * task of an array job:
 *
 * - Slurm job arrays: `SLURM_ARRAY_TASK_ID` minus `SLURM_ARRAY_TASK_MIN`
 *   (default 0); the count from `n`, else `SLURM_ARRAY_TASK_COUNT`.
 * - Kubernetes indexed Jobs: `JOB_COMPLETION_INDEX` (0-based); the count from
 *   `n`, else `NPDE_SHARD_COUNT` (set it to the Job's `completions`).
 *
 * @throws `ValidationError` (`INVALID_OPTIONS`) naming what is missing.
 */
export function parseShard(text: string, env: ShardEnv = {}): Shard {
  const t = text.trim();
  const auto = /^auto(?:\/(\d+))?$/.exec(t);
  if (auto) {
    const slurm = nonNegativeInt(env['SLURM_ARRAY_TASK_ID']);
    const k8s = nonNegativeInt(env['JOB_COMPLETION_INDEX']);
    let index: number | undefined;
    let count = auto[1] !== undefined ? Number(auto[1]) : undefined;
    if (slurm !== undefined) {
      index = slurm - (nonNegativeInt(env['SLURM_ARRAY_TASK_MIN']) ?? 0);
      count ??= nonNegativeInt(env['SLURM_ARRAY_TASK_COUNT']);
    } else if (k8s !== undefined) {
      index = k8s;
      count ??= nonNegativeInt(env['NPDE_SHARD_COUNT']);
    }
    if (index === undefined) {
      throw badShard(t, 'auto needs SLURM_ARRAY_TASK_ID (Slurm array) or JOB_COMPLETION_INDEX (Kubernetes indexed Job) in the environment; outside a scheduler use k/n.');
    }
    if (count === undefined) {
      throw badShard(t, 'auto could not find the shard count: write auto/n, or set SLURM_ARRAY_TASK_COUNT (Slurm) or NPDE_SHARD_COUNT (Kubernetes).');
    }
    if (!(count >= 1) || index < 0 || index >= count) {
      throw badShard(`${t} (index ${index} of ${count})`, 'The scheduler index must be below the shard count; for Slurm start the array at 0 or 1 and keep --array contiguous.');
    }
    return { index, count };
  }
  const m = /^(\d+)\/(\d+)$/.exec(t);
  if (!m) throw badShard(t, 'Write the shard as k/n, e.g. 2/4 for the second of four slices.');
  const k = Number(m[1]);
  const n = Number(m[2]);
  if (n < 1 || k < 1 || k > n) throw badShard(t, 'k counts from 1 and must not exceed n.');
  return { index: k - 1, count: n };
}

/** `k/n` (1-based) for a shard, as written on the command line. */
export function formatShard(s: Shard): string {
  return `${s.index + 1}/${s.count}`;
}
