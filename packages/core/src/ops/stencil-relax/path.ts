import { tf } from '../../tensor/tf.js';
import type { StencilActivation } from './activations.js';
import { STENCIL_RELAX_GRAD_KERNEL, STENCIL_RELAX_KERNEL } from './kernel-attrs.js';

/**
 * How a backend's fused stencil kernels run, as their package reports it with
 * {@link setFusedPathInfo}: `zero-copy` (directly on the backend's memory), `copy`
 * (through copies of the inputs and outputs) or `cpu` (plain-TypeScript kernels of the
 * `cpu` backend, as `@npde/backend-cpu` registers). The contract's long forms (`fused-zero-copy`, ...) are accepted too.
 */
export type FusedPathMode = 'zero-copy' | 'copy' | 'cpu' | 'fused-zero-copy' | 'fused-copy' | 'fused-cpu';

/** What a backend package says about its fused stencil kernels (see {@link setFusedPathInfo}). */
export interface FusedPathInfo {
  /** How the kernels run. */
  readonly mode: FusedPathMode;
  /** Why, in words (e.g. which memory the kernel reads, or why it has to copy). */
  readonly reason: string;
  /**
   * The activations (entries of `FUSED_ACTIVATIONS`) the kernels implement; left out,
   * every entry. For any other activation `stencilRelax` runs the tfjs-op path there.
   */
  readonly activations?: readonly StencilActivation[];
}

/**
 * The contract's name of what {@link stencilRelax} runs: a fused kernel in one of its
 * modes, `fused` for a fused kernel whose backend reported no mode, or the op path.
 */
export type StencilRelaxMode = 'fused-zero-copy' | 'fused-copy' | 'fused-cpu' | 'fused' | 'op-path';

/** What {@link stencilRelaxPath} reports. */
export interface StencilRelaxPathInfo {
  /** `fused` when the active backend has both stencil kernels registered, else `op-path`. */
  readonly path: 'fused' | 'op-path';
  /** The finer mode: `fused-zero-copy`, `fused-copy`, `fused-cpu`, `fused` (no mode reported) or `op-path`. */
  readonly mode: StencilRelaxMode;
  /** The active tfjs backend's name. */
  readonly backend: string;
  /** Why this path runs, in words. */
  readonly reason: string;
}

const infos = new Map<string, FusedPathInfo>();

/**
 * Record how the fused stencil kernels of `backendName` run, for {@link stencilRelaxPath}
 * to report (a backend package calls it when it registers its kernels, e.g.
 * `setFusedPathInfo('wasm', { mode: 'zero-copy', reason: '…' })`). It does not register
 * or enable anything: the path is fused only while both kernels are registered.
 */
export function setFusedPathInfo(backendName: string, info: FusedPathInfo): void {
  const activations = info.activations === undefined ? undefined : Object.freeze([...info.activations]);
  infos.set(backendName, Object.freeze({ mode: info.mode, reason: info.reason, ...(activations ? { activations } : {}) }));
}

/** What {@link setFusedPathInfo} recorded for `backendName`, if anything. */
export function getFusedPathInfo(backendName: string): FusedPathInfo | undefined {
  return infos.get(backendName);
}

/** Forget what {@link setFusedPathInfo} recorded for `backendName`. */
export function clearFusedPathInfo(backendName: string): void {
  infos.delete(backendName);
}

/**
 * Whether `stencilRelax` (the op behind every fused block step) runs fused on `backendName`: both `NpdeStencilRelax` and
 * `NpdeStencilRelaxGrad` are registered there and, when `activation` is given, the
 * backend's package reported no activation list or one that includes it.
 */
export function hasFusedStencilRelax(backendName: string, activation?: StencilActivation): boolean {
  if (tf.getKernel(STENCIL_RELAX_KERNEL, backendName) == null || tf.getKernel(STENCIL_RELAX_GRAD_KERNEL, backendName) == null) return false;
  const implemented = infos.get(backendName)?.activations;
  return activation === undefined || implemented === undefined || implemented.includes(activation);
}

/**
 * Which path {@link stencilRelax} takes on the active backend now, and why: `fused`
 * when the backend has both stencil kernels registered (with the mode its package
 * reported through {@link setFusedPathInfo}), else `op-path` (the tfjs-op reference).
 * Given an `activation`, also `op-path` when the backend's kernels do not implement it.
 * Calling it initializes the default backend if none is active yet.
 *
 * @param activation - the step's activation; left out, the path of an activation the kernels implement.
 */
export function stencilRelaxPath(activation?: StencilActivation): StencilRelaxPathInfo {
  const backend = tf.getBackend();
  const forward = tf.getKernel(STENCIL_RELAX_KERNEL, backend) != null;
  const backward = tf.getKernel(STENCIL_RELAX_GRAD_KERNEL, backend) != null;
  if (forward && backward) {
    const info = infos.get(backend);
    if (!info) {
      return { path: 'fused', mode: 'fused', backend, reason: `fused ${STENCIL_RELAX_KERNEL} kernels are registered for backend '${backend}' (its package reported no mode)` };
    }
    if (activation !== undefined && info.activations !== undefined && !info.activations.includes(activation)) {
      return {
        path: 'op-path',
        mode: 'op-path',
        backend,
        reason: `the fused kernels of backend '${backend}' do not implement activation '${activation}' (they implement ${info.activations.map((a) => `'${a}'`).join(', ') || 'none'}): running the tfjs-op reference`,
      };
    }
    const mode = (info.mode.startsWith('fused-') ? info.mode : `fused-${info.mode}`) as StencilRelaxMode;
    return { path: 'fused', mode, backend, reason: info.reason };
  }
  const missing = [forward ? '' : STENCIL_RELAX_KERNEL, backward ? '' : STENCIL_RELAX_GRAD_KERNEL].filter(Boolean).join(' and ');
  return {
    path: 'op-path',
    mode: 'op-path',
    backend,
    reason: `no ${missing} kernel registered for backend '${backend}': running the tfjs-op reference (slice/concat/pad, multiply, sum, activation)`,
  };
}
