import { defineBackend, tf, v } from '@npde/core';
import type { BackendAvailability } from '@npde/core';
import { CUDA_BACKEND_ID, CUDA_INSTALL_HINT, cudaRequirements, cudaUnavailable } from './errors.js';
import { nvidiaGpuVisibility } from './gpu-visibility.js';
import { findNativeAddon, importTfjsNodeGpu, resolveTfjsNodeGpu } from './loader.js';

/** The tfjs backend name `@tensorflow/tfjs-node-gpu` registers. */
const TF_BACKEND = 'tensorflow';
const PKG = cudaRequirements.package;

/** The fields of tfjs-node's `NodeJSKernelBackend` this adapter reads. */
interface NodeKernelBackend {
  /** True when the backend came from `@tensorflow/tfjs-node-gpu` (not the CPU build `@tensorflow/tfjs-node`). */
  readonly isGPUPackage?: boolean;
  /** True when TensorFlow found a GPU device. */
  readonly isUsingGpuDevice?: boolean;
}

function platformProblem(): string | undefined {
  const ok = (process.platform === 'linux' || process.platform === 'win32') && process.arch === 'x64';
  return ok ? undefined : `${process.platform}-${process.arch}`;
}

const rebuildHint =
  `Its install script did not run or could not download libtensorflow ${cudaRequirements.libtensorflow}. ` +
  `Run \`npm rebuild ${PKG}\` on a machine that can reach storage.googleapis.com (install scripts must not be disabled), ` +
  `or reinstall: npm install ${PKG}@${cudaRequirements.version}.`;

const noGpuHint =
  'Check that `nvidia-smi` lists the GPU, that CUDA_VISIBLE_DEVICES does not hide it, and that the CUDA 11 and cuDNN 8 libraries ' +
  '(libcudart.so.11.0, libcublas.so.11, libcudnn.so.8, ...) are on the library path, e.g. ' +
  'LD_LIBRARY_PATH=/usr/local/cuda-11.8/lib64:$LD_LIBRARY_PATH. TensorFlow logs each library it could not load ' +
  "(\"Could not load dynamic library ...\") above this error. On a machine without an NVIDIA GPU use the 'wasm' backend.";

async function restoreBackend(previous: string | null | undefined): Promise<void> {
  if (previous && previous !== TF_BACKEND && tf.getBackend() === TF_BACKEND) await tf.setBackend(previous);
}

/**
 * The TensorFlow C library on an NVIDIA GPU, through the optional peer
 * dependency `@tensorflow/tfjs-node-gpu@4.22.0` (it registers the tfjs backend
 * named `tensorflow`). Priority 10: below `wasm` (20), above `cpu` (1), so it is
 * used when asked for: by its alias `'cuda'`, its tfjs name `'tensorflow'` or its
 * id `'@npde/backend-cuda/cuda'`.
 *
 * `setup()` loads the package lazily and fails with a `BackendUnavailableError`
 * (`NPDE_BACKEND_UNAVAILABLE`) whose hint says what to do when the package is
 * not installed, its native addon is missing, or TensorFlow sees no GPU (it
 * would otherwise run silently on the CPU). `probe()` answers the same question
 * cheaply, without loading anything, and never throws.
 * See {@link cudaRequirements} for the CUDA and cuDNN versions.
 *
 * @example
 * ```ts
 * import { Registry } from '@npde/core';
 * import { cpuBackend } from '@npde/backend-cpu';
 * import { cudaBackend } from '@npde/backend-cuda';
 *
 * const registry = new Registry().register(cudaBackend, cpuBackend);
 * console.log(await cudaBackend.probe!()); // { available: false, reason: '@tensorflow/tfjs-node-gpu is not installed. On a Linux ...' }
 * const report = await registry.ready({ backend: ['cuda', 'cpu'] }); // falls back to cpu; report.failed says why
 * ```
 */
