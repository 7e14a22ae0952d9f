import { ErrorCodes, ValidationError } from '@npde/core';
import { footprint, type FootprintShape, type GridOffset } from './footprint.js';

/**
 * The offsets of `footprint(dims, radius, shape)`, refusing footprints of more
 * than `maxTaps` taps (a 3-D box grows as (2r + 1)³).
 *
 * @param plugin - Id of the kernel family, for the error.
 * @throws ValidationError `INVALID_OPTIONS`, path `radius`, when the footprint is too large.
 *
 * @example
 * ```ts
 * boundedFootprint(3, 2, 'box', 4913, '@me/kernels/x').length; // 125
 * ```
 */
export function boundedFootprint(dims: number, radius: number, shape: FootprintShape, maxTaps: number, plugin: string): GridOffset[] {
  const count = shape === 'box' ? (2 * radius + 1) ** dims : 2 * dims * radius + 1;
  if (count > maxTaps) {
    throw new ValidationError(ErrorCodes.INVALID_OPTIONS, `a ${dims}-D ${shape} footprint of radius ${radius} has too many taps`, {
      path: 'radius',
      expected: `at most ${maxTaps} taps per site`,
      received: `${count} taps (radius ${radius})`,
      plugin,
      hook: 'create',
      hint: `Use a smaller radius, or footprint 'cross' (2·d·r + 1 taps).`,
    });
  }
  return footprint(dims, radius, shape);
}
