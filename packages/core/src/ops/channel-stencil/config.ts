import { ErrorCodes, ShapeError, ValidationError, describeValue } from '../../errors/errors.js';
import { tf } from '../../tensor/tf.js';
import { STENCIL_ACTIVATIONS, isStencilActivation, type StencilActivation } from '../stencil-relax/activations.js';
import { STENCIL_BOUNDARIES, type StencilBoundary } from '../stencil-relax/config.js';

/**
 * Everything about one multi-channel 2-D stencil-relaxation step that is not a tensor
 * (see {@link channelStencilRelax}): a `height × width` grid of `channels` values per
 * site, stored site-major with channels last (index `(i·width + j)·channels + c`, the
 * layout of an npde field state), each channel read through its own 5- or 9-point
 * stencil (tap order of `STENCIL_OFFSETS_2D`).
 */
export interface ChannelStencilConfig {
  /** Number of rows H. */
  readonly height: number;
  /** Number of columns W. */
  readonly width: number;
  /** Channels C per site. */
  readonly channels: number;
  /** Taps per channel: the 5-point cross or the 9-point square. */
  readonly points: 5 | 9;
  /** What the stencils read outside the grid. */
  readonly boundary: StencilBoundary;
  /** The activation f, an entry of the fused activation table. */
  readonly activation: StencilActivation;
}

function invalid(path: string, summary: string, expected: string, value: unknown, hint?: string): ValidationError {
  return new ValidationError(ErrorCodes.INVALID_SPEC, summary, { path, expected, received: describeValue(value), hint });
}

const positive = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 1;

/**
 * Check a {@link ChannelStencilConfig} and return it typed. Throws a
 * {@link ValidationError} (code `NPDE_INVALID_SPEC`, `path` under `path`, default
 * `config`) when a size is not a positive integer, `points` is not 5 or 9, or the
 * boundary or activation is unknown.
 */
export function validateChannelStencilConfig(config: unknown, path = 'config'): ChannelStencilConfig {
  if (typeof config !== 'object' || config === null) {
    throw invalid(path, 'not a channel-stencil config', 'an object { height, width, channels, points, boundary, activation }', config);
  }
  const c = config as Record<string, unknown>;
  for (const key of ['height', 'width', 'channels'] as const) {
    if (!positive(c[key])) throw invalid(`${path}.${key}`, `bad ${key}`, 'an integer ≥ 1', c[key]);
  }
  if (c['points'] !== 5 && c['points'] !== 9) throw invalid(`${path}.points`, 'unsupported 2-D stencil', '5 or 9', c['points'], 'Use the 5-point cross or the 9-point square.');
  if (!(STENCIL_BOUNDARIES as readonly unknown[]).includes(c['boundary'])) {
    throw invalid(`${path}.boundary`, 'unknown boundary', STENCIL_BOUNDARIES.map((b) => `'${b}'`).join(' or '), c['boundary']);
  }
  if (!isStencilActivation(c['activation'])) {
    throw invalid(`${path}.activation`, 'unknown activation', STENCIL_ACTIVATIONS.map((a) => `'${a}'`).join(', '), c['activation'], 'The fused ops implement the activations of FUSED_ACTIVATIONS.');
  }
  return config as ChannelStencilConfig;
}

/**
 * Check the tensors of one multi-channel step against a (valid) config: `z` is
 * `[B, H·W·C]`, `taps` `[C, K]`, `mixing` `[C, C]`, `omega` a scalar, `bias` `[C]`
 * (one per channel) or `[H·W·C]` (one per site and channel), all float32. Throws a
 * {@link ShapeError} (code `NPDE_SHAPE_MISMATCH`, `path` the argument's name) or, for a
 * non-tensor or non-float32 tensor, a {@link ValidationError} (`NPDE_INVALID_SPEC`).
 */
export function validateChannelStencilInputs(z: unknown, taps: unknown, mixing: unknown, omega: unknown, bias: unknown, config: ChannelStencilConfig): void {
  const C = config.channels;
  const N = config.height * config.width * C;
  const K = config.points;
  const check = (name: string, t: unknown, shapes: readonly (readonly (number | 'B')[])[]) => {
    if (!(t instanceof tf.Tensor)) throw invalid(name, 'not a tensor', 'a float32 tf.Tensor', t);
    const ok = shapes.some((expected) => t.rank === expected.length && expected.every((d, i) => d === 'B' || t.shape[i] === d));
    if (!ok) {
      throw new ShapeError(ErrorCodes.SHAPE_MISMATCH, 'tensor shape does not match the channel stencil', {
        path: name,
        expected: shapes.map((s) => (s.length === 0 ? 'a scalar (shape [])' : `[${s.join(', ')}]`)).join(' or '),
        received: `[${t.shape.join(', ')}]`,
        hint: `H·W·C = ${N} values per sample, C = ${C} channels and K = ${K} taps follow from the config.`,
      });
    }
    if (t.dtype !== 'float32') throw invalid(`${name}.dtype`, 'wrong dtype', "'float32'", t.dtype);
  };
  check('z', z, [['B', N]]);
  check('taps', taps, [[C, K]]);
  check('mixing', mixing, [[C, C]]);
  check('omega', omega, [[]]);
  check('bias', bias, [[C], [N]]);
}
