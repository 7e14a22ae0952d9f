import * as path from 'path';
import { formatFiles, generateFiles, joinPathFragments, offsetFromRoot, readJson, type Tree } from '@nx/devkit';
import type { PluginGeneratorSchema, PluginKind } from './schema';

/** What the generator writes for each kind: the plugin's local name, its export, its defineX() helper and a summary. */
export interface KindTemplate {
  /** Local part of the plugin id (`<package>/<local>`) and the file name under src/. */
  readonly local: string;
  /** Name of the exported plugin constant. */
  readonly constName: string;
  /** The `defineX()` helper of `@npde/core` that makes it. */
  readonly helper: string;
  /** One line saying what the scaffolded plugin does. */
  readonly summary: string;
}

/** The plugin each kind scaffolds: small, working, and checked by the conformance kit. */
export const KIND_TEMPLATES: Readonly<Record<PluginKind, KindTemplate>> = Object.freeze({
  kernel: { local: 'smoothing', constName: 'smoothing', helper: 'defineKernelFamily', summary: 'a periodic 1-D diffusion stencil W = I + D·Δ with one trainable D' },
  activation: { local: 'scaled-tanh', constName: 'scaledTanh', helper: 'defineActivation', summary: 'f(x) = tanh(scale·x)' },
  integrator: { local: 'heun', constName: 'heun', helper: 'defineIntegrator', summary: "Heun's second-order scheme for dz/dt = γ·F(z)" },
  reservoir: { local: 'mean-damping', constName: 'meanDamping', helper: 'defineReservoir', summary: 'a soft reservoir that pulls the mean of the field towards 0' },
  optimizer: { local: 'gradient-descent', constName: 'gradientDescent', helper: 'defineOptimizer', summary: 'plain gradient descent with a fixed learning rate' },
  stage: { local: 'gain', constName: 'gain', helper: 'defineStage', summary: 'a stage that multiplies the field by one trainable gain' },
  backend: { local: 'cpu', constName: 'cpuBackend', helper: 'defineBackend', summary: "tfjs's reference cpu backend as an npde backend plugin" },
});

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const PACKAGE_NAME = /^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/;

function fail(message: string): never {
  throw new Error(`@npde/workspace-plugin:plugin: ${message}`);
}

/** Names of the packages already in `directory` (from their package.json). */
function packageNames(tree: Tree, directory: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!tree.exists(directory)) return out;
  for (const child of tree.children(directory)) {
    const file = joinPathFragments(directory, child, 'package.json');
    if (!tree.exists(file)) continue;
    const name = readJson<{ name?: unknown }>(tree, file).name;
    if (typeof name === 'string') out.set(name, joinPathFragments(directory, child));
  }
  return out;
}

/** Add the new package's tsconfig.lib.json to the workspace build (`tsconfig.build.json`), if the workspace has one. */
function addBuildReference(tree: Tree, root: string): void {
  const file = 'tsconfig.build.json';
  if (!tree.exists(file)) return;
  const json = readJson<{ references?: { path: string }[] }>(tree, file);
  if (!Array.isArray(json.references)) return;
  const ref = `${root}/tsconfig.lib.json`;
  if (json.references.some((r) => r.path === ref)) return;
  // Insert as text before the closing of the references array, so the file keeps its layout.
  const text = tree.read(file, 'utf-8')!;
  const last = json.references[json.references.length - 1];
  const anchor = last ? text.lastIndexOf(JSON.stringify(last.path)) : -1;
  if (anchor < 0) {
    json.references.push({ path: ref });
    tree.write(file, JSON.stringify(json, null, 2) + '\n');
    return;
  }
  const lineEnd = text.indexOf('\n', anchor);
  const lineStart = text.lastIndexOf('\n', anchor) + 1;
  const line = text.slice(lineStart, lineEnd);
  if (lineEnd < 0 || !/^\s*\{\s*"path"\s*:\s*"[^"]*"\s*\},?\s*$/.test(line)) {
    json.references.push({ path: ref });
    tree.write(file, JSON.stringify(json, null, 2) + '\n');
    return;
  }
  const indent = line.match(/^\s*/)![0];
  const newLine = `${indent}{ "path": ${JSON.stringify(ref)} }`;
  const updated = line.trimEnd().endsWith(',') ? `${line}\n${newLine},` : `${line},\n${newLine}`;
  tree.write(file, text.slice(0, lineStart) + updated + text.slice(lineEnd));
}

/**
 * `nx g @npde/workspace-plugin:plugin <name> --kind=<kind>`: scaffold
 * `<directory>/<name>` (default `packages/<name>`), an npde plugin package with
 * one working plugin of that kind under the id `<package>/<local name>`: a
 * package.json with an `exports` map (a pure entry and a `/register` entry)
 * and a peer dependency on `@npde/core`, the plugin in `src/`, a spec that runs
 * `@npde/core/testing`'s conformance kit, tsconfig files, a vitest config and a
 * README; and add it to the workspace's `tsconfig.build.json`. Refuses a
 * folder that exists and a package name that is taken.
 */
export async function pluginGenerator(tree: Tree, options: PluginGeneratorSchema): Promise<void> {
  const { name, kind } = options;
  if (typeof name !== 'string' || !NAME.test(name)) fail(`name must be kebab-case (e.g. my-kernel), got ${JSON.stringify(name)}`);
  const template = (KIND_TEMPLATES as Record<string, KindTemplate | undefined>)[kind];
  if (!template) fail(`--kind must be one of ${Object.keys(KIND_TEMPLATES).join(', ')}, got ${JSON.stringify(kind)}`);
  const directory = options.directory ?? 'packages';
  const importPath = options.importPath ?? `@npde/${name}`;
  if (!PACKAGE_NAME.test(importPath)) fail(`--importPath must be an npm package name, got ${JSON.stringify(importPath)}`);
  const root = joinPathFragments(directory, name);
  if (tree.exists(root)) fail(`${root} already exists; choose another name (or remove that folder first)`);
  const taken = packageNames(tree, directory).get(importPath);
  if (taken) fail(`the package name ${importPath} is taken by ${taken}; choose another name or pass --importPath`);

  const substitutions = {
    tmpl: '',
    name,
    kind,
    importPath,
    pluginId: `${importPath}/${template.local}`,
    local: template.local,
    constName: template.constName,
    typeName: template.constName.charAt(0).toUpperCase() + template.constName.slice(1),
    helper: template.helper,
    summary: template.summary,
    offset: offsetFromRoot(root),
  };
  generateFiles(tree, path.join(__dirname, 'files', 'common'), root, substitutions);
  generateFiles(tree, path.join(__dirname, 'files', kind), root, substitutions);
  addBuildReference(tree, root);
  if (!options.skipFormat) await formatFiles(tree);
}

export default pluginGenerator;
