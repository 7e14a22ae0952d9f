import * as v from 'valibot';
import { ErrorCodes, ValidationError } from '../errors/errors.js';

/**
 * Where the field lives, as written in a model spec.
 *
 * - A grid field: `{ shape: [64] }` (1-D), `{ shape: [32, 32] }` (2-D), up to 3-D.
 * - Channels: `channels: 2` carries two real values per site.
 * - Complex fields: `complex: true` carries each complex value as two real
 *   channels (real, imaginary), so `channels: 1, complex: true` has 2 real channels.
 * - Scattered points (cluster kernels): `{ points: [[x, y], ...] }` instead of `shape`.
 */
export interface FieldSpec {
  /** Grid shape, 1 to 3 dimensions. Omit when `points` is given. */
  readonly shape?: readonly number[];
  /** Coordinates of scattered sites (one array per site). Omit for grids. */
  readonly points?: readonly (readonly number[])[];
  /** Values per site (default 1). */
  readonly channels?: number;
  /** Complex values, carried as two real channels each (default false). */
  readonly complex?: boolean;
}

/**
 * The resolved geometry every plugin receives. A field state is always a
 * rank-2 tensor `[batch, size]`, sites in row-major order and channels last
 * (site-major): index = site * realChannels + channel.
 */
export interface FieldInfo {
  /** Grid shape (for scattered points: `[points.length]`). */
  readonly shape: readonly number[];
  /** Number of spatial dimensions (grid rank, or the points' coordinate count). */
  readonly dims: number;
  /** Number of sites. */
  readonly sites: number;
  /** Channels as declared (complex values counted once). */
  readonly channels: number;
  /** Whether channels are complex (each carried as two real channels). */
  readonly complex: boolean;
  /** Real values per site: `channels * (complex ? 2 : 1)`. */
  readonly realChannels: number;
  /** Flat state length per sample: `sites * realChannels`. */
  readonly size: number;
  /** Site coordinates for scattered-point fields. */
  readonly points?: readonly (readonly number[])[];
}

const positiveInt = v.pipe(v.number(), v.integer(), v.minValue(1));

/** valibot schema of {@link FieldSpec}. */
export const FieldSpecSchema = v.pipe(
  v.strictObject({
    /** Grid shape: 1 to 3 positive integers. */
    shape: v.optional(v.pipe(v.array(positiveInt), v.minLength(1), v.maxLength(3))),
    /** Coordinates of scattered sites: at least one point of at least one finite coordinate. */
    points: v.optional(v.pipe(v.array(v.pipe(v.array(v.pipe(v.number(), v.finite())), v.minLength(1))), v.minLength(1))),
    /** Values per site, a positive integer (default 1). */
    channels: v.optional(positiveInt, 1),
    /** Complex values, carried as two real channels each (default false). */
    complex: v.optional(v.boolean(), false),
  }),
  v.check((f) => (f.shape === undefined) !== (f.points === undefined), 'exactly one of `shape` or `points` must be given'),
);

/** Resolve a {@link FieldSpec} into the {@link FieldInfo} plugins work with. */
export function resolveField(spec: FieldSpec, path = 'field'): FieldInfo {
  const channels = spec.channels ?? 1;
  const complex = spec.complex ?? false;
  const realChannels = channels * (complex ? 2 : 1);
  if (spec.points) {
    const dims = spec.points[0]!.length;
    spec.points.forEach((p, i) => {
      if (p.length !== dims) {
        throw new ValidationError(ErrorCodes.INVALID_SPEC, 'all points must have the same number of coordinates', {
          path: `${path}.points[${i}]`,
          expected: `${dims} coordinates`,
          received: `${p.length}`,
        });
      }
    });
    const sites = spec.points.length;
    return { shape: [sites], dims, sites, channels, complex, realChannels, size: sites * realChannels, points: spec.points };
  }
  const shape = spec.shape ?? [];
  const sites = shape.reduce((a, b) => a * b, 1);
  return { shape, dims: shape.length, sites, channels, complex, realChannels, size: sites * realChannels };
}
