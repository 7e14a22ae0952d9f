import { dataFileError, locate } from './data-file-error.js';
import { formatIndex, type NumericArray, type NumericDtype } from './numeric-array.js';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** Values as any reader produces them: plain numbers, a typed array, or 64-bit integers. */
export type SourceValues = ArrayLike<number> | BigInt64Array;

/**
 * Convert `values` (row-major, of shape `shape`) to a {@link NumericArray} of
 * dtype `dtype`. To `int32`, every value must be an integer in int32 range; to
 * `float32`, a finite value must stay finite (|v| < 3.4e38). Integers above
 * 2^24 lose precision in float32; that is allowed. Errors name `where` plus the
 * bad element's index.
 */
export function convertToDtype(values: SourceValues, shape: number[], dtype: NumericDtype, where: string): NumericArray {
  const n = values.length;
  if (dtype === 'int32') {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const raw = values[i]!;
      const x = typeof raw === 'bigint' ? raw : Number(raw);
      const ok = typeof x === 'bigint' ? x >= INT32_MIN && x <= INT32_MAX : Number.isInteger(x) && x >= INT32_MIN && x <= INT32_MAX;
      if (!ok) {
        throw dataFileError(locate(where, formatIndex(i, shape)), 'value is not a 32-bit integer', {
          expected: `an integer in [${INT32_MIN}, ${INT32_MAX}]`,
          received: String(x),
          hint: 'Integer data (class labels) must hold whole numbers that fit in int32; store labels as integers, e.g. `y.astype(np.int32)`.',
        });
      }
      out[i] = Number(x);
    }
    return { shape, dtype, data: out };
  }
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const x = Number(values[i]!);
    const f = Math.fround(x);
    if (Number.isFinite(x) && !Number.isFinite(f)) {
      throw dataFileError(locate(where, formatIndex(i, shape)), 'value does not fit in float32', {
        expected: 'a number with |v| < 3.4e38',
        received: String(x),
        hint: 'npde trains in float32; rescale the data so its values fit.',
      });
    }
    out[i] = f;
  }
  return { shape, dtype, data: out };
}
