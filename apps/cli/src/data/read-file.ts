import { readFile } from 'node:fs/promises';
import { dataFileError } from './data-file-error.js';

const PATH_HINT = 'Check the path; `npde train` resolves data paths relative to the folder of the config file.';

/** Read a whole file as bytes; a missing or unreadable file is a `DataFileError` naming it. */
export async function readFileBytes(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw dataFileError(file, code === 'ENOENT' ? 'data file not found' : 'cannot read data file', {
      expected: 'a readable file',
      received: code ?? (err instanceof Error ? err.message : String(err)),
      hint: code === 'EISDIR' ? 'The path names a folder; name the data file inside it.' : PATH_HINT,
      cause: err,
    });
  }
}

/** Read and parse a JSON file; bad JSON is a `DataFileError` naming the file and the parser's complaint. */
export async function readJsonFile(file: string): Promise<unknown> {
  const text = (await readFileBytes(file)).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw dataFileError(file, 'data file is not valid JSON', {
      expected: 'JSON',
      received: (err as Error).message,
      hint: 'Write the file with a JSON serializer (e.g. `json.dump(arr.tolist(), f)` in Python); NaN and Infinity are not JSON.',
      cause: err,
    });
  }
}
