import { ErrorCodes, ShapeError, ValidationError } from '../../errors/errors.js';
import { tf, type Scalar, type Tensor, type Tensor2D } from '../../tensor/tf.js';
import type { StencilActivation } from './activations.js';
import { siteCount, tapCount, validateStencilRelaxConfig, type StencilRelaxConfig } from './config.js';
import { stencilRelaxAttrs, type StencilRelaxAttrs } from './kernel-attrs.js';
import { getFusedPathInfo, hasFusedStencilRelax } from './path.js';
import { stencilRelax } from './stencil-relax.js';

/**
 * Name of the whole-trajectory forward kernel: inputs `{ z [B, S], taps [S, K] or
 * [L, S, K], omega [], bias [S] or [L, S] }`, attrs {@link StencilTrajectoryAttrs};
 * outputs `[out [B, S], states [L, B, S], cache]` with `states[l]` = z_l, the input of
 * step l (states[0] = z), out = z_L, and `cache` whatever the same backend's backward
 * kernel wants besides the states (backend-defined; shape `[0]` for nothing; the wasm
 * backend keeps f(u_l) as `[L, B, S]`, so that its backward need not recompute them).
 */
export const STENCIL_TRAJECTORY_KERNEL = 'NpdeStencilRelaxTrajectory';

/**
 * Name of the whole-trajectory backward kernel: inputs `{ dy [B, S], states [L, B, S],
 * cache, taps, omega, bias }` (as the forward's outputs and inputs), outputs `[dz [B, S], dtaps (taps' shape),
 * domega [], dbias (bias' shape)]`: the gradients of sum(dy ⊙ z_L), shared taps'
 * and bias' gradients summed over the L steps.
 */
export const STENCIL_TRAJECTORY_GRAD_KERNEL = 'NpdeStencilRelaxTrajectoryGrad';

/** The attrs of both trajectory kernels: the step's attrs plus the step count. */
export interface StencilTrajectoryAttrs extends StencilRelaxAttrs {
  /** L ≥ 1, the number of steps. */
  readonly layers: number;
}

/**
 * The gradient of `NpdeStencilRelaxTrajectory`: one `NpdeStencilRelaxTrajectoryGrad`
 * call with the upstream gradient of `out` and the saved states and cache (the
 * `states` and `cache` outputs are never differentiated: they only carry the
 * forward's intermediate fields to the backward).
 */
export const stencilTrajectoryGradConfig: tf.GradConfig = Object.freeze({
  kernelName: STENCIL_TRAJECTORY_KERNEL,
  inputsToSave: ['taps', 'omega', 'bias'],
  outputsToSave: [false, true, true],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: tf.NamedAttrMap) => {
    const [taps, omega, bias, states, cache] = saved as [Tensor, Tensor, Tensor, Tensor, Tensor];
    const upstream = Array.isArray(dy) ? dy[0]! : dy;
    const [dz, dtaps, domega, dbias] = tf.engine().runKernel(STENCIL_TRAJECTORY_GRAD_KERNEL, { dy: upstream, states, cache, taps, omega, bias }, attrs) as Tensor[];
    return { z: () => dz!, taps: () => dtaps!, omega: () => domega!, bias: () => dbias! };
  },
});

/** Register {@link stencilTrajectoryGradConfig} with tfjs, once. */
export function registerStencilTrajectoryGradient(): void {
  if (tf.getGradient(STENCIL_TRAJECTORY_KERNEL) == null) tf.registerGradient(stencilTrajectoryGradConfig);
}

/**
 * The fused forward as a custom-gradient function of (z, taps, ω, bias) whose only output
 * on the tape is z_L: the intermediate fields (states and cache) go to the backward as saved
 * tensors, not as further outputs on the tape (tfjs would build a host-side zero gradient of `[L, B, S]` for an
 * undifferentiated output at every backward pass: about 2 MB and 6 ms per step at the
 * demo's size). Without a tape the fields are freed with the forward's scope.
 */
function fusedTrajectory(attrs: tf.NamedAttrMap): (z: Tensor2D, taps: Tensor, omega: Scalar, bias: Tensor) => Tensor2D {
  const f = (z: Tensor, taps: Tensor, omega: Tensor, bias: Tensor, save: tf.GradSaveFunc) => {
    const [out, states, cache] = tf.engine().runKernel(STENCIL_TRAJECTORY_KERNEL, { z, taps, omega, bias }, attrs) as [Tensor2D, Tensor, Tensor];
    save([taps, omega, bias, states, cache]);
    return {
      value: out,
      gradFunc: (dy: Tensor2D, saved: Tensor[]) => {
        const [t, o, b, st, c] = saved as [Tensor, Tensor, Tensor, Tensor, Tensor];
        return tf.engine().runKernel(STENCIL_TRAJECTORY_GRAD_KERNEL, { dy, states: st, cache: c, taps: t, omega: o, bias: b }, attrs) as Tensor[];
      },
    };
  };
  return tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (z: Tensor2D, taps: Tensor, omega: Scalar, bias: Tensor) => Tensor2D;
}

/**
 * Whether {@link stencilRelaxTrajectory} runs as one kernel call each way on
 * `backendName`: both trajectory kernels are registered there and the backend's
 * fused step kernels implement `activation` (the trajectory kernels are built on them).
 */