export const cudaBackend = defineBackend({
  id: CUDA_BACKEND_ID,
  name: TF_BACKEND,
  aliases: ['cuda'],
  description: 'TensorFlow C library on an NVIDIA GPU via @tensorflow/tfjs-node-gpu (optional; Linux x86-64, CUDA 11, cuDNN 8)',
  priority: 10,
  options: v.strictObject({}),

  async setup(): Promise<void> {
    const platform = platformProblem();
    if (platform) {
      throw cudaUnavailable(`${PKG} does not support this platform`, {
        expected: 'Linux x86-64 (or Windows x86-64)',
        received: platform,
        hint: CUDA_INSTALL_HINT,
      });
    }
    const located = resolveTfjsNodeGpu();
    if ('error' in located) {
      throw cudaUnavailable(`${PKG} is not installed`, {
        expected: `${PKG}@${cudaRequirements.version} (an optional peer dependency of @npde/backend-cuda)`,
        received: 'nothing: Node cannot resolve it from @npde/backend-cuda',
        hint: CUDA_INSTALL_HINT,
      });
    }

    const previous = tf.getBackend() as string | null | undefined;
    try {
      await importTfjsNodeGpu(located.entry);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      const addonMissing = /tfjs_binding\.node/.test(msg);
      throw cudaUnavailable(addonMissing ? `${PKG} is installed but its native addon is missing` : `${PKG} is installed but failed to load`, {
        expected: `${PKG} with its native addon and libtensorflow ${cudaRequirements.libtensorflow}`,
        received: msg.split('\n')[0],
        hint: addonMissing ? rebuildHint : `${noGpuHint} If the error names a missing library, install it; otherwise reinstall ${PKG}@${cudaRequirements.version}.`,
        cause: err,
      });
    }

    if (!tf.findBackendFactory(TF_BACKEND)) {
      throw cudaUnavailable(`${PKG} loaded but registered no '${TF_BACKEND}' backend with the tfjs that @npde/core uses`, {
        hint: 'Two copies of @tensorflow/tfjs-core are probably installed; `npm ls @tensorflow/tfjs-core` shows them. Dedupe to one 4.22.0.',
      });
    }
    const backend = tf.findBackend(TF_BACKEND) as unknown as NodeKernelBackend | null;
    if (!backend) {
      throw cudaUnavailable(`the '${TF_BACKEND}' backend failed to initialize`, { hint: noGpuHint });
    }
    if (backend.isGPUPackage === false) {
      await restoreBackend(previous);
      throw cudaUnavailable(`the '${TF_BACKEND}' backend is the CPU build @tensorflow/tfjs-node, not ${PKG}`, {
        expected: `'${TF_BACKEND}' registered by ${PKG}`,
        received: `'${TF_BACKEND}' registered by @tensorflow/tfjs-node (loaded first)`,
        hint: `Uninstall @tensorflow/tfjs-node (or never import it) so that ${PKG} provides '${TF_BACKEND}'.`,
      });
    }
    if (backend.isUsingGpuDevice !== true) {
      await restoreBackend(previous);
      const seen = nvidiaGpuVisibility();
      throw cudaUnavailable(`${PKG} loaded, but TensorFlow found no GPU (it would run on the CPU)`, {
        expected: 'a CUDA GPU visible to TensorFlow',
        received: seen.reason ?? `no GPU device (CUDA_VISIBLE_DEVICES=${process.env['CUDA_VISIBLE_DEVICES'] ?? 'unset'})`,
        hint: noGpuHint,
      });
    }
  },

  async probe(): Promise<BackendAvailability> {
    try {
      const platform = platformProblem();
      if (platform) return { available: false, reason: `${PKG} does not support ${platform}. ${CUDA_INSTALL_HINT}` };
      const located = resolveTfjsNodeGpu();
      if ('error' in located) return { available: false, reason: `${PKG} is not installed. ${CUDA_INSTALL_HINT}` };
      if (!findNativeAddon(located.packageDir)) {
        return { available: false, reason: `${PKG} is installed but its native addon (lib/napi-v*/tfjs_binding.node) is missing. ${rebuildHint}` };
      }
      const gpu = nvidiaGpuVisibility();
      if (!gpu.visible) return { available: false, reason: `${gpu.reason}. ${noGpuHint}` };
      return { available: true };
    } catch (err) {
      return { available: false, reason: `could not check ${PKG}: ${err instanceof Error ? err.message : String(err)}` };
    }
  },
});
