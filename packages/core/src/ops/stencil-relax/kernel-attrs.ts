import type { StencilActivation, StencilBoundary, StencilGeometry, StencilRelaxConfig } from './config.js';

/** Name of the forward kernel: inputs `{ z, taps, omega, bias }`, one output `z'` `[B, S]`. */
export const STENCIL_RELAX_KERNEL = 'NpdeStencilRelax';

/**
 * Name of the backward kernel: inputs `{ dy, z, taps, omega, bias }`, outputs
 * `[dz [B, S], dtaps [S, K], domega [], dbias [S]]`.
 */
export const STENCIL_RELAX_GRAD_KERNEL = 'NpdeStencilRelaxGrad';

/**
 * The attrs both stencil kernels receive (the contract's flat form of a
 * {@link StencilRelaxConfig}); attrs that do not apply to the geometry are 0
 * (`radius` in 2-D; `height`, `width`, `points` in 1-D). The number of sites is
 * `z.shape[1]`.
 */
export interface StencilRelaxAttrs {
  /** 1 or 2. */
  readonly dims: 1 | 2;
  /** 1-D radius (1..3), 0 in 2-D. */
  readonly radius: number;
  /** 2-D grid height, 0 in 1-D. */
  readonly height: number;
  /** 2-D grid width, 0 in 1-D. */
  readonly width: number;
  /** 2-D point count (5 or 9), 0 in 1-D. */
  readonly points: number;
  /** Boundary. */
  readonly boundary: StencilBoundary;
  /** Activation. */
  readonly activation: StencilActivation;
}

/** The kernel attrs of a (validated) config. */
export function stencilRelaxAttrs(config: StencilRelaxConfig): StencilRelaxAttrs {
  const g = config.geometry;
  return g.dims === 1
    ? { dims: 1, radius: g.radius, height: 0, width: 0, points: 0, boundary: config.boundary, activation: config.activation }
    : { dims: 2, radius: 0, height: g.height, width: g.width, points: g.points, boundary: config.boundary, activation: config.activation };
}

/**
 * The geometry the kernel attrs describe; `sites` (the 1-D site count) is
 * `z.shape[1]`, since the attrs do not carry it.
 */
export function geometryFromAttrs(attrs: StencilRelaxAttrs, sites: number): StencilGeometry {
  return attrs.dims === 1
    ? { dims: 1, sites, radius: attrs.radius as 1 | 2 | 3 }
    : { dims: 2, height: attrs.height, width: attrs.width, points: attrs.points as 5 | 9 };
}
