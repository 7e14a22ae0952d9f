import { ErrorCodes, UnsupportedFieldError, type FieldInfo } from '@npde/core';

function describeField(field: FieldInfo): string {
  const channels = `${field.realChannels} real channel${field.realChannels === 1 ? '' : 's'}`;
  if (field.points) return `${field.sites} scattered points in ${field.dims}-D, ${channels}`;
  return `a ${field.dims}-D grid [${field.shape.join(', ')}], ${channels}`;
}

/**
 * Check that the ADR stencil can run on `field`: a 1-D grid (not scattered
 * points) with one real channel and at least 3 sites (so that the left
 * neighbor, the site and the right neighbor are distinct, also when wrapping).
 *
 * @param field - The model's field.
 * @param plugin - Id of the kernel family, for the error.
 * @throws UnsupportedFieldError `UNSUPPORTED_FIELD` with path `field` otherwise.
 */
export function assertAdrField(field: FieldInfo, plugin: string): void {
  const ok = field.points === undefined && field.dims === 1 && field.realChannels === 1 && field.sites >= 3;
  if (ok) return;
  throw new UnsupportedFieldError(ErrorCodes.UNSUPPORTED_FIELD, 'the ADR stencil needs a 1-D grid field with one real channel and at least 3 sites', {
    path: 'field',
    expected: 'a 1-D grid with 1 real channel and ≥ 3 sites, e.g. { shape: [64] }',
    received: describeField(field),
    plugin,
    hook: 'create',
    hint:
      'Use a field like { shape: [64] } for the 1-D ADR kernel, or the `@npde/kernels/dense` kernel, which works for any field geometry.',
  });
}
