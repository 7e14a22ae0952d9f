import { tf } from '@npde/core';

/**
 * Buffers whose clones may share them instead of copying: the `states` and `cache`
 * outputs of the whole-trajectory forward kernel. Keyed by data id (a WeakSet, so a
 * disposed buffer's entry goes with its id).
 */
const shareable = new WeakSet<object>();

/** Let clones of this kernel output share its buffer (see {@link installSharingIdentity}). */
export function markShareable(info: tf.TensorInfo): void {
  shareable.add(info.dataId);
}

interface RefCountingBackend {
  incRef(dataId: tf.DataId): void;
}

let installed: tf.KernelConfig | null = null;

/**
 * Wrap the wasm backend's `Identity` kernel so that a clone of a buffer marked with
 * {@link markShareable} shares that buffer (one more reference, as tfjs-backend-wasm's
 * own Reshape does) instead of copying it; every other clone runs the original kernel.
 *
 * Why: tfjs keeps the tensors a kernel saves for its backward pass as clones
 * (`engine.clone` → `Identity`), and the wasm `Identity` copies. The trajectory forward
 * saves its states and cache, L·B·S floats each (2 MB apiece in the demo), so every
 * training step copied 4 MB for nothing: 0.2 ms of a 2.3 ms step. Sharing is safe for
 * these buffers: no kernel writes into its inputs, and the trajectory kernels hand them
 * to nobody else (`stencilRelaxTrajectory` returns only z_L).
 *
 * Idempotent; returns false (and changes nothing) when no wasm `Identity` is registered.
 */
export function installSharingIdentity(): boolean {
  const current = tf.getKernel('Identity', 'wasm');
  if (!current) return false;
  if (current === installed) return true;
  const original = current.kernelFunc;
  const config: tf.KernelConfig = Object.freeze({
    ...current,
    kernelFunc: (args: Parameters<tf.KernelFunc>[0]) => {
      const x = args.inputs['x'];
      if (x && shareable.has(x.dataId)) {
        (args.backend as unknown as RefCountingBackend).incRef(x.dataId);
        return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
      }
      return original(args);
    },
  }) as tf.KernelConfig;
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel(config);
  installed = config;
  return true;
}
