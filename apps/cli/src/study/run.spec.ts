import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createDefaultRegistry, tf, type Registry } from 'npde';
import { runCli as cli } from '../testing/run-cli.test-util.js';
import { planRuns, settingsFor, type StudySettings } from './plan.js';
import { mergeResults } from './report.js';
import { runOne, runStudy, type StudyResult } from './run.js';
import { lightCone } from './targets.js';

/** A tiny study: 2 targets × 1 depth × 4 families = 8 runs of a few Adam steps on 16 sites. */
const tiny: StudySettings = { ...settingsFor('quick', 5), sites: 16, depths: [3], targets: ['shifted-bump', 'white-noise'], epochs: 4 };

let registry: Registry;
let dir: string;
beforeAll(async () => {
  registry = createDefaultRegistry();
  await registry.ready({ backend: 'cpu' });
  dir = await mkdtemp(path.join(tmpdir(), 'npde-study-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Everything but wall-clock seconds. */
const numbers = (r: StudyResult) => ({ ...r, seconds: 0, shards: [], rows: r.rows.map((x) => ({ ...x, seconds: 0 })) });

describe('runStudy', () => {
  it('gives the same runs and numbers sharded 3 ways and merged as unsharded, without leaking tensors', async () => {
    const before = tf.memory().numTensors;
    const whole = await runStudy(tiny, { backend: 'cpu', registry });
    expect(tf.memory().numTensors).toBe(before);
    expect(whole.rows).toHaveLength(planRuns(tiny).length);
    const parts: StudyResult[] = [];
    for (const index of [2, 0, 1]) parts.push(await runStudy(tiny, { backend: 'cpu', registry, shard: { index, count: 3 } }));
    expect(parts.map((p) => p.rows.length).reduce((a, b) => a + b)).toBe(whole.rows.length);
    const merged = mergeResults(parts);
    expect(merged.shards).toEqual([0, 1, 2].map((index) => ({ index, count: 3 })));
    expect(numbers(merged)).toEqual(numbers(whole));
    // The numbers are real: training moved every run, and the parameter counts are the families' (3, 3N, 3NL, LN²).
    const N = tiny.sites;
    for (const row of whole.rows) {
      expect(row.status).toBe('ok');
      expect(row.distance).not.toBeNull();
      expect(row.distance).not.toBe(row.initialDistance);
      const L = row.layers;
      expect(row.params).toBe({ homogeneous: 3, heterogeneous: 3 * N, 'time-dependent': 3 * N * L, dense: L * N * N }[row.family]);
    }
  });

  it('ADR states stay exactly 0 outside the light cone, so no ADR run beats the cone floor; dense does', async () => {
    const s: StudySettings = { ...tiny, sites: 32, epochs: 40, targets: ['shifted-bump'], depths: [2] };
    const cone = lightCone(s.sites, 2);
    let floor = 0;
    for (const run of planRuns(s)) {
      const row = await runOne(s, run, registry);
      if (run.family === 'dense') {
        expect(row.floor).toBe(0);
        expect(row.distance!).toBeLessThan(floor);
        continue;
      }
      row.reached.forEach((z, q) => {
        if (!cone[q]) expect(z).toBe(0);
      });
      floor = row.floor;
      expect(floor).toBeGreaterThan(0.5);
      expect(row.distance!).toBeGreaterThanOrEqual(floor - 1e-6);
    }
  });
});

describe('npde study reachability / merge', () => {
  const shrink = ['--size', 'quick', '--seed', '5', '--sites', '16', '--depths', '2,4', '--targets', 'white-noise,shifted-bump', '--epochs', '4', '--backend', 'cpu'];
  const read = async (d: string) => JSON.parse(await readFile(path.join(dir, d, 'results.json'), 'utf8')) as StudyResult;

  it('writes the table, JSON and plots with progress; shards merged equal the unsharded study', async () => {
    const whole = await cli('study', 'reachability', ...shrink, '--out', path.join(dir, 'whole'));
    expect(whole.code).toBe(0);
    expect(whole.stderr).toMatch(/\[16\/16\] white-noise/);
    expect(whole.stdout).toMatch(/16 of 16 runs/);
    for (const k of [1, 2]) expect((await cli('study', 'reachability', ...shrink, '--shard', `${k}/2`, '--out', path.join(dir, `s${k}`))).code).toBe(0);
    const merged = await cli('study', 'merge', path.join(dir, 's1'), path.join(dir, 's2'), '--out', path.join(dir, 'merged'));
    expect(merged.code).toBe(0);
    expect(numbers(await read('merged'))).toEqual(numbers(await read('whole')));
    expect((await read('whole')).settings).toMatchObject({ sites: 16, depths: [2, 4], epochs: 4, targets: ['shifted-bump', 'white-noise'] });
    expect((await readdir(path.join(dir, 'merged', 'plots'))).sort()).toEqual(['shifted-bump.svg', 'white-noise.svg']);
    const md = await readFile(path.join(dir, 'merged', 'reachability.md'), 'utf8');
    expect(md).toMatch(/Runs: 16 of 16;/);
    expect(md.split('\n').filter((l) => /^\| \d+ \| /.test(l))).toHaveLength(16);
  });

  it('refuses a merge with a missing shard, and shards of different studies, with exit code 2', async () => {
    const missing = await cli('study', 'merge', path.join(dir, 's1'), '--out', path.join(dir, 'm2'), '--json');
    expect(missing.code).toBe(2);
    expect(missing.stdout + missing.stderr).toMatch(/NPDE_INVALID_OPTIONS/);
    expect((await cli('study', 'merge', path.join(dir, 's1'), '--partial', '--out', path.join(dir, 'm3'))).code).toBe(0);
    expect((await cli('study', 'reachability', ...shrink, '--epochs', '3', '--shard', '2/2', '--out', path.join(dir, 'other'))).code).toBe(0);
    const mixed = await cli('study', 'merge', path.join(dir, 's1'), path.join(dir, 'other'), '--out', path.join(dir, 'm4'));
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/different settings/);
  });

  it('rejects bad shrink options and shards as usage errors', async () => {
    expect((await cli('study', 'reachability', '--depths', '4,x')).code).not.toBe(0);
    expect((await cli('study', 'reachability', '--targets', 'bump,nope')).code).not.toBe(0);
    const bad = await cli('study', 'reachability', ...shrink, '--shard', '3/2', '--out', path.join(dir, 'bad'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--shard/);
  });
});
