import { DataFileError, ErrorCodes } from 'npde';

/** What went wrong in a data file, for {@link dataFileError}. */
export interface DataFileProblem {
  /** What was expected there, in words. */
  readonly expected: string;
  /** What arrived, rendered briefly. */
  readonly received: string;
  /** How to fix it. */
  readonly hint: string;
  /** The underlying error, if any. */
  readonly cause?: unknown;
}

/**
 * A {@link DataFileError} (code `INVALID_DATA_FILE`) about `where`: the file
 * as the user named it, plus `#field` or `#[i][j]` for a place inside it
 * (`data/x.json#shape`, `y.npy#[17]`).
 */
export function dataFileError(where: string, summary: string, problem: DataFileProblem): DataFileError {
  return new DataFileError(ErrorCodes.INVALID_DATA_FILE, summary, { path: where, ...problem });
}

/**
 * Append a place inside a file to an error location: `locate('x.json', '[3]')`
 * is `x.json#[3]`, and `locate('data.json#x', '[3]')` is `data.json#x[3]`.
 */
export function locate(where: string, inner: string): string {
  if (!inner) return where;
  return where.includes('#') ? where + inner : `${where}#${inner}`;
}
