import { describeValue } from 'npde';
import { convertToDtype } from './convert-dtype.js';
import { dataFileError, locate } from './data-file-error.js';
import { formatShape, shapeSize, type NumericArray, type NumericDtype } from './numeric-array.js';

/** More axes than any data npde trains on; also keeps the walk below shallow. */
const MAX_RANK = 32;

/**
 * Convert a parsed JSON value, a rectangular nested array of numbers
 * (`[[1, 2], [3, 4]]`), to a {@link NumericArray} of dtype `dtype`. Ragged rows,
 * non-numbers and (for `int32`) non-integers are `DataFileError`s naming
 * `where` plus the index of the bad element (`x.json#[3][1]`).
 */
export function jsonToArray(value: unknown, where: string, dtype: NumericDtype): NumericArray {
  if (!Array.isArray(value)) {
    throw dataFileError(where, 'data is not an array', {
      expected: 'a nested array of numbers, e.g. [[0.1, 0.2], [0.3, 0.4]]',
      received: describeValue(value),
      hint: 'Store one array per file (samples along the first axis), or an npde-raw manifest object.',
    });
  }
  const shape: number[] = [];
  for (let node: unknown = value; Array.isArray(node); node = node[0]) {
    shape.push(node.length);
    if (shape.length > MAX_RANK) {
      throw dataFileError(where, 'array is nested too deeply', {
        expected: `at most ${MAX_RANK} dimensions`,
        received: `more than ${MAX_RANK}`,
        hint: 'Check that the file holds the data array itself.',
      });
    }
    if (node.length === 0) break;
  }
  const values = new Float64Array(shapeSize(shape));
  let next = 0;
  const walk = (node: unknown, depth: number, index: string): void => {
    if (depth === shape.length) {
      if (typeof node !== 'number' || !Number.isFinite(node)) {
        throw dataFileError(locate(where, index), 'element is not a finite number', {
          expected: 'a finite number',
          received: Array.isArray(node) ? `an array of length ${node.length}` : describeValue(node),
          hint: `Every element of a ${formatShape(shape)} array must be a number at the same depth; JSON cannot hold NaN or Infinity.`,
        });
      }
      values[next++] = node;
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      throw dataFileError(locate(where, index), 'array is not rectangular', {
        expected: `an array of length ${shape[depth]} (the shape of the first row is ${formatShape(shape)})`,
        received: Array.isArray(node) ? `an array of length ${node.length}` : describeValue(node),
        hint: 'Every row must have the same length at each depth; pad or drop the odd rows.',
      });
    }
    for (let i = 0; i < node.length; i++) walk(node[i], depth + 1, `${index}[${i}]`);
  };
  walk(value, 0, '');
  return convertToDtype(values, shape, dtype, where);
}
