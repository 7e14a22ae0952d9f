import { mkdirSync, rmSync, writeFileSync } from 'fs';
import * as path from 'path';
import { readJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { KIND_TEMPLATES, pluginGenerator } from './plugin';
import type { PluginKind } from './schema';

const KINDS = Object.keys(KIND_TEMPLATES) as PluginKind[];

/** Generated packages written to disk inside the workspace (so `@npde/core` resolves), removed afterwards. */
const OUT = path.resolve(__dirname, '../../../.generated');
afterAll(() => rmSync(OUT, { recursive: true, force: true }));

/** Write the generated `src/` to disk (its tsconfig files point at a workspace root two levels up, which this folder is not). */
function materialize(tree: Tree, root: string, to: string): void {
  for (const change of tree.listChanges()) {
    if (!change.path.startsWith(`${root}/src/`) || change.content === null) continue;
    const file = path.join(to, change.path.slice(root.length + 1));
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, change.content);
  }
}

describe('@npde/workspace-plugin:plugin', () => {
  let tree: Tree;
  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
    tree.write('tsconfig.build.json', '{\n  "files": [],\n  "references": [\n    { "path": "packages/core/tsconfig.lib.json" }\n  ]\n}\n');
  });

  it.each(KINDS)('scaffolds a %s package: exports map, peer dependency on @npde/core, defineX() under a namespaced id, conformance spec, configs, README', async (kind) => {
    await pluginGenerator(tree, { name: 'my-plugin', kind, skipFormat: true });
    const t = KIND_TEMPLATES[kind];
    const root = 'packages/my-plugin';
    for (const file of ['package.json', 'tsconfig.json', 'tsconfig.lib.json', 'vitest.config.ts', 'README.md', 'src/index.ts', 'src/register.ts', `src/${t.local}.ts`, 'src/conformance.spec.ts']) {
      expect(tree.exists(`${root}/${file}`), file).toBe(true);
    }
    const pkg = readJson(tree, `${root}/package.json`);
    expect(pkg.name).toBe('@npde/my-plugin');
    expect(pkg.type).toBe('module');
    expect(pkg.peerDependencies).toEqual({ '@npde/core': '^0.1.0' });
    expect(Object.keys(pkg.exports)).toEqual(['.', './register', './package.json']);
    expect(pkg.exports['.']).toEqual({ '@npde/source': './src/index.ts', types: './dist/index.d.ts', default: './dist/index.js' });
    expect(pkg.scripts).toMatchObject({ typecheck: expect.any(String), lint: expect.any(String), test: 'vitest run' });
    const source = tree.read(`${root}/src/${t.local}.ts`, 'utf-8')!;
    expect(source).toContain(`${t.helper}<`);
    expect(source).toContain(`'@npde/my-plugin/${t.local}'`);
    expect(source).not.toMatch(/<%|%>/);
    expect(tree.read(`${root}/src/conformance.spec.ts`, 'utf-8')).toContain("from '@npde/core/testing'");
    expect(readJson(tree, `${root}/tsconfig.json`).extends).toBe('../../tsconfig.base.json');
    expect(tree.read(`${root}/vitest.config.ts`, 'utf-8')).toContain("'../../vitest.shared.js'");
    expect(tree.read('tsconfig.build.json', 'utf-8')).toBe(
      '{\n  "files": [],\n  "references": [\n    { "path": "packages/core/tsconfig.lib.json" },\n    { "path": "packages/my-plugin/tsconfig.lib.json" }\n  ]\n}\n',
    );
  });

  it('takes the package name (and so the id namespace) from --importPath, and the folder from --directory', async () => {
    await pluginGenerator(tree, { name: 'fancy', kind: 'activation', importPath: '@acme/npde-fancy', directory: 'libs', skipFormat: true });
    expect(readJson(tree, 'libs/fancy/package.json').name).toBe('@acme/npde-fancy');
    expect(tree.read('libs/fancy/src/scaled-tanh.ts', 'utf-8')).toContain("'@acme/npde-fancy/scaled-tanh'");
    expect(readJson(tree, 'libs/fancy/tsconfig.lib.json').references).toEqual([{ path: '../../packages/core/tsconfig.lib.json' }]);
  });

  it('refuses an existing name, a taken package name, a bad name and an unknown kind, with a clear error', async () => {
    tree.write('packages/kernels/package.json', JSON.stringify({ name: '@npde/kernels' }));
    await expect(pluginGenerator(tree, { name: 'kernels', kind: 'kernel', skipFormat: true })).rejects.toThrow(
      '@npde/workspace-plugin:plugin: packages/kernels already exists; choose another name (or remove that folder first)',
    );
    await expect(pluginGenerator(tree, { name: 'other', kind: 'kernel', importPath: '@npde/kernels', skipFormat: true })).rejects.toThrow(
      'the package name @npde/kernels is taken by packages/kernels',
    );
    await expect(pluginGenerator(tree, { name: 'My_Kernel', kind: 'kernel', skipFormat: true })).rejects.toThrow('name must be kebab-case');
    await expect(pluginGenerator(tree, { name: 'x', kind: 'widget' as PluginKind, skipFormat: true })).rejects.toThrow(
      '--kind must be one of kernel, activation, integrator, reservoir, optimizer, stage, backend',
    );
    expect(tree.exists('packages/other')).toBe(false);
  });
});

// The scaffolded plugins work: each generated package is written to disk and its
// plugin run through the conformance kit (what its own conformance.spec.ts does).
describe('the scaffolded plugins pass the conformance kit', () => {
  async function generate(kind: PluginKind): Promise<{ plugins: readonly unknown[]; [k: string]: unknown }> {
    const tree = createTreeWithEmptyWorkspace();
    const name = `gen-${kind}`;
    await pluginGenerator(tree, { name, kind, skipFormat: true });
    const dir = path.join(OUT, name);
    materialize(tree, `packages/${name}`, dir);
    return import(path.join(dir, 'src/index.ts'));
  }

  it.each(KINDS)('%s', async (kind) => {
    const core = await import('@npde/core');
    const kit = await import('@npde/core/testing');
    await core.tf.setBackend('cpu');
    const mod = await generate(kind);
    const plugin = mod.plugins[0] as never;
    expect(mod.plugins).toHaveLength(1);
    switch (kind) {
      case 'kernel':
        return kit.checkKernelFamily(plugin, { field: { shape: [16] }, layers: 3, options: { D: 0.2 } });
      case 'activation':
        return kit.checkActivation(plugin, { scale: 2 });
      case 'integrator':
        return kit.checkIntegrator(plugin);
      case 'reservoir':
        return kit.checkReservoir(plugin, { rate: 0.2 });
      case 'optimizer':
        return kit.checkOptimizer(plugin, { learningRate: 0.1 });
      case 'stage':
        kit.checkPluginShape(plugin, { init: 2 });
        return kit.checkRoundTrip({ input: { shape: [8] }, stages: [{ id: (plugin as { id: string }).id, options: { init: 1.5 } }] }, new core.Registry().register(plugin));
      case 'backend':
        kit.checkPluginShape(plugin);
        await expect(new core.Registry().register(plugin).ready({ backend: (plugin as { id: string }).id })).resolves.toMatchObject({ name: 'cpu', failed: [] });
        return;
    }
  });
});
