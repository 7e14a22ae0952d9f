import { ErrorCodes, ShapeError, ValidationError, describeValue } from '../../errors/errors.js';
import { tf } from '../../tensor/tf.js';
import { STENCIL_ACTIVATIONS, isStencilActivation, type StencilActivation } from './activations.js';

export { STENCIL_ACTIVATIONS, type StencilActivation };

/** How a stencil reads outside the grid: `zero` reads 0, `periodic` wraps each axis. */
export type StencilBoundary = 'zero' | 'periodic';

/**
 * The footprint of a stencil and the grid it runs on.
 *
 * - 1-D: `sites` sites, `2·radius + 1` taps per site (`taps[s, k]` multiplies `z[s + k − radius]`).
 * - 2-D: a `height × width` grid stored row-major (site = i·width + j), `points` taps per site
 *   (the 5-point cross or the full 3×3 square), in the row-major order of {@link STENCIL_OFFSETS_2D}.
 */
export type StencilGeometry =
  | {
      /** One spatial axis. */
      readonly dims: 1;
      /** Number of sites S. */
      readonly sites: number;
      /** Stencil radius r: K = 2r + 1 taps per site. */
      readonly radius: 1 | 2 | 3;
    }
  | {
      /** Two spatial axes. */
      readonly dims: 2;
      /** Number of rows H. */
      readonly height: number;
      /** Number of columns W (S = H·W). */
      readonly width: number;
      /** Taps per site: the 5-point cross or the 9-point square. */
      readonly points: 5 | 9;
    };

/** Everything about one stencil-relaxation step that is not a tensor. */
export interface StencilRelaxConfig {
  /** Footprint and grid. */
  readonly geometry: StencilGeometry;
  /** What the stencil reads outside the grid. */
  readonly boundary: StencilBoundary;
  /** The activation `f` in `z' = (1 − ω) z + ω f(W z − b)`. */
  readonly activation: StencilActivation;
}

/** A tap's offset `[di, dj]` (row, column) from its site; 1-D stencils use `di = 0`. */
export type StencilOffset = readonly [di: number, dj: number];

/** Every supported boundary, in a fixed order. */
export const STENCIL_BOUNDARIES: readonly StencilBoundary[] = Object.freeze(['zero', 'periodic']);

const off = (pairs: readonly (readonly [number, number])[]): readonly StencilOffset[] =>
  Object.freeze(pairs.map((p) => Object.freeze([p[0], p[1]] as const)));

/**
 * Tap offsets of the 1-D stencils by radius, in tap order: tap k reads `z[s + k − r]`
 * (radius 1 is [left, centre, right]).
 */
export const STENCIL_OFFSETS_1D: Readonly<Record<1 | 2 | 3, readonly StencilOffset[]>> = Object.freeze({
  1: off([-1, 0, 1].map((d) => [0, d] as const)),
  2: off([-2, -1, 0, 1, 2].map((d) => [0, d] as const)),
  3: off([-3, -2, -1, 0, 1, 2, 3].map((d) => [0, d] as const)),
});

/**
 * Tap offsets `[di, dj]` of the 2-D stencils by point count, in tap order (row-major over
 * the footprint): 9-point (−1,−1) (−1,0) (−1,1) (0,−1) (0,0) (0,1) (1,−1) (1,0) (1,1);
 * 5-point (−1,0) (0,−1) (0,0) (0,1) (1,0).
 */
export const STENCIL_OFFSETS_2D: Readonly<Record<5 | 9, readonly StencilOffset[]>> = Object.freeze({
  5: off([
    [-1, 0],
    [0, -1],
    [0, 0],
    [0, 1],
    [1, 0],
  ]),
  9: off([
    [-1, -1],
    [-1, 0],
    [-1, 1],
    [0, -1],
    [0, 0],
    [0, 1],
    [1, -1],
    [1, 0],
    [1, 1],
  ]),
});

/** The tap offsets of `geometry`, in tap order (the column order of `taps`). */
export function stencilOffsets(geometry: StencilGeometry): readonly StencilOffset[] {
  return geometry.dims === 1 ? STENCIL_OFFSETS_1D[geometry.radius] : STENCIL_OFFSETS_2D[geometry.points];
}

/** K, the number of taps per site: `2·radius + 1` (1-D) or `points` (2-D). */
export function tapCount(geometry: StencilGeometry): number {
  return geometry.dims === 1 ? 2 * geometry.radius + 1 : geometry.points;
}

/** S, the number of sites: `sites` (1-D) or `height·width` (2-D). */
export function siteCount(geometry: StencilGeometry): number {
  return geometry.dims === 1 ? geometry.sites : geometry.height * geometry.width;
}

/**
 * The grid of `geometry` as `[rows, columns]`: a 1-D geometry of S sites is one row of S.
 */
export function gridShape(geometry: StencilGeometry): readonly [height: number, width: number] {
  return geometry.dims === 1 ? [1, geometry.sites] : [geometry.height, geometry.width];
}

