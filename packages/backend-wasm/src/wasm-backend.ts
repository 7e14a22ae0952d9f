import { defineBackend, tf, v } from '@npde/core';
import type { BackendAvailability, NpdeError } from '@npde/core';
import type * as TfjsWasm from '@tensorflow/tfjs-backend-wasm';
import { TFJS_WASM_PACKAGE, TFJS_WASM_VERSION, WASM_BACKEND_ID, wasmUnavailable } from './errors.js';
import { WASM_BINARIES, wasmBinaryFor, wasmSupport } from './wasm-files.js';
import { FUSED_KERNEL_ENV, FUSED_KERNEL_PREFERENCES, envFusedPreference, installFusedKernels, type FusedKernelPreference } from './fused/fused-kernels.js';
import { STENCIL_WASM_FILE, setStencilWasmUrl } from './fused/stencil-wasm.js';
import { CHANNEL_WASM_FILE, installChannelKernels } from './fused/channel-kernels.js';
import { WASM_HOST, locateTfjsWasm, missingWasmFiles, wasmDirectory, wasmPrefix } from '#wasm-host';

/** Options of {@link wasmBackend}. */
export interface WasmBackendOptions {
  /**
   * Where the `.wasm` files are, like tfjs's `setWasmPaths`: in a browser the
   * URL of the folder they are served from (relative URLs resolve against the
   * page), which must hold tfjs-backend-wasm's three binaries (from
   * `node_modules/@tensorflow/tfjs-backend-wasm/dist/`) and npde's
   * `stencil_relax.wasm` (from `node_modules/@npde/backend-wasm/wasm/`); in Node
   * a folder (path or `file:` URL) with tfjs's binaries. Leave it out in Node:
   * tfjs finds them in its own `dist/` folder. Left out in a browser, tfjs
   * fetches its binaries next to the page and the fused kernels from the
   * package's own URL (fine under bundlers that rewrite
   * `new URL(…, import.meta.url)`, such as Vite). Like {@link WasmBackendOptions.wasmPath},
   * it must be set before the backend first initializes.
   *
   * @example
   * ```ts
   * await registry.ready({ backend: 'wasm', backendOptions: { wasm: { wasmPaths: '/assets/wasm/' } } });
   * ```
   */
  readonly wasmPaths?: string;
  /**
   * Local directory that holds the tfjs-backend-wasm `.wasm` binaries (Node; the
   * same as {@link WasmBackendOptions.wasmPaths} there). Leave it out: in Node,
   * tfjs finds them in its own `dist/` folder. Set it (a local directory;
   * relative paths resolve against `process.cwd()`) only when a bundler or a
   * deploy step moved the binaries. It must be set before the wasm backend first
   * initializes (call `wasmBackend.setup({ wasmPath })` before
   * `registry.ready()`); it cannot be changed afterwards.
   */
  readonly wasmPath?: string;
  /**
   * The fused stencil kernels (`NpdeStencilRelax`, `NpdeStencilRelaxGrad`, which
   * `stencilRelax` from `@npde/core` runs): `auto` (default: zero-copy on the tfjs
   * heap when its checks pass, else copying), `copy` (always copy through the
   * kernels' own memory) or `off` (none: `stencilRelax` runs the tfjs-op path).
   * Left out, the environment variable `NPDE_WASM_FUSED` decides. The first
   * `setup()` of the process decides; `fusedKernelMode()` reports what runs.
   */
  readonly fusedKernels?: FusedKernelPreference;
}

const optionsSchema = v.strictObject({
  wasmPaths: v.optional(v.pipe(v.string(), v.nonEmpty('wasmPaths must be the URL (or folder) the .wasm files are served from'))),
  wasmPath: v.optional(v.pipe(v.string(), v.nonEmpty('wasmPath must be a directory path'))),
  fusedKernels: v.optional(v.picklist(FUSED_KERNEL_PREFERENCES as FusedKernelPreference[], `fusedKernels must be one of ${FUSED_KERNEL_PREFERENCES.join(', ')} (or set ${FUSED_KERNEL_ENV})`)),
});

type TfjsWasmModule = typeof TfjsWasm;

/** The directory passed to `setWasmPaths`, once one was. */
let configuredWasmDir: string | undefined;

function isInitialized(): boolean {
  return Object.prototype.hasOwnProperty.call(tf.engine().registry, 'wasm');
}

