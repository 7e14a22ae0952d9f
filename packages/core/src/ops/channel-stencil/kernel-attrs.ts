import type { StencilActivation } from '../stencil-relax/activations.js';
import type { StencilBoundary } from '../stencil-relax/config.js';
import type { ChannelStencilConfig } from './config.js';

/**
 * Name of the forward kernel of the multi-channel step: inputs
 * `{ z [B, N], taps [C, K], mixing [C, C], omega [], bias [N] }` (N = H·W·C; the op
 * broadcasts a per-channel bias to `[N]` before the kernel), one output `z'` `[B, N]`.
 */
export const CHANNEL_STENCIL_KERNEL = 'NpdeChannelStencil';

/**
 * Name of the backward kernel: inputs `{ dy, z, taps, mixing, omega, bias }`, outputs
 * `[dz [B, N], dtaps [C, K], dmixing [C, C], domega [], dbias [N]]`.
 */
export const CHANNEL_STENCIL_GRAD_KERNEL = 'NpdeChannelStencilGrad';

/** The attrs both channel-stencil kernels receive: the flat form of a {@link ChannelStencilConfig}. */
export interface ChannelStencilAttrs {
  /** Rows H. */
  readonly height: number;
  /** Columns W. */
  readonly width: number;
  /** Channels C. */
  readonly channels: number;
  /** 5 or 9. */
  readonly points: number;
  /** Boundary. */
  readonly boundary: StencilBoundary;
  /** Activation. */
  readonly activation: StencilActivation;
}

/** The kernel attrs of a (validated) config. */
export function channelStencilAttrs(config: ChannelStencilConfig): ChannelStencilAttrs {
  const { height, width, channels, points, boundary, activation } = config;
  return { height, width, channels, points, boundary, activation };
}

/** The config the kernel attrs describe. */
export function channelConfigFromAttrs(attrs: ChannelStencilAttrs): ChannelStencilConfig {
  return { height: attrs.height, width: attrs.width, channels: attrs.channels, points: attrs.points as 5 | 9, boundary: attrs.boundary, activation: attrs.activation };
}
