import * as path from 'node:path';
import type { Command } from 'commander';
import { createDefaultRegistry, type Registry } from 'npde';
import { loadPluginPackages, type LoadedPluginPackage, type PluginRequest } from './load-plugins.js';
import { isPathSpec } from './resolve-plugin.js';

/** Help text of `--plugin`. */
export const PLUGIN_OPTION_HELP = 'import a plugin package and register its plugins: an npm package name (looked up from the current directory) or a path; repeatable';

/** Commander parser of the repeatable `--plugin`: collects every value, in order. */
export function collectPlugin(value: string, previous: readonly string[] = []): string[] {
  return [...previous, value];
}

/** Add `--plugin <package-or-path>` (repeatable; the values arrive as `opts.plugin: string[]`) to a command. */
export function addPluginOption(cmd: Command): Command {
  return cmd.option('--plugin <package>', PLUGIN_OPTION_HELP, collectPlugin, []);
}

/**
 * The plugin packages a command run asks for: each `--plugin` (paths from the
 * current directory), then each entry of a config's `plugins` list (paths
 * from the config file's folder). Package names are looked up from the
 * current directory either way.
 */
export function pluginRequests(flags: readonly string[] | undefined, configPlugins?: readonly string[], configFile?: string): PluginRequest[] {
  const fromFlags = (flags ?? []).map((spec) => ({ spec, where: '--plugin' }));
  const base = configFile ? path.dirname(path.resolve(configFile)) : undefined;
  const fromConfig = (configPlugins ?? []).map((spec, i) => ({ spec, where: `plugins[${i}]`, ...(base ? { pathBase: base } : {}) }));
  return [...fromFlags, ...fromConfig];
}

/** A registry with npde's built-in plugins and those of the named plugin packages. */
export async function registryWithPlugins(requests: readonly PluginRequest[]): Promise<{ registry: Registry; loaded: LoadedPluginPackage[] }> {
  const registry = createDefaultRegistry();
  const loaded = await loadPluginPackages(registry, requests);
  return { registry, loaded };
}

/**
 * The `--plugin` flags that load the same packages again from the current
 * directory (for the "inspect it" advice after training): package names as
 * they were given, paths as the file or folder they name, relative to the current directory.
 */
export function pluginFlags(loaded: readonly LoadedPluginPackage[]): string {
  return loaded
    .map((pkg) => {
      if (!isPathSpec(pkg.spec)) return ` --plugin ${pkg.spec}`;
      const rel = path.relative(process.cwd(), pkg.location ?? pkg.file);
      return ` --plugin ${rel.startsWith('.') || path.isAbsolute(rel) ? rel : `./${rel}`}`;
    })
    .join('');
}