const installHint = `Install it next to @npde/backend-wasm: npm install ${TFJS_WASM_PACKAGE}@${TFJS_WASM_VERSION} (its version must equal @tensorflow/tfjs-core's).`;

async function loadTfjsWasm(): Promise<TfjsWasmModule> {
  try {
    return await import('@tensorflow/tfjs-backend-wasm');
  } catch (err) {
    throw wasmUnavailable(`cannot load ${TFJS_WASM_PACKAGE}`, {
      expected: `${TFJS_WASM_PACKAGE}@${TFJS_WASM_VERSION} resolvable from @npde/backend-wasm`,
      received: err instanceof Error ? err.message : String(err),
      hint: installHint,
      cause: err,
    });
  }
}

function alreadyInitialized(option: string, wasmPath: string): NpdeError {
  return wasmUnavailable(`${option} was given after the wasm backend had already initialized`, {
    expected: `${option} set before the first registry.ready() / tf.setBackend("wasm")`,
    received: `${option} ${JSON.stringify(wasmPath)}, backend already running with ${configuredWasmDir ?? 'the binaries in its own dist/ folder'}`,
    hint: `Call wasmBackend.setup({ ${option} }) at startup, before anything initializes the wasm backend.`,
  });
}

function applyWasmPath(mod: TfjsWasmModule, dir: string): void {
  if (configuredWasmDir === dir) return;
  try {
    mod.setWasmPaths(wasmPrefix(dir));
  } catch (err) {
    throw wasmUnavailable('tfjs-backend-wasm refused the wasmPath', {
      received: err instanceof Error ? err.message : String(err),
      hint: 'A failed wasm initialization cannot be retried with another path in the same process; restart with the right wasmPath.',
      cause: err,
    });
  }
  configuredWasmDir = dir;
}

/**
 * The tfjs WebAssembly backend (`@tensorflow/tfjs-backend-wasm`): npde's
 * default, with the highest priority of the built-in backends (20). SIMD is
 * used when the runtime supports it; threads are not available in Node.
 *
 * `setup()` loads the tfjs package (which registers the `wasm` backend with
 * tfjs) and checks that the `.wasm` binary it will fetch exists, so that a
 * missing file is reported by name instead of as a failed `tf.setBackend`.
 * In Node no path configuration is needed: tfjs reads the binaries from its
 * own `dist/` folder (see {@link WasmBackendOptions.wasmPath} when they moved).
 * In a browser the `.wasm` files are fetched by URL: serve them from one folder
 * and give its URL as {@link WasmBackendOptions.wasmPaths}. The Node-only file
 * access lives in `src/node/wasm-host.ts`, which the package.json `imports`
 * entry `#wasm-host` selects under the `node` condition, so browser bundles
 * never see it.
 *
 * `setup()` also registers npde's fused WASM SIMD stencil kernels for `wasm`
 * (see {@link WasmBackendOptions.fusedKernels} and `fusedKernelMode()`).
 *
 * @example
 * ```ts
 * import { Registry } from '@npde/core';
 * import { wasmBackend } from '@npde/backend-wasm';
 *
 * const registry = new Registry().register(wasmBackend);
 * await registry.ready({ backend: 'wasm' }); // { name: 'wasm', id: '@npde/backend-wasm/wasm', failed: [] }
 * ```
 */
