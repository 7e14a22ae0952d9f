import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { globalRegistry, type AnyPlugin, type PluginKind, type Registry } from 'npde';
import { PluginPackageError } from './plugin-package-error.js';
import { isPathSpec, resolvePluginSpec } from './resolve-plugin.js';

const KINDS: ReadonlySet<string> = new Set<PluginKind>(['kernel', 'activation', 'integrator', 'reservoir', 'optimizer', 'backend', 'stage']);

/** One plugin package the user asked for. */
export interface PluginRequest {
  /** A package name (`@acme/npde-dispersion`, `pkg/register`) or a path (`./plugins/mine`, `/abs/x.js`). */
  readonly spec: string;
  /** Where it was named, for errors: `--plugin` (default) or `plugins[i]` of a config. */
  readonly where?: string;
  /** Folder relative paths start from (default: the current directory). */
  readonly pathBase?: string;
}

/** A plugin package that was loaded. */
export interface LoadedPluginPackage {
  /** The package or path as the user named it. */
  readonly spec: string;
  /** The file that was imported. */
  readonly file: string;
  /** For a package named by path: the absolute file or folder the path names. */
  readonly location?: string;
  /** The plugins it provided, registered into the registry. */
  readonly plugins: readonly AnyPlugin[];
}

/** What each imported file provided, so a second load (same process) finds the same plugins. */
const provided = new Map<string, readonly AnyPlugin[]>();

function isPlugin(x: unknown): x is AnyPlugin {
  return typeof x === 'object' && x !== null && typeof (x as { id?: unknown }).id === 'string' && KINDS.has((x as { kind?: unknown }).kind as string);
}

/**
 * The npde plugins a module exports: every export (the default one included)
 * that is a plugin object, or an array of them (the `plugins` array every
 * npde plugin package exports).
 */
export function exportedPlugins(mod: Readonly<Record<string, unknown>>): AnyPlugin[] {
  const found = new Set<AnyPlugin>();
  for (const value of Object.values(mod)) {
    if (isPlugin(value)) found.add(value);
    else if (Array.isArray(value)) for (const p of value) if (isPlugin(p)) found.add(p);
  }
  return [...found];
}

async function importOne(req: PluginRequest, nameBase: string): Promise<{ file: string; plugins: readonly AnyPlugin[] }> {
  const where = req.where ?? '--plugin';
  const file = resolvePluginSpec(req.spec, where, req.pathBase ?? nameBase, nameBase);
  const cached = provided.get(file);
  if (cached) return { file, plugins: cached };
  const before = new Set(globalRegistry().list());
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    throw new PluginPackageError('import', req.spec, 'plugin package failed to import', { path: where, expected: 'an ES module that loads', received: message, file, cause: err });
  }
  // Plugins it exports, and any its side-effect entry registered into npde's global registry.
  const plugins = [...new Set([...exportedPlugins(mod), ...globalRegistry().list().filter((p) => !before.has(p))])];
  if (!plugins.length) {
    const names = Object.keys(mod);
    throw new PluginPackageError('register', req.spec, 'plugin package provides no npde plugin', {
      path: where,
      expected: 'exported plugins (a `plugins` array or defineX() objects) or a side-effect entry that registers into globalRegistry()',
      received: `${path.basename(file)} exporting ${names.length ? names.join(', ') : 'nothing'}`,
      file,
    });
  }
  provided.set(file, plugins);
  return { file, plugins };
}

/**
 * Import the plugin packages the user named and register their plugins into
 * `registry`. Only these packages are imported: nothing in a model spec or a
 * saved model causes an import. A package provides plugins by exporting them
 * (every export that is a plugin, or an array of plugins, such as the
 * `plugins` array of npde's own packages) or by registering them into
 * `globalRegistry()` while it is imported (a `/register` entry).
 *
 * Throws {@link PluginPackageError} (code `NPDE_PLUGIN_FAILED`) naming the
 * package when it cannot be found (`hook: 'resolve'`), fails to import
 * (`'import'`) or provides no plugin (`'register'`); the registry's own errors
 * (a taken id, an id that is not namespaced) pass through.
 *
 * @param registry - Where to register the plugins.
 * @param requests - The packages, in order; a file named twice is loaded once.
 * @param nameBase - Folder package names are looked up from (default: the current directory).
 *
 * @example
 * ```ts
 * const registry = createDefaultRegistry();
 * await loadPluginPackages(registry, [{ spec: '@acme/npde-dispersion' }, { spec: './my-plugin.js' }]);
 * ```
 */
export async function loadPluginPackages(registry: Registry, requests: readonly PluginRequest[], nameBase = process.cwd()): Promise<LoadedPluginPackage[]> {
  const loaded: LoadedPluginPackage[] = [];
  const seen = new Set<string>();
  for (const req of requests) {
    const { file, plugins } = await importOne(req, nameBase);
    if (seen.has(file)) continue;
    seen.add(file);
    registry.register(plugins);
    loaded.push({ spec: req.spec, file, plugins, ...(isPathSpec(req.spec) ? { location: path.resolve(req.pathBase ?? nameBase, req.spec) } : {}) });
  }
  return loaded;
}
