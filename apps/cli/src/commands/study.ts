import { InvalidArgumentError, type Command } from 'commander';
import { FAMILIES, formatShard, parseShard, settingsFor, STUDY_SIZES, type StudySettings, type StudySize } from '../study/plan.js';
import { mergeResults, readStudy, verdict, writeStudy } from '../study/report.js';
import { runStudy, type StudyEvent, type StudyResult } from '../study/run.js';
import { TARGET_NAMES } from '../study/targets.js';
import { table } from '../ui/table.js';
import { addBackendOption, parseInteger, runAction } from './shared.js';

function parseSize(v: string): StudySize {
  if (!(v in STUDY_SIZES)) throw new InvalidArgumentError(`--size: expected one of ${Object.keys(STUDY_SIZES).join(', ')}, got '${v}'`);
  return v as StudySize;
}

/** Parser for a comma-separated list of names from `allowed` (no repeats, kept in `allowed`'s order so the run list stays stable). */
function parseNames<T extends string>(flag: string, allowed: readonly T[]): (v: string) => T[] {
  return (v) => {
    const names = v.split(',').map((s) => s.trim()).filter(Boolean);
    const bad = names.find((n) => !(allowed as readonly string[]).includes(n));
    if (!names.length || bad !== undefined) throw new InvalidArgumentError(`${flag}: expected a comma-separated list of ${allowed.join(', ')}, got '${bad ?? v}'`);
    return allowed.filter((a) => names.includes(a));
  };
}

/** Parser for `--depths`: comma-separated integers in [1, 4096], sorted, no repeats. */
function parseDepths(v: string): number[] {
  const parts = v.split(',').map((s) => s.trim()).filter(Boolean);
  const xs = parts.map(Number);
  if (!parts.length || xs.some((x) => !Number.isInteger(x) || x < 1 || x > 4096)) {
    throw new InvalidArgumentError(`--depths: expected comma-separated integers in [1, 4096] such as 4,16,64, got '${v}'`);
  }
  return [...new Set(xs)].sort((a, b) => a - b);
}

/** What the shrink options of `npde study reachability` override in a named size. */
type Overrides = Partial<Pick<StudySettings, 'sites' | 'depths' | 'epochs' | 'targets' | 'families'>>;

/** The settings of a named size with the command line's shrink options (`--sites`, `--depths`, `--epochs`, `--targets`, `--families`) applied; options left out keep the size's values. */
export function studySettings(size: StudySize, seed: number, o: Overrides): StudySettings {
  const s = settingsFor(size, seed);
  return {
    ...s,
    ...(o.sites !== undefined ? { sites: o.sites } : {}),
    ...(o.depths !== undefined ? { depths: o.depths } : {}),
    ...(o.epochs !== undefined ? { epochs: o.epochs } : {}),
    ...(o.targets !== undefined ? { targets: o.targets } : {}),
    ...(o.families !== undefined ? { families: o.families } : {}),
  };
}

/** Progress lines on stderr: one per finished run, with the time left at the pace so far. */
function progress(enabled: boolean): (e: StudyEvent) => void {
  const t0 = performance.now();
  return (e) => {
    if (!enabled || e.type !== 'run:end') return;
    const r = e.row;
    const spent = (performance.now() - t0) / 1000;
    const left = (spent / e.position) * (e.of - e.position);
    const d = r.distance === null ? 'n/a' : r.distance.toFixed(4);
    process.stderr.write(
      `[${String(e.position).padStart(String(e.of).length)}/${e.of}] ${r.target.padEnd(13)} L=${String(r.layers).padEnd(3)} ${r.family.padEnd(14)} ` +
        `distance ${d} ${verdict(r.distance)}  (${r.seconds.toFixed(1)} s; ~${Math.ceil(left)} s left)\n`,
    );
  };
}

/** The summary matrix for the terminal: a row per target and depth, a column per family. */
export function studySummary(r: StudyResult): string {
  const fams = r.settings.families;
  const rows: string[][] = [['target', 'L', 'cone floor', ...fams]];
  for (const t of r.settings.targets) {
    for (const L of r.settings.depths) {
      const cell = (f: string) => {
        const row = r.rows.find((x) => x.target === t && x.layers === L && x.family === f);
        return row ? `${row.distance === null ? 'n/a' : row.distance.toFixed(3)} ${verdict(row.distance)}` : '-';
      };
      const floor = r.rows.find((x) => x.target === t && x.layers === L && x.family !== 'dense')?.floor;
      if (fams.some((f) => cell(f) !== '-')) rows.push([t, String(L), floor === undefined ? '-' : floor.toFixed(3), ...fams.map(cell)]);
    }
  }
  return table(rows);
}

