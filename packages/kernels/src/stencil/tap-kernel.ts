import { tf, type KernelInstance, type KernelMoments, type KernelStencil, type ParamSet, type PhysicalQuantity, type Tensor, type Tensor2D } from '@npde/core';
import { assertLayer, assertMaxOrder } from '../instance/layer-index.js';
import { applyTaps, siteTaps, tapShape, type TapStencil } from './apply.js';
import { tapsToDense } from './dense.js';
import { fusedBoundary, fusedGeometry } from './footprint.js';
import { gridSites, type GridLayout } from './grid.js';
import { tapKernelMoments } from './moments.js';

/**
 * What {@link createTapKernel} needs: a homogeneous tap set per layer as a function of some parameters.
 *
 * @example
 * ```ts
 * const spec: TapKernelSpec = { id, grid, stencil, layers, params: { taps }, taps: () => taps, sameForEveryLayer: true };
 * ```
 */
export interface TapKernelSpec {
  /** Id of the kernel family (for errors). */
  readonly id: string;
  /** The field's grid. */
  readonly grid: GridLayout;
  /** Offsets, boundary and channel treatment of the taps. */
  readonly stencil: TapStencil;
  /** Number of layers. */
  readonly layers: number;
  /** The trainable parameters (owned by the instance: `dispose()` frees them). */
  readonly params: ParamSet;
  /**
   * Layer `layer`'s taps, shape `tapShape(grid, stencil, false)`, a differentiable
   * function of `params` (called inside a tidy, or by the model's forward pass).
   */
  taps(layer: number): Tensor;
  /** Whether the taps have no layer axis (the fused op may then reuse them for every layer). */
  readonly sameForEveryLayer: boolean;
  /** Optional physical reading of the parameters. */
  physics?(): PhysicalQuantity[];
}

/**
 * A `KernelInstance` for a homogeneous tap set (a convolution W(r)) on a
 * regular grid: `apply` runs {@link applyTaps}, `dense` materializes W
 * ({@link tapsToDense}, refusing huge fields), `moments` are exact from the
 * taps ({@link tapKernelMoments}), and `stencil()` is offered exactly when the
 * footprint fits core's fused op ({@link fusedGeometry}: one channel, `zero` or
 * `periodic`, 1-D radius ≤ 3 or the 2-D 5/9-point footprints).
 *
 * @example
 * ```ts
 * const taps = tf.variable(tf.tensor1d([0.25, 0.5, 0.25]));
 * const k = createTapKernel({ id: '@me/kernels/smooth', grid: { shape: [64], channels: 1 }, layers: 1,
 *   stencil: { offsets: footprint(1, 1), boundary: 'periodic' }, params: { taps }, taps: () => taps, sameForEveryLayer: true });
 * ```
 */
export function createTapKernel(spec: TapKernelSpec): KernelInstance {
  const { id, grid, stencil, layers, params } = spec;
  const S = gridSites(grid);
  const K = stencil.offsets.length;
  const geometry = fusedGeometry(grid, stencil.offsets, stencil.boundary);
  const boundary = fusedBoundary(stencil.boundary);
  const values = (layer: number): Float32Array => tf.tidy(() => spec.taps(layer).dataSync() as Float32Array);
  const expected = tapShape(grid, stencil, false).reduce((a, b) => a * b, 1);
  const instance: KernelInstance = {
    params,
    paramCount: Object.values(params).reduce((n, p) => n + p.size, 0),
    apply(z: Tensor2D, layer: number): Tensor2D {
      assertLayer(layer, layers, id);
      return applyTaps(z, grid, stencil, spec.taps(layer));
    },
    dense(layer: number): Tensor2D {
      assertLayer(layer, layers, id);
      return tf.tensor2d(tapsToDense(grid, stencil, values(layer), false, id), [S * grid.channels, S * grid.channels]);
    },
    moments(layer: number, maxOrder: number): KernelMoments {
      assertLayer(layer, layers, id);
      assertMaxOrder(maxOrder, id);
      const v = values(layer);
      if (v.length !== expected) throw new RangeError(`${id}: taps(${layer}) has ${v.length} values, expected ${expected}`);
      return tapKernelMoments(grid, stencil, v, false, maxOrder);
    },
    dispose(): void {
      for (const p of Object.values(params)) p.dispose();
    },
  };
  if (spec.physics) instance.physics = spec.physics;
  if (geometry && boundary) {
    instance.stencil = (layer: number): KernelStencil => {
      assertLayer(layer, layers, id);
      // one channel: every channel treatment's taps are K numbers, in the op's tap order
      const taps = siteTaps(tf.reshape(spec.taps(layer), [K]), S);
      return { taps, geometry, boundary, sameForEveryLayer: spec.sameForEveryLayer };
    };
  }
  return instance;
}
