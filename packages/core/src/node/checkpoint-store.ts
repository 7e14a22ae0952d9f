import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ErrorCodes, ModelFileError } from '../errors/errors.js';
import type { Checkpoint, CheckpointJson, CheckpointStore } from '../trainer/checkpoint.js';
import { writeFileAtomic } from './file-store.js';

/** Name of a checkpoint directory's JSON file; it names the weights file it belongs to. */
export const CHECKPOINT_JSON = 'checkpoint.json';

/** What `checkpoint.json` holds: the checkpoint's JSON and the name of its weights file. */
interface CheckpointFile {
  readonly weightsFile: string;
  readonly checkpoint: CheckpointJson;
}

/**
 * A {@link CheckpointStore} on a directory (Node): `checkpoint.json` and one
 * weights file per save (`checkpoint-<epoch>.bin`). A save writes the new
 * weights file, then replaces `checkpoint.json` (each atomically: temp file +
 * rename), then removes older weights files, so a fit killed at any moment
 * leaves a readable checkpoint, the new one or the one before. `load` returns
 * `undefined` when the directory holds no checkpoint yet.
 *
 * @example
 * ```ts
 * import { fileCheckpointStore } from '@npde/core/node';
 * const store = fileCheckpointStore('out/model/checkpoints');
 * await trainer.fit(model, data, { optimizer, epochs: 100, checkpoint: { store, every: 10 } });
 * // later, in a new process:
 * await trainer.fit(model, data, { optimizer, epochs: 100, resume: store });
 * ```
 */
export function fileCheckpointStore(dir: string): CheckpointStore {
  const jsonFile = path.join(dir, CHECKPOINT_JSON);
  return {
    describe: dir,
    async save({ json, weightData }: Checkpoint): Promise<void> {
      const weightsFile = `checkpoint-${String(json.epoch).padStart(6, '0')}.bin`;
      await fs.mkdir(dir, { recursive: true });
      await writeFileAtomic(path.join(dir, weightsFile), new Uint8Array(weightData));
      const file: CheckpointFile = { weightsFile, checkpoint: json };
      await writeFileAtomic(jsonFile, JSON.stringify(file, null, 1) + '\n');
      const stale = (await fs.readdir(dir)).filter((f) => /^checkpoint-\d+\.bin$/.test(f) && f !== weightsFile);
      await Promise.all(stale.map((f) => fs.rm(path.join(dir, f), { force: true })));
    },
    async load(): Promise<Checkpoint | undefined> {
      let text: string;
      try {
        text = await fs.readFile(jsonFile, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw checkpointFileError('cannot read the checkpoint', jsonFile, String(err), err);
      }
      let file: CheckpointFile;
      try {
        file = JSON.parse(text) as CheckpointFile;
      } catch (err) {
        throw checkpointFileError('checkpoint.json is not valid JSON', jsonFile, (err as Error).message, err);
      }
      const weightsPath = path.join(dir, path.basename(String(file?.weightsFile)));
      let buf: Buffer;
      try {
        buf = await fs.readFile(weightsPath);
      } catch (err) {
        throw checkpointFileError('cannot read the checkpoint weights', weightsPath, String(err), err);
      }
      return { json: file.checkpoint, weightData: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer };
    },
  };
}

function checkpointFileError(summary: string, file: string, received: string, cause: unknown): ModelFileError {
  return new ModelFileError(ErrorCodes.INVALID_MODEL_FILE, summary, {
    path: file,
    expected: 'a checkpoint directory written by a fit with `checkpoint: { store: fileCheckpointStore(dir) }`',
    received,
    cause,
  });
}
