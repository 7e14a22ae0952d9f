import { tf, type Tensor } from '../../tensor/tf.js';
import { CHANNEL_STENCIL_GRAD_KERNEL, CHANNEL_STENCIL_KERNEL } from './kernel-attrs.js';

/**
 * The gradient of the `NpdeChannelStencil` kernel on every backend: one call of the
 * backend's `NpdeChannelStencilGrad` with the upstream gradient and the saved inputs,
 * handing out its five outputs.
 */
export const channelStencilGradConfig: tf.GradConfig = Object.freeze({
  kernelName: CHANNEL_STENCIL_KERNEL,
  inputsToSave: ['z', 'taps', 'mixing', 'omega', 'bias'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: tf.NamedAttrMap) => {
    const [z, taps, mixing, omega, bias] = saved as [Tensor, Tensor, Tensor, Tensor, Tensor];
    const upstream = Array.isArray(dy) ? dy[0]! : dy;
    const [dz, dtaps, dmixing, domega, dbias] = tf.engine().runKernel(CHANNEL_STENCIL_GRAD_KERNEL, { dy: upstream, z, taps, mixing, omega, bias }, attrs) as Tensor[];
    return { z: () => dz!, taps: () => dtaps!, mixing: () => dmixing!, omega: () => domega!, bias: () => dbias! };
  },
});

/** Register {@link channelStencilGradConfig} with tfjs, once (later calls do nothing). */
export function registerChannelStencilGradient(): void {
  if (tf.getGradient(CHANNEL_STENCIL_KERNEL) == null) tf.registerGradient(channelStencilGradConfig);
}
