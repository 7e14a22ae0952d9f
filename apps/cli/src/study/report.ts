import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, ValidationError } from 'npde';
import { formatShard, type Family, type Shard } from './plan.js';
import type { RunRow, StudyResult } from './run.js';
import { targetPlotSvg } from './svg.js';
import { TARGET_DESCRIPTIONS, type TargetName } from './targets.js';

/** A run counts as having reached its target when its relative distance is at most this. */
export const REACHED = 0.05;
/** A run came close when its relative distance is at most this. */
export const CLOSE = 0.2;

/** The verdict mark of a distance: ✓ reached (≤ 5%), ≈ close (≤ 20%), ✗ not reached. */
export function verdict(d: number | null): '✓' | '≈' | '✗' {
  if (d === null) return '✗';
  return d <= REACHED ? '✓' : d <= CLOSE ? '≈' : '✗';
}

const PARAMS: Readonly<Record<Family, string>> = { homogeneous: '3', heterogeneous: '3N', 'time-dependent': '3NL', dense: 'LN²' };

const fmt = (x: number | null, digits = 3) => (x === null ? 'n/a' : x === 0 ? '0' : x < 1e-3 ? x.toExponential(1) : x.toFixed(digits));

/**
 * The study as markdown: the summary matrix (target × depth against family,
 * each cell the final relative distance with its verdict), then one row per
 * run with parameters, distances and seconds.
 */
export function studyMarkdown(r: StudyResult): string {
  const s = r.settings;
  const complete = r.rows.length === r.totalRuns;
  const out: string[] = [];
  out.push(
    `# Reachability study`,
    '',
    `N = ${s.sites} periodic sites, depths L ∈ {${s.depths.join(', ')}}, ω = ${s.omega}, f = tanh, no bias; ` +
      `${s.epochs} full-batch Adam steps per run (lr ${s.adrLearningRate} for ADR, ${s.denseLearningRate} for dense); seed ${s.seed}; backend ${r.backend}.`,
    `Runs: ${r.rows.length} of ${r.totalRuns}${complete ? '' : ' (partial: shards ' + r.shards.map(formatShard).join(', ') + ')'}; ${r.seconds.toFixed(1)} s of training in all.`,
    '',
    `Each cell: final relative distance ‖z_L − y‖/‖y‖ from the seed z₀ to the target y. ✓ ≤ ${REACHED}, ≈ ≤ ${CLOSE}, ✗ above. ` +
      `"cone floor" is the least distance any ADR model of that depth can reach (target mass outside the light cone of the seed).`,
    '',
  );
  const fams = s.families;
  out.push(`| target | L | cone floor | ${fams.map((f) => `${f} (${PARAMS[f]})`).join(' | ')} |`, `|---|---:|---:|${fams.map(() => '---:').join('|')}|`);
  for (const t of s.targets) {
    for (const L of s.depths) {
      const cells = fams.map((f) => {
        const row = r.rows.find((x) => x.target === t && x.layers === L && x.family === f);
        return row ? `${fmt(row.distance)} ${verdict(row.distance)}` : '–';
      });
      const any = r.rows.find((x) => x.target === t && x.layers === L && x.family !== 'dense');
      out.push(`| ${t} | ${L} | ${any ? fmt(any.floor) : '–'} | ${cells.join(' | ')} |`);
    }
  }
  out.push('', '## Targets', '');
  for (const t of s.targets) out.push(`- **${t}**: ${TARGET_DESCRIPTIONS[t]}`);
  out.push('', '## Runs', '', '| # | family | target | L | params | distance | initial distance | cone floor | epochs | status | seconds |', '|---:|---|---|---:|---:|---:|---:|---:|---:|---|---:|');
  for (const x of r.rows) {
    out.push(`| ${x.index} | ${x.family} | ${x.target} | ${x.layers} | ${x.params} | ${fmt(x.distance, 4)} | ${fmt(x.initialDistance, 4)} | ${fmt(x.floor, 4)} | ${x.epochs} | ${x.status} | ${x.seconds.toFixed(2)} |`);
  }
  return out.join('\n') + '\n';
}

/**
 * Write a study to `dir`: `results.json` (everything, the input of
 * `npde study merge`), `reachability.md` (the tables) and
 * `plots/<target>.svg` (targets against reached states). Returns the paths written.
 */
