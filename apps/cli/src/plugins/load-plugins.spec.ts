import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCodes, createDefaultRegistry } from 'npde';
import { runCli as run } from '../testing/run-cli.test-util.js';
import { PluginPackageError, loadPluginPackages, packageOfId } from './index.js';

/** The outside plugin of examples/, a third-party package this workspace does not install. */
const EXAMPLE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../examples/dispersion-plugin');
const HYPER = '@acme/npde-dispersion/hyper';
const MARKER = '__npdeCliSpecMarkerImported';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'npde-cli-plugins-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

async function write(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  return file;
}

const config = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    model: { field: { shape: [16] }, layers: 2, omega: 0.5, kernel: { id: HYPER, options: { init: { c4: -0.01 } } }, activation: '@npde/activations/identity' },
    data: { source: 'adr', sites: 16, samples: 24, layers: 2 },
    training: { epochs: 2 },
    backend: 'cpu',
    ...extra,
  });

describe('--plugin: the outside plugin', () => {
  it('npde plugins lists its kernel, with the package it came from', async () => {
    const r = await run('plugins', '--json', '--plugin', EXAMPLE);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const listed = JSON.parse(r.stdout) as { kind: string; id: string; package?: string }[];
    expect(listed.find((p) => p.id === HYPER)).toMatchObject({ kind: 'kernel', package: EXAMPLE });
    expect(listed.filter((p) => p.package !== undefined)).toHaveLength(1);
    expect((await run('plugins')).stdout).not.toContain(HYPER);
  });

  it('trains, saves and is inspected with it; without it, inspect fails with NPDE_UNKNOWN_PLUGIN and the --plugin hint', async () => {
    const out = path.join(dir, 'hyper-model');
    const trained = await run('train', await write('hyper.json', config()), '--out', out, '--plugin', EXAMPLE);
    expect(trained.stderr).not.toContain('error');
    expect(trained.code).toBe(0);
    expect(trained.stdout).toContain(`npde inspect ${out} --plugin `);

    const inspected = await run('inspect', out, '--json', '--plugin', EXAMPLE);
    expect(inspected.stderr).toBe('');
    const info = JSON.parse(inspected.stdout);
    expect(info.blocks[0].kernel).toBe(HYPER);
    expect(info.physics.map((q: { name: string }) => q.name)).toEqual(['c3', 'c4']);
    // The kernel's own moments: W0 = 1 and W1 = W2 = 0 exactly, whatever c3 and c4 learned.
    const moment = (label: string) => info.moments[0].find((m: { label: string }) => m.label === label).values[5] as number;
    expect([moment('W0'), moment('W1'), moment('W2')].map((x) => Number(x.toFixed(6)))).toEqual([1, 0, 0]);
    expect(Math.abs(info.physics[1].values[0][0] - Math.fround(-0.01))).toBeGreaterThan(1e-6); // c4 left its initial value: it was trained

    const bare = await run('inspect', out);
    expect(bare.code).toBe(2);
    const lines = bare.stderr.trim().split('\n');
    expect(lines[0]).toContain(`error ${ErrorCodes.UNKNOWN_PLUGIN}`);
    expect(lines[0]).toContain(HYPER);
    expect(bare.stderr).toContain('--plugin @acme/npde-dispersion');
  });

  it('a config can name it in "plugins", relative to the config file', async () => {
    const file = await write('nested/config.json', config({ plugins: [path.relative(path.join(dir, 'nested'), EXAMPLE)] }));
    const r = await run('train', file, '--out', path.join(dir, 'from-config'), '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).epochs).toBe(2);
  });
});

describe('--plugin errors: one line naming the package, code NPDE_PLUGIN_FAILED', () => {
  async function failure(spec: string, hook: string): Promise<string> {
    const r = await run('plugins', '--plugin', spec);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toContain(`error ${ErrorCodes.PLUGIN_FAILED}: '${spec}' (${hook})`);
    expect(lines).toHaveLength(1);
    return lines[0]!;
  }

  it('a package that fails to import', async () => {
    const syntax = await write('broken/syntax.mjs', 'export const x = ;\n');
    expect(await failure(syntax, 'import')).toMatch(/SyntaxError|Parse fail/); // Node's error, or vite's under vitest
    const throws = await write('broken/throws.mjs', "throw new Error('no GPU here\\nsecond line');\n");
    const line = await failure(throws, 'import');
    expect(line).toContain('Error: no GPU here');
    expect(line).not.toContain('second line');
  });

  it('a package that registers nothing', async () => {
    const file = await write('empty/index.mjs', 'export const answer = 42;\nexport default { kind: "kernel" };\n');
    expect(await failure(file, 'register')).toContain('index.mjs exporting answer, default');
  });

  it('a package that is not there', async () => {
    expect(await failure('@nobody/no-such-npde-plugin', 'resolve')).toContain('no node_modules/@nobody/no-such-npde-plugin');
    expect(await failure('./no/such/file.js', 'resolve')).toContain('nothing at');
  });

  it('are typed: PluginPackageError, with the stage as hook and the spec as plugin', async () => {
    const file = await write('empty2/index.mjs', 'export const nothing = null;\n');
    const err = await loadPluginPackages(createDefaultRegistry(), [{ spec: file, where: 'plugins[0]' }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PluginPackageError);
    expect(err).toMatchObject({ code: ErrorCodes.PLUGIN_FAILED, hook: 'register', stage: 'register', plugin: file, path: 'plugins[0]', file });
  });
});

describe('only named packages are imported', () => {
  let cwd: string;
  let project: string;
  beforeAll(async () => {
    // A project with a plugin package installed as @acme/npde-marker; importing it sets a marker.
    // (It defines its one plugin by hand: under vitest, a file in node_modules runs unbundled
    // with the workspace's source condition, so it cannot import @npde/core's TypeScript.)
    project = path.join(dir, 'project');
    const pkg = path.join(project, 'node_modules', '@acme', 'npde-marker');
    await mkdir(pkg, { recursive: true });
    await writeFile(path.join(pkg, 'package.json'), JSON.stringify({ name: '@acme/npde-marker', type: 'module', exports: { '.': './index.js' } }));
    await writeFile(
      path.join(pkg, 'index.js'),
      `globalThis.${MARKER} = true;\n` +
        "export const double = Object.freeze({ kind: 'activation', id: '@acme/npde-marker/double', description: 'f(x) = 2x', options: {}, create: () => ({ apply: (x) => x.mul(2) }) });\n",
    );
    cwd = process.cwd();
    process.chdir(project);
  });
  afterAll(() => process.chdir(cwd));

  it('a config whose model names the package\'s plugin, but that does not list the package, imports nothing', async () => {
    const file = path.join(project, 'unlisted.json');
    await writeFile(
      file,
      config({ model: { field: { shape: [16] }, layers: 2, kernel: { id: '@npde/kernels/adr', options: { family: 'homogeneous' } }, activation: '@acme/npde-marker/double' } }),
    );
    const r = await run('train', file, '--out', path.join(project, 'out-unlisted'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error ${ErrorCodes.UNKNOWN_PLUGIN}`);
    expect(r.stderr).toContain("unknown activation '@acme/npde-marker/double'");
    expect(r.stderr).toContain('--plugin @acme/npde-marker (a package name or a path to it), or list it in the config\'s "plugins".');
    expect((globalThis as Record<string, unknown>)[MARKER]).toBeUndefined();
  });

  it('a saved model that names the package\'s plugin imports nothing either: NPDE_UNKNOWN_PLUGIN with the --plugin hint', async () => {
    const out = path.join(project, 'out-saved');
    const file = path.join(project, 'builtin.json');
    await writeFile(file, config({ model: { field: { shape: [16] }, layers: 2, kernel: { id: '@npde/kernels/adr', options: { family: 'homogeneous' } }, activation: '@npde/activations/tanh' } }));
    expect((await run('train', file, '--out', out)).code).toBe(0);
    // The saved model now names the installed-but-unnamed package's activation.
    const modelJson = path.join(out, 'model.json');
    const text = await readFile(modelJson, 'utf8');
    expect(text).toContain('@npde/activations/tanh');
    await writeFile(modelJson, text.replaceAll('@npde/activations/tanh', '@acme/npde-marker/double'));
    const r = await run('inspect', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error ${ErrorCodes.UNKNOWN_PLUGIN}`);
    expect(r.stderr).toContain("'@acme/npde-marker/double'");
    expect(r.stderr).toContain('name it with --plugin @acme/npde-marker (a package name or a path to it).');
    expect((globalThis as Record<string, unknown>)[MARKER]).toBeUndefined();
  });

  it('the same package, named, is found from the current directory and imported', async () => {
    const r = await run('plugins', '--json', '--plugin', '@acme/npde-marker');
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toContainEqual(expect.objectContaining({ id: '@acme/npde-marker/double', package: '@acme/npde-marker' }));
    expect((globalThis as Record<string, unknown>)[MARKER]).toBe(true);
  });
});

describe('packageOfId', () => {
  it('names the package of a third-party id, and none for npde\'s own', () => {
    expect(packageOfId('@acme/npde-dispersion/hyper')).toBe('@acme/npde-dispersion');
    expect(packageOfId('my-pkg/kernels/k')).toBe('my-pkg/kernels');
    expect(packageOfId('@npde/kernels/adrr')).toBeUndefined();
  });
});