function invalid(path: string, summary: string, expected: string, value: unknown, hint?: string): ValidationError {
  return new ValidationError(ErrorCodes.INVALID_SPEC, summary, { path, expected, received: describeValue(value), hint });
}

function isPositiveInteger(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 1;
}

/**
 * Check a {@link StencilRelaxConfig} and return it typed. Throws a {@link ValidationError}
 * (code `NPDE_INVALID_SPEC`) whose `path` starts with `path` (default `config`) when
 * `dims` is not 1 or 2, `radius` not 1..3, `points` not 5 or 9, a size is not a
 * positive integer, or `boundary`/`activation` is unknown.
 */
export function validateStencilRelaxConfig(config: unknown, path = 'config'): StencilRelaxConfig {
  if (typeof config !== 'object' || config === null) throw invalid(path, 'not a stencil-relaxation config', 'an object { geometry, boundary, activation }', config);
  const c = config as Record<string, unknown>;
  const g = c['geometry'];
  const gp = `${path}.geometry`;
  if (typeof g !== 'object' || g === null) throw invalid(gp, 'missing or not an object', 'a stencil geometry object', g);
  const geo = g as Record<string, unknown>;
  if (geo['dims'] === 1) {
    if (!isPositiveInteger(geo['sites'])) throw invalid(`${gp}.sites`, 'bad number of sites', 'an integer ≥ 1', geo['sites']);
    const r = geo['radius'];
    if (r !== 1 && r !== 2 && r !== 3) throw invalid(`${gp}.radius`, 'unsupported stencil radius', '1, 2 or 3', r, 'A 1-D stencil has 2·radius + 1 taps per site.');
  } else if (geo['dims'] === 2) {
    if (!isPositiveInteger(geo['height'])) throw invalid(`${gp}.height`, 'bad grid height', 'an integer ≥ 1', geo['height']);
    if (!isPositiveInteger(geo['width'])) throw invalid(`${gp}.width`, 'bad grid width', 'an integer ≥ 1', geo['width']);
    const p = geo['points'];
    if (p !== 5 && p !== 9) throw invalid(`${gp}.points`, 'unsupported 2-D stencil', '5 or 9', p, 'Use the 5-point cross or the 9-point square.');
  } else {
    throw invalid(`${gp}.dims`, 'unsupported number of dimensions', '1 or 2', geo['dims']);
  }
  if (!(STENCIL_BOUNDARIES as readonly unknown[]).includes(c['boundary'])) {
    throw invalid(`${path}.boundary`, 'unknown boundary', STENCIL_BOUNDARIES.map((b) => `'${b}'`).join(' or '), c['boundary']);
  }
  if (!isStencilActivation(c['activation'])) {
    throw invalid(
      `${path}.activation`,
      'unknown activation',
      STENCIL_ACTIVATIONS.map((a) => `'${a}'`).join(', '),
      c['activation'],
      'The fused op implements the activations of its table (FUSED_ACTIVATIONS); add an entry there for a new one.',
    );
  }
  return config as StencilRelaxConfig;
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Check the tensors of one stencil-relaxation step against a (valid) config: `z` is
 * `[B, S]`, `taps` `[S, K]`, `omega` a scalar and `bias` `[S]`, all float32, with S and K
 * from {@link siteCount} and {@link tapCount}. Throws a {@link ShapeError} (code
 * `NPDE_SHAPE_MISMATCH`, `path` the argument's name, `expected`/`received` the shapes) or,
 * for a non-tensor or a non-float32 tensor, a {@link ValidationError} (code `NPDE_INVALID_SPEC`).
 */
export function validateStencilRelaxInputs(z: unknown, taps: unknown, omega: unknown, bias: unknown, config: StencilRelaxConfig): void {
  const S = siteCount(config.geometry);
  const K = tapCount(config.geometry);
  const check = (name: string, t: unknown, expected: readonly (number | 'B')[]) => {
    if (!(t instanceof tf.Tensor)) throw invalid(name, 'not a tensor', 'a float32 tf.Tensor', t);
    const ok = t.rank === expected.length && expected.every((d, i) => d === 'B' || t.shape[i] === d);
    if (!ok) {
      const exp = expected.length === 0 ? 'a scalar (shape [])' : `[${expected.join(', ')}]`;
      throw new ShapeError(ErrorCodes.SHAPE_MISMATCH, 'tensor shape does not match the stencil', {
        path: name,
        expected: exp,
        received: shapeText(t.shape),
        hint: `S = ${S} sites and K = ${K} taps per site follow from config.geometry.`,
      });
    }
    if (t.dtype !== 'float32') throw invalid(`${name}.dtype`, 'wrong dtype', "'float32'", t.dtype);
  };
  check('z', z, ['B', S]);
  check('taps', taps, [S, K]);
  check('omega', omega, []);
  check('bias', bias, [S]);
}