export function hasFusedStencilTrajectory(backendName: string, activation?: StencilActivation): boolean {
  if (tf.getKernel(STENCIL_TRAJECTORY_KERNEL, backendName) == null || tf.getKernel(STENCIL_TRAJECTORY_GRAD_KERNEL, backendName) == null) return false;
  if (!hasFusedStencilRelax(backendName, activation)) return false;
  const implemented = getFusedPathInfo(backendName)?.activations;
  return activation === undefined || implemented === undefined || implemented.includes(activation);
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function checkTrajectoryInputs(z: Tensor2D, taps: Tensor, omega: Scalar, bias: Tensor, layers: number, config: StencilRelaxConfig): void {
  if (!Number.isInteger(layers) || layers < 1) {
    throw new ValidationError(ErrorCodes.INVALID_OPTIONS, 'a trajectory needs a whole number of steps ≥ 1', { path: 'layers', expected: 'an integer ≥ 1', received: String(layers) });
  }
  const S = siteCount(config.geometry);
  const K = tapCount(config.geometry);
  const check = (name: string, t: unknown, options: readonly (readonly (number | 'B')[])[]) => {
    if (!(t instanceof tf.Tensor)) {
      throw new ValidationError(ErrorCodes.INVALID_OPTIONS, 'not a tensor', { path: name, expected: 'a float32 tf.Tensor', received: typeof t });
    }
    const ok = options.some((exp) => t.rank === exp.length && exp.every((d, i) => d === 'B' || t.shape[i] === d));
    if (!ok) {
      throw new ShapeError(ErrorCodes.SHAPE_MISMATCH, 'tensor shape does not match the stencil trajectory', {
        path: name,
        expected: options.map((o) => (o.length === 0 ? 'a scalar (shape [])' : `[${o.join(', ')}]`)).join(' or '),
        received: shapeText(t.shape),
        hint: `S = ${S} sites, K = ${K} taps per site and L = ${layers} steps: shared taps/bias have no leading L axis, per-step ones have.`,
      });
    }
    if (t.dtype !== 'float32') throw new ValidationError(ErrorCodes.INVALID_OPTIONS, 'wrong dtype', { path: `${name}.dtype`, expected: "'float32'", received: t.dtype });
  };
  check('z', z, [['B', S]]);
  check('taps', taps, [[S, K], [layers, S, K]]);
  check('omega', omega, [[]]);
  check('bias', bias, [[S], [layers, S]]);
}

/** Layer `l`'s slice of a shared (`rank` = `sharedRank`) or per-step tensor. */
function layerOf<T extends Tensor>(t: Tensor, l: number, sharedRank: number): T {
  if (t.rank === sharedRank) return t as T;
  return tf.squeeze(tf.slice(t, [l], [1]), [0]) as T;
}

/**
 * L Euler relaxation steps with banded W (each the step of {@link stencilRelax}):
 *
 *     z_{l+1} = (1 − ω) z_l + ω f(W_l z_l − b_l),   l = 0 … L − 1
 *
 * returning z_L. `taps` is `[S, K]` (the same W every step) or `[L, S, K]`, `bias`
 * `[S]` or `[L, S]`. Where the active backend registers the trajectory kernels
 * ({@link hasFusedStencilTrajectory}) the whole forward is one kernel call that keeps
 * the intermediate fields, and the whole backward one call that returns the input's
 * gradient and the taps', ω's and bias' gradients accumulated over the steps;
 * elsewhere it runs L {@link stencilRelax} calls (fused per step, or the op path).
 * Differentiable in z, taps, ω and bias either way.
 *
 * @param z - the field, `[B, S]` float32.
 * @param taps - `[S, K]` shared or `[L, S, K]` per step.
 * @param omega - ω, a scalar.
 * @param bias - `[S]` shared or `[L, S]` per step.
 * @param layers - L ≥ 1.
 * @param config - geometry, boundary and activation.
 * @returns z_L, `[B, S]`.
 *
 * @example
 * ```ts
 * const cfg = { geometry: { dims: 1, sites: 64, radius: 1 }, boundary: 'periodic', activation: 'tanh' } as const;
 * const zL = stencilRelaxTrajectory(z, taps, tf.scalar(0.5), tf.zeros([64]), 8, cfg);
 * ```
 */
export function stencilRelaxTrajectory(z: Tensor2D, taps: Tensor, omega: Scalar, bias: Tensor, layers: number, config: StencilRelaxConfig): Tensor2D {
  validateStencilRelaxConfig(config);
  checkTrajectoryInputs(z, taps, omega, bias, layers, config);
  if (hasFusedStencilTrajectory(tf.getBackend(), config.activation)) {
    registerStencilTrajectoryGradient();
    const attrs = { ...stencilRelaxAttrs(config), layers } as unknown as tf.NamedAttrMap;
    return fusedTrajectory(attrs)(z, taps, omega, bias);
  }
  // The intermediate fields and layer slices are freed here (what the tape needs it keeps itself).
  return tf.tidy(() => {
    let next = z;
    for (let l = 0; l < layers; l++) {
      next = stencilRelax(next, layerOf(taps, l, 2), omega, layerOf(bias, l, 1), config);
    }
    return next;
  });
}
