import { tf, type Tensor } from '../../tensor/tf.js';
import { STENCIL_RELAX_GRAD_KERNEL, STENCIL_RELAX_KERNEL } from './kernel-attrs.js';

/**
 * The gradient of the `NpdeStencilRelax` kernel, for every backend: it runs the
 * active backend's `NpdeStencilRelaxGrad` kernel once, with the upstream gradient and
 * the saved inputs `{ dy, z, taps, omega, bias }` and the forward attrs, and hands out
 * its four outputs `dz`, `dtaps`, `domega` (a scalar) and `dbias`.
 */
export const stencilRelaxGradConfig: tf.GradConfig = Object.freeze({
  kernelName: STENCIL_RELAX_KERNEL,
  inputsToSave: ['z', 'taps', 'omega', 'bias'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: tf.NamedAttrMap) => {
    const [z, taps, omega, bias] = saved as [Tensor, Tensor, Tensor, Tensor];
    const upstream = Array.isArray(dy) ? dy[0]! : dy;
    const [dz, dtaps, domega, dbias] = tf.engine().runKernel(STENCIL_RELAX_GRAD_KERNEL, { dy: upstream, z, taps, omega, bias }, attrs) as Tensor[];
    return { z: () => dz!, taps: () => dtaps!, omega: () => domega!, bias: () => dbias! };
  },
});

/**
 * Register {@link stencilRelaxGradConfig} with tfjs, once (a second call does nothing).
 * `stencilRelax` does it before it first runs a fused kernel; backend packages need not.
 */
export function registerStencilRelaxGradient(): void {
  if (tf.getGradient(STENCIL_RELAX_KERNEL) == null) tf.registerGradient(stencilRelaxGradConfig);
}