export async function writeStudy(dir: string, r: StudyResult): Promise<string[]> {
  await mkdir(join(dir, 'plots'), { recursive: true });
  const written: string[] = [];
  const put = async (name: string, text: string) => {
    const p = join(dir, name);
    await writeFile(p, text);
    written.push(p);
  };
  await put('results.json', JSON.stringify(r, null, 1) + '\n');
  await put('reachability.md', studyMarkdown(r));
  for (const t of r.settings.targets) {
    const rows = r.rows.filter((x) => x.target === t);
    const y = r.targets[t];
    if (!rows.length || !y) continue;
    await put(join('plots', `${t}.svg`), targetPlotSvg(t, y, r.initial, rows, r.settings.depths, r.settings.families));
  }
  return written;
}

function invalid(path: string, summary: string, expected: string, received: string, hint?: string): ValidationError {
  return new ValidationError(ErrorCodes.INVALID_OPTIONS, summary, { path, expected, received, ...(hint ? { hint } : {}) });
}

/** Read the `results.json` a study wrote into `dir`. @throws `ValidationError` when it is missing or not a study result. */
export async function readStudy(dir: string): Promise<StudyResult> {
  const path = join(dir, 'results.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw invalid(path, 'no study result in this directory', 'a results.json written by `npde study reachability --out <dir>`', (err as Error).message);
  }
  let r: unknown;
  try {
    r = JSON.parse(text);
  } catch (err) {
    throw invalid(path, 'results.json is not JSON', 'a results.json written by `npde study reachability`', (err as Error).message);
  }
  const o = r as Partial<StudyResult>;
  if (typeof o !== 'object' || o === null || o.version !== 1 || !o.settings || !Array.isArray(o.rows) || !Array.isArray(o.shards)) {
    throw invalid(path, 'results.json is not a study result', '{ version: 1, settings, shards, rows, ... }', JSON.stringify(Object.keys(o ?? {})));
  }
  return o as StudyResult;
}

/** The numbers of a row that must agree wherever it ran (everything but `seconds`). */
function fingerprint(row: RunRow): string {
  const { seconds: _seconds, ...rest } = row;
  return JSON.stringify(rest);
}

/**
 * Join shard results into one: their settings and backend must agree; each
 * run appears once (a run present in two inputs must have the same numbers).
 *
 * @throws `ValidationError` (`INVALID_OPTIONS`) on mismatched settings, conflicting rows,
 * or missing runs unless `partial` is set.
 */
export function mergeResults(results: readonly StudyResult[], options: { partial?: boolean } = {}): StudyResult {
  if (!results.length) throw invalid('dirs', 'nothing to merge', 'at least one study directory', 'none');
  const first = results[0]!;
  const settings = JSON.stringify(first.settings);
  results.forEach((r, i) => {
    if (JSON.stringify(r.settings) !== settings) {
      throw invalid(`dirs[${i}].settings`, 'the studies have different settings', settings, JSON.stringify(r.settings), 'Merge only shards of one study: the same --size, --seed and shrink options (--epochs, --depths, --sites, --targets, --families).');
    }
    if (r.backend !== first.backend) {
      throw invalid(`dirs[${i}].backend`, 'the studies ran on different backends', first.backend, r.backend, 'Backends round differently; run every shard with the same --backend.');
    }
  });
  const byIndex = new Map<number, RunRow>();
  for (const [i, r] of results.entries()) {
    for (const row of r.rows) {
      const seen = byIndex.get(row.index);
      if (seen && fingerprint(seen) !== fingerprint(row)) {
        throw invalid(`dirs[${i}].rows[${row.index}]`, 'a run appears twice with different numbers', fingerprint(seen), fingerprint(row), 'The runs are deterministic on one backend and machine type; rerun the shard.');
      }
      if (!seen) byIndex.set(row.index, row);
    }
  }
  const rows = [...byIndex.values()].sort((a, b) => a.index - b.index);
  if (rows.length !== first.totalRuns && !options.partial) {
    const have = new Set(rows.map((r) => r.index));
    const missing = Array.from({ length: first.totalRuns }, (_, i) => i).filter((i) => !have.has(i));
    throw invalid('dirs', 'the shards do not cover the study', `${first.totalRuns} runs`, `${rows.length} runs; missing run(s) ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''}`, 'Pass every shard directory, or --partial to merge what is there.');
  }
  const shards: Shard[] = [];
  for (const r of results) for (const s of r.shards) if (!shards.some((x) => x.index === s.index && x.count === s.count)) shards.push(s);
  shards.sort((a, b) => a.count - b.count || a.index - b.index);
  const targets: Partial<Record<TargetName, readonly number[]>> = {};
  for (const r of results) Object.assign(targets, r.targets);
  return {
    version: 1,
    settings: first.settings,
    backend: first.backend,
    shards,
    totalRuns: first.totalRuns,
    seconds: rows.reduce((t, r) => t + r.seconds, 0),
    initial: first.initial,
    targets,
    rows,
  };
}
