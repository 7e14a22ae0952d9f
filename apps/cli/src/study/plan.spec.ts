import { describe, expect, it } from 'vitest';
import { ErrorCodes, ValidationError } from 'npde';
import { FAMILIES, formatShard, parseShard, planRuns, selectShard, settingsFor } from './plan.js';
import { TARGET_NAMES } from './targets.js';

describe('planRuns', () => {
  it('lists every (target, depth, family) once, indexed in table order, with seeds that depend on the key only', () => {
    const s = settingsFor('default', 3);
    const runs = planRuns(s);
    expect(runs).toHaveLength(TARGET_NAMES.length * 3 * FAMILIES.length);
    expect(runs.map((r) => r.index)).toEqual(runs.map((_, i) => i));
    expect(new Set(runs.map((r) => `${r.target}/${r.layers}/${r.family}`)).size).toBe(runs.length);
    // Shrinking the study keeps each remaining run's seed: a run's numbers do not depend on its neighbours.
    const small = planRuns({ ...s, targets: ['step'], depths: [16] });
    for (const r of small) expect(r.seed).toBe(runs.find((x) => x.target === r.target && x.layers === r.layers && x.family === r.family)!.seed);
    // A different study seed changes the model seeds.
    expect(planRuns(settingsFor('default', 4)).map((r) => r.seed)).not.toEqual(runs.map((r) => r.seed));
  });
});

describe('selectShard', () => {
  it('partitions the runs: every run in exactly one of n shards, sizes within one', () => {
    const runs = planRuns(settingsFor('default'));
    for (const n of [1, 2, 5, 7, 72, 100]) {
      const slices = Array.from({ length: n }, (_, k) => selectShard(runs, { index: k, count: n }));
      const all = slices.flat().map((r) => r.index).sort((a, b) => a - b);
      expect(all).toEqual(runs.map((r) => r.index));
      const sizes = slices.map((s) => s.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });
});

describe('parseShard', () => {
  it('reads k/n as 1-based and round-trips through formatShard', () => {
    expect(parseShard('2/4')).toEqual({ index: 1, count: 4 });
    expect(parseShard(' 1/1 ')).toEqual({ index: 0, count: 1 });
    expect(formatShard(parseShard('3/7'))).toBe('3/7');
  });

  it('reads Slurm array and Kubernetes indexed-Job environments under auto', () => {
    expect(parseShard('auto', { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '4' })).toEqual({ index: 2, count: 4 });
    expect(parseShard('auto', { SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '2' })).toEqual({ index: 0, count: 2 });
    expect(parseShard('auto/8', { SLURM_ARRAY_TASK_ID: '7' })).toEqual({ index: 7, count: 8 });
    expect(parseShard('auto', { JOB_COMPLETION_INDEX: '5', NPDE_SHARD_COUNT: '6' })).toEqual({ index: 5, count: 6 });
    expect(parseShard('auto/3', { JOB_COMPLETION_INDEX: '0' })).toEqual({ index: 0, count: 3 });
  });

  it.each([
    ['0/4', {}],
    ['5/4', {}],
    ['2/0', {}],
    ['two/4', {}],
    ['', {}],
    ['auto', {}],
    ['auto', { JOB_COMPLETION_INDEX: '1' }],
    ['auto', { JOB_COMPLETION_INDEX: '4', NPDE_SHARD_COUNT: '4' }],
    ['auto', { SLURM_ARRAY_TASK_ID: 'x', SLURM_ARRAY_TASK_COUNT: '2' }],
  ])('rejects %j in %j with a typed INVALID_OPTIONS error', (text, env) => {
    let err: unknown;
    try {
      parseShard(text, env);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    const v = err as ValidationError;
    expect(v.code).toBe(ErrorCodes.INVALID_OPTIONS);
    expect(v.path).toBe('shard');
    expect(v.expected).toMatch(/k\/n/);
    expect(v.received).toBeTruthy();
    expect(v.hint).toBeTruthy();
  });
});
