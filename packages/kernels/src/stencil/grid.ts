import { ErrorCodes, UnsupportedFieldError, type FieldInfo, type StencilBoundary } from '@npde/core';

/**
 * How a stencil reads outside a regular grid, per axis:
 * - `zero`: reads 0 (Dirichlet-like padding);
 * - `periodic`: wraps around (a ring / torus);
 * - `reflecting`: mirrors at the grid's faces (half-sample mirror: index −1
 *   reads 0, −2 reads 1, N reads N − 1). This is the ghost-cell form of a
 *   zero-flux (Neumann) wall: a symmetric diffusion stencil then conserves
 *   Σ z. The fused op (core's `stencilRelax`) knows only `zero` and `periodic`.
 */
export type GridBoundary = StencilBoundary | 'reflecting';

/**
 * Every {@link GridBoundary}, in a fixed order (for option schemas).
 *
 * @example
 * ```ts
 * const boundary = v.optional(v.picklist(GRID_BOUNDARIES), 'periodic');
 * ```
 */
export const GRID_BOUNDARIES: readonly GridBoundary[] = Object.freeze(['zero', 'periodic', 'reflecting'] as const);

/**
 * A regular grid of 1–3 axes carrying `channels` real values per site. A field
 * state `[batch, size]` holds `size = Π shape · channels` values, sites
 * row-major (axis 0 slowest), channels last: index = site · channels + channel.
 *
 * @example
 * ```ts
 * const grid: GridLayout = { shape: [32, 32], channels: 2 }; // size 2048
 * ```
 */
export interface GridLayout {
  /** Extent of each axis, axis 0 first (1 to 3 axes). */
  readonly shape: readonly number[];
  /** Real values per site (C). */
  readonly channels: number;
}

/**
 * Number of sites Π shape of a grid.
 *
 * @example
 * ```ts
 * gridSites({ shape: [4, 5], channels: 2 }); // 20
 * ```
 */
export function gridSites(grid: GridLayout): number {
  return grid.shape.reduce((a, b) => a * b, 1);
}

function describeField(field: FieldInfo): string {
  const channels = `${field.realChannels} real channel${field.realChannels === 1 ? '' : 's'}`;
  if (field.points) return `${field.sites} scattered points in ${field.dims}-D, ${channels}`;
  return `a ${field.dims}-D grid [${field.shape.join(', ')}], ${channels}`;
}

/**
 * What {@link gridLayout} may demand of a field beyond "a 1–3-D grid".
 *
 * @example
 * ```ts
 * gridLayout(field, id, { maxChannels: 1, minExtent: 3 });
 * ```
 */
export interface GridRequirements {
  /** Largest channel count the family handles (default: any). */
  readonly maxChannels?: number;
  /** Smallest extent of every axis (default 1). */
  readonly minExtent?: number;
}

/**
 * The {@link GridLayout} of a model's field: its grid shape and real channel
 * count. Scattered-point fields, grids of more than 3 axes, and fields that miss
 * the `requirements` throw.
 *
 * @param field - The field a kernel is created for.
 * @param plugin - Id of the kernel family, for the error.
 * @param requirements - Extra limits (channels, axis extents).
 * @throws UnsupportedFieldError `UNSUPPORTED_FIELD`, path `field`.
 *
 * @example
 * ```ts
 * gridLayout(resolveField({ shape: [8, 8], channels: 2 }), '@me/kernels/x'); // { shape: [8, 8], channels: 2 }
 * ```
 */
export function gridLayout(field: FieldInfo, plugin: string, requirements: GridRequirements = {}): GridLayout {
  const maxC = requirements.maxChannels ?? Infinity;
  const minExtent = requirements.minExtent ?? 1;
  const ok =
    field.points === undefined &&
    field.dims >= 1 &&
    field.dims <= 3 &&
    field.realChannels <= maxC &&
    field.shape.every((n) => n >= minExtent);
  if (!ok) {
    const channels = Number.isFinite(maxC) ? `at most ${maxC} real channel${maxC === 1 ? '' : 's'}` : 'any number of channels';
    throw new UnsupportedFieldError(ErrorCodes.UNSUPPORTED_FIELD, 'this stencil kernel needs a regular grid field of 1 to 3 dimensions', {
      path: 'field',
      expected: `a 1-, 2- or 3-D grid (e.g. { shape: [32, 32] }) with ${channels} and every axis ≥ ${minExtent} sites`,
      received: describeField(field),
      plugin,
      hook: 'create',
      hint: 'Stencil kernels run on regular grids; use `@npde/kernels/dense` (any field) or `@npde/kernels/cluster` (scattered points) otherwise.',
    });
  }
  return Object.freeze({ shape: Object.freeze([...field.shape]), channels: field.realChannels });
}

/**
 * Row-major coordinates of `site` on a grid of extents `shape` (axis 0 first).
 *
 * @example
 * ```ts
 * siteToIndex(7, [3, 4]); // [1, 3]
 * ```
 */
export function siteToIndex(site: number, shape: readonly number[]): number[] {
  const c = new Array<number>(shape.length);
  let rest = site;
  for (let a = shape.length - 1; a >= 0; a--) {
    c[a] = rest % shape[a]!;
    rest = Math.floor(rest / shape[a]!);
  }
  return c;
}

/**
 * Where index `i + m` of an axis of extent `n` reads under `boundary`: an
 * index in `0..n − 1`, or −1 for a `zero` read outside. Any `m` (also |m| ≥ n:
 * `periodic` wraps again, `reflecting` mirrors again).
 *
 * @example
 * ```ts
 * axisSource(0, -1, 5, 'reflecting'); // 0
 * axisSource(0, -2, 5, 'periodic');   // 3
 * axisSource(4, 1, 5, 'zero');        // -1
 * ```
 */
export function axisSource(i: number, m: number, n: number, boundary: GridBoundary): number {
  const j = i + m;
  if (j >= 0 && j < n) return j;
  if (boundary === 'zero') return -1;
  if (boundary === 'periodic') return ((j % n) + n) % n;
  const p = ((j % (2 * n)) + 2 * n) % (2 * n);
  return p < n ? p : 2 * n - 1 - p;
}

/**
 * The site that `site + offset` reads on a grid under `boundary` (row-major
 * site index), or −1 where a `zero` boundary reads 0.
 *
 * @param shape - Grid extents.
 * @param site - Row-major site index.
 * @param offset - One integer per axis.
 * @param boundary - Edge treatment.
 *
 * @example
 * ```ts
 * neighbourSite([4, 4], 0, [-1, 0], 'periodic'); // 12
 * ```
 */
export function neighbourSite(shape: readonly number[], site: number, offset: readonly number[], boundary: GridBoundary): number {
  const idx = siteToIndex(site, shape);
  let out = 0;
  for (let a = 0; a < shape.length; a++) {
    const j = axisSource(idx[a]!, offset[a] ?? 0, shape[a]!, boundary);
    if (j < 0) return -1;
    out = out * shape[a]! + j;
  }
  return out;
}
