import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCli as run } from '../testing/run-cli.test-util.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'npde-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const goodConfig = {
  model: {
    field: { shape: [16] },
    layers: 4,
    omega: 0.5,
    kernel: { id: '@npde/kernels/adr', options: { family: 'heterogeneous', dx: 1 } },
    activation: '@npde/activations/tanh',
  },
  data: { source: 'adr', sites: 16, samples: 64, layers: 4, omega: 0.5 },
  training: { epochs: 6, checkpointEvery: 3, validation: 0.25 },
  backend: 'cpu',
};

async function writeConfig(name: string, config: unknown): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, typeof config === 'string' ? config : JSON.stringify(config));
  return file;
}

function withChange(mutate: (c: typeof goodConfig & Record<string, unknown>) => void): unknown {
  const c = structuredClone(goodConfig) as typeof goodConfig & Record<string, unknown>;
  mutate(c);
  return c;
}

afterEach(() => vi.restoreAllMocks());

describe('npde train', () => {
  it('trains from a config, writes the model, checkpoints and a report', async () => {
    const out = path.join(dir, 'model');
    const r = await run('train', await writeConfig('good.json', goodConfig), '--out', out, '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.epochs).toBe(6);
    expect(summary.backend).toBe('cpu');
    expect(summary.relErr).toHaveProperty('U');
    expect((await readdir(out)).sort()).toEqual(['checkpoints', 'model.json', 'report.json', 'weights.bin']);
    expect((await readdir(path.join(out, 'checkpoints'))).sort()).toEqual(['checkpoint-000006.bin', 'checkpoint.json']);
    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
    expect(report.finalLoss).toBe(summary.finalLoss);

    const inspected = await run('inspect', out, '--json');
    expect(inspected.code).toBe(0);
    const info = JSON.parse(inspected.stdout);
    expect(info.physics.map((q: { name: string }) => q.name)).toEqual(['U', 'D', 'R']);
    expect(info.moments).toHaveLength(4);
    expect(info.moments[0]).toHaveLength(3);
    const text = await run('inspect', out);
    expect(text.stdout).toContain('W2 (diffusion)');
  });

  it('trains a composite classifier on file data with metrics, then resumes to more epochs', async () => {
    const base = JSON.parse(await readFile(new URL('../../../../examples/classify-bars/config.json', import.meta.url), 'utf8'));
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const x: number[][][] = [];
    const y: number[] = [];
    for (let k = 0; k < 80; k++) {
      const label = k % 2;
      const at = Math.floor(rand() * 8);
      x.push(Array.from({ length: 8 }, (_, i) => Array.from({ length: 8 }, (_, j) => ((label === 0 ? i : j) === at ? 1 : 0) + 0.3 * (rand() - 0.5))));
      y.push(label);
    }
    await writeFile(path.join(dir, 'bars-x.json'), JSON.stringify(x));
    await writeFile(path.join(dir, 'bars-y.json'), JSON.stringify(y));
    const config = { ...base, data: { source: 'file', x: 'bars-x.json', y: 'bars-y.json', labels: true }, training: { ...base.training, epochs: 4, checkpointEvery: 2 }, backend: 'cpu' };
    const out = path.join(dir, 'bars');
    const first = await run('train', await writeConfig('bars.json', config), '--out', out, '--json');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const s1 = JSON.parse(first.stdout);
    expect(s1.epochs).toBe(4);
    expect(s1.metrics).toHaveProperty('accuracy');
    expect(s1).not.toHaveProperty('relErr');

    const more = await writeConfig('bars.json', { ...config, training: { ...config.training, epochs: 6 } });
    const second = await run('train', more, '--out', out, '--resume', '--json');
    expect(second.code).toBe(0);
    const s2 = JSON.parse(second.stdout);
    expect(s2.initialEpoch).toBe(4);
    expect(s2.epochs).toBe(6);
    expect(s2.metrics.accuracy).toBeGreaterThanOrEqual(0);

    const inspected = await run('inspect', out, '--json');
    expect(inspected.code).toBe(0);
    expect(JSON.parse(inspected.stdout).stages.map((st: { name: string }) => st.name)).toEqual(['lift', 'block', 'coarse', 'head']);
    const text = await run('inspect', out);
    expect(text.stdout).toContain('@npde/stages/readout');
  });

  it('exits 2 when resuming without a checkpoint', async () => {
    const r = await run('train', await writeConfig('good-resume.json', goodConfig), '--out', path.join(dir, 'empty'), '--resume');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no checkpoint');
  });

  const bad: [string, unknown, string][] = [
    ['a wrong type', withChange((c) => ((c.training as Record<string, unknown>).epochs = 'ten')), 'training.epochs'],
    ['a negative Δ', withChange((c) => (c.model.kernel.options.dx = -1)), 'model.kernel.options.dx'],
    ['an unknown plugin id', withChange((c) => (c.model.activation = '@npde/activations/tanhh')), 'model.activation'],
    ['mismatched shapes', withChange((c) => (c.model.field.shape = [32])), 'model.field.shape'],
    ['an unknown key', withChange((c) => (c['optimiser'] = {})), 'optimiser'],
    ['an unknown data source', withChange((c) => ((c.data as Record<string, unknown>).source = 'csv')), 'data.source'],
    ['an unknown optimizer option', withChange((c) => (c['optimizer'] = { id: '@npde/optimizers/adam', options: { learningRate: -1 } })), 'optimizer.options.learningRate'],
  ];
  for (const [what, config, where] of bad) {
    it(`exits 2 naming the path for ${what}`, async () => {
      const r = await run('train', await writeConfig(`bad-${where}.json`, config), '--out', path.join(dir, 'never'));
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(where);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    });
  }

  it('suggests the right id for a typo', async () => {
    const r = await run('train', await writeConfig('typo.json', withChange((c) => (c.model.activation = '@npde/activations/tanhh'))), '--out', path.join(dir, 'never'));
    expect(r.stderr).toContain("Did you mean '@npde/activations/tanh'?");
  });

  it('exits 2 on invalid JSON and on bad usage', async () => {
    expect((await run('train', await writeConfig('broken.json', '{ nope'), '--out', path.join(dir, 'x'))).code).toBe(2);
    expect((await run('train', path.join(dir, 'missing.json'), '--out', path.join(dir, 'x'))).code).toBe(2);
    expect((await run('train')).code).toBe(2);
    expect((await run('demo', '--backend', 'tpu')).code).toBe(2);
    expect((await run('frobnicate')).code).toBe(2);
  });

  it('exits 2 for a missing model directory and 0 for --help', async () => {
    expect((await run('inspect', path.join(dir, 'nowhere'))).code).toBe(2);
    expect((await run('--help')).code).toBe(0);
    expect((await run('train', '--help')).code).toBe(0);
  });

  it('lists plugins', async () => {
    const r = await run('plugins', '--json');
    expect(r.code).toBe(0);
    const ids = JSON.parse(r.stdout).map((p: { id: string }) => p.id);
    expect(ids).toContain('@npde/kernels/adr');
    expect(ids).toContain('@npde/optimizers/adam');
  });
});
