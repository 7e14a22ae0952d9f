import { parse as parseNpy } from 'npyjs';
import { convertToDtype, type SourceValues } from './convert-dtype.js';
import { dataFileError } from './data-file-error.js';
import { formatShape, shapeSize, type NumericArray, type NumericDtype } from './numeric-array.js';
import { readFileBytes } from './read-file.js';

/** `.npy` element types npde reads (little-endian or byte-order free), and the dtype each becomes by default. */
const NPY_DTYPES: Readonly<Record<string, NumericDtype>> = { f4: 'float32', f8: 'float32', i4: 'int32', i8: 'int32', u1: 'int32', i1: 'int32' };
const NPY_DTYPES_TEXT = "'<f4', '<f8', '<i4', '<i8', '|u1' or '|i1'";
const MAGIC = '\x93NUMPY';

/**
 * Read a NumPy `.npy` file (format version 1, 2 or 3; C order; little-endian
 * `<f4`, `<f8`, `<i4`, `<i8`, or `|u1`, `|i1`). Floats become float32 and
 * integers int32 unless `dtype` asks otherwise (`<f8` to float32 must stay
 * finite; `<i8` to int32 must fit). Parsing is done by `npyjs`; this adds the
 * checks it leaves out (data size against shape, element type, C order).
 */
export async function readNpyFile(file: string, dtype?: NumericDtype): Promise<NumericArray> {
  const bytes = await readFileBytes(file);
  if (bytes.length < 10 || bytes.toString('latin1', 0, 6) !== MAGIC) {
    throw dataFileError(file, 'not a .npy file', {
      expected: 'a file starting with the .npy magic string \\x93NUMPY',
      received: bytes.length < 10 ? `${bytes.length} bytes` : JSON.stringify(bytes.toString('latin1', 0, 6)),
      hint: 'Write it with `numpy.save`; .npz archives are not supported (save each array as its own .npy).',
    });
  }
  // A fresh ArrayBuffer: npyjs makes typed-array views at the data offset, which must be aligned.
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let parsed: ReturnType<typeof parseNpy>;
  try {
    parsed = parseNpy(buffer);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const unsupported = /^Unsupported dtype: (.*)$/.exec(msg);
    if (unsupported) throw unsupportedDtype(file, unsupported[1]!, err);
    throw dataFileError(file, 'malformed .npy file', {
      expected: 'a .npy header followed by exactly the data its shape describes',
      received: /multiple of|outside the bounds/.test(msg) ? `a truncated file (${bytes.length} bytes): ${msg}` : msg,
      hint: 'The file may be truncated or not written by `numpy.save`; write it again.',
      cause: err,
    });
  }
  const target = NPY_DTYPES[parsed.dtype];
  if (!target) throw unsupportedDtype(file, `${parsed.dtype}`, undefined);
  if (parsed.fortranOrder) {
    throw dataFileError(file, '.npy array is in Fortran (column-major) order', {
      expected: 'fortran_order: False (C order)',
      received: 'fortran_order: True',
      hint: 'Save a C-ordered copy: `np.save(f, np.ascontiguousarray(arr))`.',
    });
  }
  const shape = parsed.shape;
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw dataFileError(file, 'malformed .npy header shape', {
      expected: 'a tuple of non-negative integers',
      received: formatShape(shape),
      hint: 'The header is damaged; write the file again with `numpy.save`.',
    });
  }
  const values = parsed.data as unknown as SourceValues;
  if (values.length !== shapeSize(shape)) {
    throw dataFileError(file, '.npy data size does not match its shape', {
      expected: `${shapeSize(shape)} elements (shape ${formatShape(shape)})`,
      received: `${values.length} elements`,
      hint: 'The file is truncated or has trailing bytes; write it again with `numpy.save`.',
    });
  }
  return convertToDtype(values, shape, dtype ?? target, file);
}

function unsupportedDtype(file: string, descr: string, cause: unknown): Error {
  const bigEndian = descr.startsWith('>');
  return dataFileError(file, 'unsupported .npy element type', {
    expected: NPY_DTYPES_TEXT,
    received: JSON.stringify(descr),
    hint: bigEndian
      ? "The array is big-endian; save a little-endian copy: `np.save(f, arr.astype('<f4'))`."
      : "Convert before saving, e.g. `np.save(f, arr.astype(np.float32))` (or `np.int32` for labels).",
    cause,
  });
}
