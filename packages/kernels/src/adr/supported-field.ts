import { ErrorCodes, UnsupportedFieldError, type FieldInfo } from '@npde/core';
import type { GridLayout } from '../stencil/index.js';

function describeField(field: FieldInfo): string {
  const channels = `${field.realChannels} real channel${field.realChannels === 1 ? '' : 's'}`;
  if (field.points) return `${field.sites} scattered points in ${field.dims}-D, ${channels}`;
  return `a ${field.dims}-D grid [${field.shape.join(', ')}]${field.complex ? ' of complex values' : ''}, ${channels}`;
}

/**
 * Check that the ADR stencil can run on `field`: a 1-, 2- or 3-D grid (not
 * scattered points) of real values (any number of channels) with at least 3
 * sites along every axis (so that the left neighbor, the site and the right
 * neighbor are distinct, also when wrapping).
 *
 * @param field - The model's field.
 * @param plugin - Id of the kernel family, for the error.
 * @returns The field's grid: shape and real channel count.
 * @throws UnsupportedFieldError `UNSUPPORTED_FIELD` with path `field` otherwise.
 */
export function assertAdrField(field: FieldInfo, plugin: string): GridLayout {
  const ok = field.points === undefined && !field.complex && field.dims >= 1 && field.dims <= 3 && field.shape.every((n) => n >= 3);
  if (ok) return { shape: [...field.shape], channels: field.realChannels };
  throw new UnsupportedFieldError(ErrorCodes.UNSUPPORTED_FIELD, 'the ADR stencil needs a 1-, 2- or 3-D grid of real values with at least 3 sites per axis', {
    path: 'field',
    expected: 'a 1-, 2- or 3-D grid of real channels with ≥ 3 sites per axis, e.g. { shape: [64] } or { shape: [32, 32], channels: 2 }',
    received: describeField(field),
    plugin,
    hook: 'create',
    hint:
      'Use a grid field like { shape: [64] } for the ADR kernel, `@npde/kernels/complex` for complex fields, or the `@npde/kernels/dense` kernel, which works for any field geometry.',
  });
}
