import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { main } from '../main.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'npde-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Run the CLI in-process; returns the exit code and what it wrote. */
async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((stdout += String(s)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((stderr += String(s)), true));
  process.exitCode = undefined;
  try {
    const code = await main(['node', 'npde', ...args]);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = undefined;
  }
}

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
    expect((await readdir(path.join(out, 'checkpoints'))).sort()).toEqual(['epoch-00003', 'epoch-00006']);
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