async function finish(dir: string, r: StudyResult, json: boolean): Promise<void> {
  const files = await writeStudy(dir, r);
  if (json) {
    process.stdout.write(JSON.stringify({ out: dir, runs: r.rows.length, totalRuns: r.totalRuns, seconds: r.seconds, files }) + '\n');
    return;
  }
  process.stdout.write(
    `${studySummary(r)}\n\n${r.rows.length} of ${r.totalRuns} runs, ${r.seconds.toFixed(1)} s of training; ` +
      `distances are ‖z_L − y‖/‖y‖ (✓ ≤ 0.05, ≈ ≤ 0.2).\nwrote ${files.length} files to ${dir} (results.json, reachability.md, plots/*.svg)\n`,
  );
}

/** `npde study`: reproducible studies made of independent runs that shard across machines. */
export function registerStudy(program: Command): void {
  const study = program.command('study').description('reproducible studies: sets of independent, seeded runs that can be sharded and merged');

  const reach = study
    .command('reachability')
    .description('which targets can the homogeneous, heterogeneous and time-dependent ADR families (and a dense baseline) reach from a seed state, at which depth (docs/study.md)')
    .option('--out <dir>', 'directory for results.json, reachability.md and plots/ (default: reachability, or reachability-shard-k-of-n)')
    .option('--shard <k/n|auto>', 'run slice k of n (1-based); auto reads SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX (auto/n gives the count)')
    .option('--size <name>', `study size: ${Object.keys(STUDY_SIZES).join(', ')}`, parseSize, 'default' as StudySize)
    .option('--seed <n>', 'seed of the random targets and of every initialization', parseInteger('--seed', 0), 1)
    .option('--epochs <n>', 'Adam steps per run (overrides --size)', parseInteger('--epochs', 1))
    .option('--depths <list>', 'depths L, comma-separated, e.g. 4,16 (overrides --size)', parseDepths)
    .option('--sites <n>', 'grid sites N (overrides --size)', parseInteger('--sites', 8))
    .option('--targets <list>', `target classes, comma-separated: ${TARGET_NAMES.join(', ')}`, parseNames('--targets', TARGET_NAMES))
    .option('--families <list>', `model families, comma-separated: ${FAMILIES.join(', ')}`, parseNames('--families', FAMILIES))
    .option('--json', 'print one JSON line instead of the summary');
  addBackendOption(reach, 'wasm');
  reach.action(async (opts: Overrides & { out?: string; shard?: string; size: StudySize; seed: number; json?: boolean; backend: string[] }) =>
    runAction(Boolean(opts.json), async () => {
      const shard = opts.shard === undefined ? undefined : parseShard(opts.shard, process.env);
      const settings = studySettings(opts.size, opts.seed, opts);
      const dir = opts.out ?? (shard && shard.count > 1 ? `reachability-shard-${shard.index + 1}-of-${shard.count}` : 'reachability');
      if (!opts.json) {
        process.stderr.write(
          `npde study reachability: N = ${settings.sites}, L ∈ {${settings.depths.join(', ')}}, ${settings.epochs} epochs, ` +
            `${settings.targets.length} targets × ${settings.families.length} families, seed ${settings.seed}${shard ? `, shard ${formatShard(shard)}` : ''}\n`,
        );
      }
      const r = await runStudy(settings, { ...(shard ? { shard } : {}), backend: opts.backend, onEvent: progress(!opts.json) });
      await finish(dir, r, Boolean(opts.json));
    }),
  );

  study
    .command('merge')
    .description('join the results of study shards (directories written by --out) into one table')
    .argument('<dirs...>', 'shard directories, each holding a results.json')
    .requiredOption('--out <dir>', 'directory for the merged results.json, reachability.md and plots/')
    .option('--partial', 'merge even when some runs are missing')
    .option('--json', 'print one JSON line instead of the summary')
    .action(async (dirs: string[], opts: { out: string; partial?: boolean; json?: boolean }) =>
      runAction(Boolean(opts.json), async () => {
        const results = await Promise.all(dirs.map((d) => readStudy(d)));
        await finish(opts.out, mergeResults(results, { partial: Boolean(opts.partial) }), Boolean(opts.json));
      }),
    );
}
