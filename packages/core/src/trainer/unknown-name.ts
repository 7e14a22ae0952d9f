import { distance } from 'fastest-levenshtein';
import { ErrorCodes, ValidationError, describeValue } from '../errors/errors.js';

/**
 * The error for a name that is none of `known` (a loss, a metric, a monitored
 * log): it lists what is known and suggests the closest one.
 * @internal
 */
export function unknownNameError(what: string, name: unknown, known: readonly string[], path: string, alsoAccepted = ''): ValidationError {
  const close = typeof name === 'string' ? known.filter((k) => distance(k.toLowerCase(), name.toLowerCase()) <= Math.max(2, Math.floor(name.length / 3))) : [];
  return new ValidationError(ErrorCodes.INVALID_SPEC, `unknown ${what}`, {
    path,
    expected: `one of ${known.map((k) => `'${k}'`).join(', ')}${alsoAccepted}`,
    received: describeValue(name),
    ...(close.length ? { hint: `Did you mean '${close[0]}'?` } : {}),
  });
}
