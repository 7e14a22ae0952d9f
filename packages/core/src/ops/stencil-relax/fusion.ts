import type { ActivationInstance, IntegratorInstance, KernelInstance, ReservoirInstance } from '../../plugins/types.js';
import { tf, type Scalar, type Tensor1D, type Tensor2D } from '../../tensor/tf.js';
import { STENCIL_ACTIVATIONS, isStencilActivation } from './activations.js';
import { stencilRelax } from './stencil-relax.js';
import { fusedChannelStep, usesChannelStencil } from '../channel-stencil/fusion.js';

/** The parts of a relaxation block that decide whether its steps can be fused. */
export interface RelaxationParts {
  /** The block's kernel. */
  readonly kernel: KernelInstance;
  /** The block's activation. */
  readonly activation: ActivationInstance;
  /** The block's integrator. */
  readonly integrator: IntegratorInstance;
  /** The block's reservoir. */
  readonly reservoir: ReservoirInstance;
}

/**
 * Why the steps of a block with these parts cannot run as one fused
 * stencil-relaxation op, in words, or `undefined` when they can: the kernel
 * offers `stencil()` (or `channelStencil()`, run by `channelStencilRelax`), the activation names an entry of the op's activation table
 * (`FUSED_ACTIVATIONS`) and has no parameters, the integrator is the plain Euler
 * relaxation, and the reservoir is inert.
 *
 * These are claims the parts make about themselves; the conformance kit checks
 * them (`checkKernelFamily` compares `stencil()` with `apply()`, `checkBlockFusion`
 * a fused block with its unfused composition).
 */
export function fusionBlocker(parts: RelaxationParts): string | undefined {
  if (typeof parts.kernel.stencil !== 'function' && typeof parts.kernel.channelStencil !== 'function') return 'the kernel has no stencil form';
  const claimed = parts.activation.stencilActivation;
  if (claimed === undefined) return 'the activation is not one the fused op implements';
  if (!isStencilActivation(claimed)) {
    return `the activation claims stencilActivation '${String(claimed)}', which is not in the fused op's table (${STENCIL_ACTIVATIONS.join(', ')})`;
  }
  if (parts.activation.params && Object.keys(parts.activation.params).length > 0) return 'the activation has parameters';
  if (parts.integrator.relaxation !== 'euler') return 'the integrator is not the Euler relaxation';
  if (parts.reservoir.inert !== true) return 'the reservoir is not inert';
  return undefined;
}

/**
 * One fused step `z' = (1 − ω) z + ω f(W_l z − b)` of a block whose parts pass
 * {@link fusionBlocker}; `bias` is `[size]` or undefined for none.
 * Differentiable in z, the kernel's parameters, ω and b. Runs `stencilRelax`, so
 * the active backend's fused kernel where it implements the activation, else the
 * tfjs-op path (`stencilRelaxPath(activation)` says which).
 */
export function fusedRelaxStep(parts: RelaxationParts, z: Tensor2D, layer: number, omega: Scalar, bias: Tensor1D | undefined): Tensor2D {
  if (usesChannelStencil(parts.kernel)) return fusedChannelStep(parts.kernel, parts.activation.stencilActivation!, z, layer, omega, bias);
  const { taps, geometry, boundary } = parts.kernel.stencil!(layer);
  const b = bias ?? (tf.zeros([z.shape[1]]) as Tensor1D);
  return stencilRelax(z, taps, omega, b, { geometry, boundary, activation: parts.activation.stencilActivation! });
}
