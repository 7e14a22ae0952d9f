import { describe, expect, it } from 'vitest';
import { ErrorCodes, ValidationError } from 'npde';
import { planRuns, settingsFor, type StudySettings } from './plan.js';
import { mergeResults, studyMarkdown, verdict } from './report.js';
import type { RunRow, StudyResult } from './run.js';
import { targetPlotSvg } from './svg.js';
import { initialState, makeTarget } from './targets.js';

const settings: StudySettings = { ...settingsFor('quick', 2), sites: 8, depths: [2], targets: ['bump', 'step'] };

/** A synthetic result holding the given runs of the plan (distances are made-up numbers; merge must carry them unchanged). */
function result(indices: number[], count: number, s = settings): StudyResult {
  const runs = planRuns(s);
  const rows: RunRow[] = indices.map((i) => {
    const r = runs[i]!;
    return { ...r, params: 3, distance: i / 100, floor: 0, initialDistance: 1, epochs: s.epochs, status: 'ok', seconds: 0.5 + i, reached: initialState(s.sites) };
  });
  return {
    version: 1,
    settings: s,
    backend: 'cpu',
    shards: [{ index: indices[0]! % count, count }],
    totalRuns: runs.length,
    seconds: rows.reduce((t, r) => t + r.seconds, 0),
    initial: initialState(s.sites),
    targets: Object.fromEntries(s.targets.map((t) => [t, makeTarget(t, s.sites, s.seed)])),
    rows,
  };
}

function caught(f: () => unknown): ValidationError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).code).toBe(ErrorCodes.INVALID_OPTIONS);
    return e as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('mergeResults', () => {
  it('joins shards in run order and sums their seconds', () => {
    const m = mergeResults([result([1, 3, 5, 7], 2), result([0, 2, 4, 6], 2)]);
    expect(m.rows.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(m.rows.map((r) => r.distance)).toEqual([0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07]);
    expect(m.seconds).toBeCloseTo(8 * 0.5 + 28, 10);
    expect(m.shards).toEqual([{ index: 0, count: 2 }, { index: 1, count: 2 }]);
  });

  it('accepts a run twice with equal numbers (a rerun shard) but not with different ones', () => {
    expect(mergeResults([result([0, 1, 2, 3], 1), result([0, 1, 2, 3, 4, 5, 6, 7], 1)]).rows).toHaveLength(8);
    const other = result([0, 2, 4, 6], 2);
    const changed = { ...other, rows: other.rows.map((r) => (r.index === 4 ? { ...r, distance: 0.5 } : r)) };
    expect(caught(() => mergeResults([result([0, 2, 4, 6], 2), changed])).path).toBe('dirs[1].rows[4]');
  });

  it('refuses missing runs (unless partial), other settings, other backends and no input', () => {
    expect(caught(() => mergeResults([result([1, 3, 5, 7], 2)])).received).toMatch(/missing run\(s\) 0, 2, 4, 6/);
    expect(mergeResults([result([1, 3, 5, 7], 2)], { partial: true }).rows).toHaveLength(4);
    const s2 = { ...settings, epochs: settings.epochs + 1 };
    expect(caught(() => mergeResults([result([0, 2, 4, 6], 2), result([1, 3, 5, 7], 2, s2)])).path).toBe('dirs[1].settings');
    expect(caught(() => mergeResults([result([0, 2, 4, 6], 2), { ...result([1, 3, 5, 7], 2), backend: 'wasm' }])).path).toBe('dirs[1].backend');
    expect(caught(() => mergeResults([])).path).toBe('dirs');
  });
});

describe('studyMarkdown and targetPlotSvg', () => {
  it('put every run in the table with its verdict, and one line per family per depth in the plot', () => {
    const r = mergeResults([result([0, 1, 2, 3, 4, 5, 6, 7], 1)]);
    const md = studyMarkdown(r);
    expect(md.split('\n').filter((l) => /^\| \d+ \| /.test(l))).toHaveLength(8);
    expect(md).toMatch(/\| step \| 2 \| 0 \| 0\.040 ✓ \| 0\.050 ✓ \| 0\.060 ≈ \| 0\.070 ≈ \|/);
    expect([verdict(0.05), verdict(0.2), verdict(0.21), verdict(null)]).toEqual(['✓', '≈', '✗', '✗']);
    const svg = targetPlotSvg('step', r.targets.step!, r.initial, r.rows.filter((x) => x.target === 'step'), [2], settings.families);
    expect(svg.match(/<polyline/g)).toHaveLength(2 + settings.families.length);
    expect(svg.startsWith('<svg')).toBe(true);
  });
});