export const wasmBackend = defineBackend<WasmBackendOptions>({
  id: WASM_BACKEND_ID,
  name: 'wasm',
  description: 'tfjs WebAssembly backend (XNNPACK, SIMD when available; the default)',
  priority: 20,
  options: optionsSchema,

  async setup(options: WasmBackendOptions): Promise<void> {
    const support = wasmSupport();
    if (!support.webAssembly) {
      throw wasmUnavailable('this JavaScript runtime has no WebAssembly', {
        expected: 'a runtime with a global WebAssembly object (Node 20, any current browser)',
        received: 'no global WebAssembly',
        hint: "Run on Node 20 or later, or use the 'cpu' backend.",
      });
    }
    const mod = await loadTfjsWasm();
    if (mod.version_wasm !== tf.version_core) {
      throw wasmUnavailable(`${TFJS_WASM_PACKAGE} does not match @tensorflow/tfjs-core`, {
        expected: `${TFJS_WASM_PACKAGE}@${tf.version_core}`,
        received: `${TFJS_WASM_PACKAGE}@${mod.version_wasm}`,
        hint: `Install matching versions: npm install ${TFJS_WASM_PACKAGE}@${tf.version_core}`,
      });
    }
    if (!tf.findBackendFactory('wasm')) {
      throw wasmUnavailable(`${TFJS_WASM_PACKAGE} loaded but its 'wasm' backend is not registered with the tfjs that @npde/core uses`, {
        hint: 'Two copies of @tensorflow/tfjs-core are probably installed; `npm ls @tensorflow/tfjs-core` shows them. Dedupe to one version.',
      });
    }

    if (options.wasmPaths !== undefined && options.wasmPath !== undefined && options.wasmPaths !== options.wasmPath) {
      throw wasmUnavailable('both wasmPaths and wasmPath were given', {
        expected: 'one of them (wasmPaths: a URL or folder; wasmPath: a folder, Node only)',
        received: `wasmPaths ${JSON.stringify(options.wasmPaths)}, wasmPath ${JSON.stringify(options.wasmPath)}`,
        hint: 'Give wasmPaths only; wasmPath is its older, Node-only name.',
      });
    }
    const option = options.wasmPaths !== undefined ? 'wasmPaths' : 'wasmPath';
    const given = options.wasmPaths ?? options.wasmPath;
    const wanted = given === undefined ? undefined : wasmDirectory(given);

    // In a browser the fused kernels are fetched from the same folder as tfjs's binaries.
    if (WASM_HOST === 'browser' && wanted !== undefined) setStencilWasmUrl(new URL(STENCIL_WASM_FILE, wanted));
    // The fused stencil kernels register before the backend initializes, so that their
    // setupFunc runs then (it chooses zero-copy or copy mode); failures only mean the op path.
    await installFusedKernels(options.fusedKernels, mod.version_wasm);
    await installChannelKernels(options.fusedKernels ?? envFusedPreference(), WASM_HOST === 'browser' && wanted !== undefined ? new URL(CHANNEL_WASM_FILE, wanted) : undefined, mod.version_wasm);

    if (isInitialized()) {
      if (wanted !== undefined && wanted !== configuredWasmDir) throw alreadyInitialized(option, given!);
      return;
    }
    const located = locateTfjsWasm();
    // A bundle may not resolve the package by name; tfjs then looks next to its own code, unchecked here.
    const dir = wanted ?? configuredWasmDir ?? ('distDir' in located ? located.distDir : undefined);
    if (dir !== undefined) {
      const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
      const threads = (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) === true;
      const binary = wasmBinaryFor(simd, threads);
      if ((await missingWasmFiles(dir, [binary])).length) {
        throw wasmUnavailable(`the WebAssembly binary '${binary}' is missing`, {
          expected: `${binary} in ${dir}`,
          received: `a ${WASM_HOST === 'browser' ? 'URL that does not serve it' : 'folder without it'} (tfjs ships ${WASM_BINARIES.join(', ')})`,
          hint:
            wanted !== undefined || configuredWasmDir !== undefined
              ? `Point ${option} at the folder that holds the .wasm files (they ship in node_modules/${TFJS_WASM_PACKAGE}/dist/).`
              : `Reinstall the package (npm install ${TFJS_WASM_PACKAGE}@${TFJS_WASM_VERSION}); if a bundler moved the files, copy them and set wasmPath.`,
        });
      }
    }
    if (wanted !== undefined) applyWasmPath(mod, wanted);
  },

  async probe(): Promise<BackendAvailability> {
    const support = wasmSupport();
    if (!support.webAssembly) return { available: false, reason: 'this JavaScript runtime has no WebAssembly' };
    // A browser fetches the binaries by URL; setup() checks the folder given as wasmPaths.
    if (WASM_HOST === 'browser') return { available: true };
    // Threads are never used in Node, so the needed binary depends on SIMD only.
    const binary = wasmBinaryFor(support.simd, false);
    let dir = configuredWasmDir;
    if (dir === undefined) {
      const found = locateTfjsWasm();
      if ('error' in found) {
        return { available: false, reason: `${TFJS_WASM_PACKAGE} cannot be resolved (${found.error.message.split('\n')[0]}). ${installHint}` };
      }
      dir = found.distDir;
    }
    if ((await missingWasmFiles(dir, [binary])).length) {
      return { available: false, reason: `${binary} is missing from ${dir}; reinstall ${TFJS_WASM_PACKAGE}@${TFJS_WASM_VERSION} or set wasmPath` };
    }
    return { available: true };
  },
});
