import {
  channelStencilRelax,
  channelStencilRelaxReference,
  resolveField,
  tf,
  type ChannelStencilConfig,
  type FieldSpec,
  type KernelInstance,
  type Scalar,
  type Tensor1D,
  type Tensor2D,
} from '@npde/core';
import { checkBlockFusion, referenceEuler, referenceNoReservoir, referenceTanh, type FusionCheckReport } from '@npde/core/testing';

/** Largest |a − b| relative to max(1, max |b|). */
function relative(a: Tensor2D, b: Tensor2D): number {
  return tf.tidy(() => tf.div(tf.max(tf.abs(tf.sub(a, b))), tf.maximum(1, tf.max(tf.abs(b)))).dataSync()[0]!);
}

/**
 * W z read from a kernel's channel form (`channelStencil()`, through the op path and through
 * the backend's fused kernel, identity activation, ω = 1, no bias) against the kernel's own
 * `apply()`, per layer: the largest relative error of each over `layers` layers.
 */
export function channelFormError(kernel: KernelInstance, size: number, channels: number, layers: number, seed: number): { reference: number; fused: number } {
  return tf.tidy(() => {
    let reference = 0;
    let fused = 0;
    const z = tf.randomNormal([3, size], 0, 1, 'float32', seed) as Tensor2D;
    for (let l = 0; l < layers; l++) {
      const s = kernel.channelStencil!(l);
      const config: ChannelStencilConfig = { height: s.height, width: s.width, channels: s.channels, points: s.points, boundary: s.boundary, activation: 'identity' };
      const args = [z, s.taps, s.mixing, tf.scalar(1) as Scalar, tf.zeros([channels]) as Tensor1D, config] as const;
      const want = kernel.apply(z, l);
      reference = Math.max(reference, relative(channelStencilRelaxReference(...args), want));
      fused = Math.max(fused, relative(channelStencilRelax(...args), want));
    }
    return { reference, fused };
  });
}

/**
 * `checkBlockFusion` of `kernel` in a two-layer block with core's reference tanh, Euler and
 * no reservoir: the fused steps against their composition (states and every gradient).
 * On wasm the bias is shared by the layers: per-layer biases are gathered, and
 * tfjs-backend-wasm 4.22 has no UnsortedSegmentSum for gather's gradient.
 */
export function channelBlockFusion(kernel: KernelInstance, field: FieldSpec, backend: 'cpu' | 'wasm', label: string): FusionCheckReport {
  const ctx = { field: resolveField(field), layers: 2, seed: 1, options: {} } as never;
  const parts = { kernel, activation: referenceTanh.create(ctx), integrator: referenceEuler.create(ctx), reservoir: referenceNoReservoir.create(ctx) };
  return checkBlockFusion(parts, { layers: 2, label, bias: backend === 'wasm' ? 'shared' : 'per-layer' });
}
