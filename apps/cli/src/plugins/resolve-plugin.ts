import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { PluginPackageError } from './plugin-package-error.js';

/** Export conditions used to pick a package's entry file, as Node's `import` does. */
const CONDITIONS: ReadonlySet<string> = new Set(['node', 'import', 'default']);

const PACKAGE_NAME = /^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/i;

/** Whether `spec` names a file or folder (`./x`, `../x`, `/abs/x`) rather than a package. */
export function isPathSpec(spec: string): boolean {
  return spec.startsWith('.') || path.isAbsolute(spec);
}

/** Split `@scope/name/sub/path` into the package name and the export subpath (`.`, `./sub/path`). */
export function splitPackageSpec(spec: string): { name: string; subpath: string } {
  const parts = spec.split('/');
  const n = spec.startsWith('@') ? 2 : 1;
  const rest = parts.slice(n).join('/');
  return { name: parts.slice(0, n).join('/'), subpath: rest ? `./${rest}` : '.' };
}

function conditionalTarget(target: unknown): string | null | undefined {
  if (typeof target === 'string') return target;
  if (target === null) return null;
  if (Array.isArray(target)) {
    for (const t of target) {
      const r = conditionalTarget(t);
      if (typeof r === 'string') return r;
    }
    return undefined;
  }
  if (typeof target === 'object') {
    for (const [key, value] of Object.entries(target as Record<string, unknown>)) {
      if (!CONDITIONS.has(key)) continue;
      const r = conditionalTarget(value);
      if (r !== undefined) return r;
    }
  }
  return undefined;
}

function readPackageJson(dir: string): Record<string, unknown> | undefined {
  const file = path.join(dir, 'package.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * The entry file of the package in `dir` for `subpath` (`.` or `./x`), read
 * from its `exports` map with the `node`, `import` and `default` conditions,
 * else its `main`, else `index.js`. Returns undefined when it exports nothing there.
 */
export function packageEntry(dir: string, subpath = '.'): string | undefined {
  const pkg = readPackageJson(dir) ?? {};
  const exp = pkg['exports'];
  if (exp !== undefined) {
    const map = typeof exp === 'object' && exp !== null && !Array.isArray(exp) && Object.keys(exp).some((k) => k.startsWith('.')) ? (exp as Record<string, unknown>) : { '.': exp };
    const target = conditionalTarget(map[subpath]);
    return typeof target === 'string' ? path.resolve(dir, target) : undefined;
  }
  if (subpath !== '.') return path.resolve(dir, subpath);
  return path.resolve(dir, typeof pkg['main'] === 'string' ? pkg['main'] : 'index.js');
}

/**
 * Resolve a plugin package as the user named it to the file to import:
 * - a path (`./x`, `../x`, `/abs/x`), relative to `pathBase`: a file as it is,
 *   a folder through its `package.json` (`exports`, `main`) or its `index.js`;
 * - a package name (`@scope/pkg`, `pkg/register`), looked up in the
 *   `node_modules` folders from `nameBase` upwards, as Node does.
 *
 * Throws {@link PluginPackageError} (`hook: 'resolve'`) when there is nothing there.
 *
 * @param spec - The package or path.
 * @param where - Where it was named, for the error (`--plugin`, `plugins[0]`).
 * @param pathBase - Folder relative paths start from.
 * @param nameBase - Folder package names are looked up from.
 */
export function resolvePluginSpec(spec: string, where: string, pathBase: string, nameBase: string): string {
  const fail = (received: string, expected: string): never => {
    throw new PluginPackageError('resolve', spec, 'plugin package not found', { path: where, expected, received });
  };
  if (isPathSpec(spec)) {
    const target = path.resolve(pathBase, spec);
    const stat = statSync(target, { throwIfNoEntry: false });
    if (!stat) return fail(`nothing at ${target}`, 'a plugin file or package folder');
    if (stat.isFile()) return target;
    const entry = packageEntry(target);
    if (!entry || !existsSync(entry)) return fail(`a folder without an entry file (${entry ?? 'no "." export'})`, 'a package folder whose package.json exports "." (or an index.js)');
    return entry;
  }
  const { name, subpath } = splitPackageSpec(spec);
  if (!PACKAGE_NAME.test(name)) return fail(JSON.stringify(spec), "an npm package name (e.g. '@acme/npde-dispersion') or a path starting with ./, ../ or /");
  for (let dir = path.resolve(nameBase); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) {
      const entry = packageEntry(candidate, subpath);
      if (!entry || !existsSync(entry)) return fail(`${candidate} has no entry for '${subpath}'${entry ? ` (${entry} is missing; is it built?)` : ''}`, `a package that exports '${subpath}'`);
      return entry;
    }
    if (path.dirname(dir) === dir) break;
  }
  return fail(`no node_modules/${name} in ${path.resolve(nameBase)} or above`, 'an installed package (npm install it) or a path to one');
}
