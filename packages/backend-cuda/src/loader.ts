import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { cudaRequirements } from './errors.js';

/** Where `@tensorflow/tfjs-node-gpu` resolves from this package: its entry file and package folder. */
export interface TfjsNodeGpuLocation {
  /** Absolute path of the package's main file. */
  readonly entry: string;
  /** Absolute path of the package folder. */
  readonly packageDir: string;
}

/**
 * Resolve `@tensorflow/tfjs-node-gpu` the way Node would from this package,
 * without loading it. Returns the resolution error when it is not installed.
 */
export function resolveTfjsNodeGpu(): TfjsNodeGpuLocation | { error: Error } {
  try {
    const require = createRequire(import.meta.url);
    const manifest = require.resolve(`${cudaRequirements.package}/package.json`);
    return { entry: require.resolve(cudaRequirements.package), packageDir: path.dirname(manifest) };
  } catch (err) {
    return { error: err instanceof Error ? err : new Error(String(err)) };
  }
}

/**
 * The native addon (`lib/napi-v<N>/tfjs_binding.node`) that the package's install
 * script fetches, or `undefined` when the script never ran.
 */
export function findNativeAddon(packageDir: string): string | undefined {
  const lib = path.join(packageDir, 'lib');
  if (!existsSync(lib)) return undefined;
  return readdirSync(lib)
    .filter((d) => /^napi-v\d+$/.test(d))
    .map((d) => path.join(lib, d, 'tfjs_binding.node'))
    .find((f) => existsSync(f));
}

/**
 * Load `@tensorflow/tfjs-node-gpu` from `entry`. The specifier is a runtime
 * string, so TypeScript never resolves the (usually absent) package or its types.
 * Loading it registers the `tensorflow` tfjs backend and makes it active.
 */
export async function importTfjsNodeGpu(entry: string): Promise<unknown> {
  const specifier: string = pathToFileURL(entry).href;
  return import(specifier);
}
