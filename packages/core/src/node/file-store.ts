import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODEL_JSON, WEIGHTS_BIN, modelFileError, parseModelJson, type ModelArtifacts, type ModelJson } from '../io/artifacts.js';
import type { ModelStore, ModelStoreRouter } from '../io/model-store.js';

/**
 * Write `data` to `file` atomically: a temporary file in the same folder, then
 * a rename over the target, so a reader sees the old file or the new one, never
 * half of one. The temporary file is removed when the write fails.
 *
 * @example
 * ```ts
 * await writeFileAtomic('out/report.json', JSON.stringify(report));
 * ```
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Read and check `model.json` of a model directory (format tag and version),
 * without reading the weights or building the model.
 *
 * @throws {@link @npde/core!index.ModelFileError} (`NPDE_INVALID_MODEL_FILE`): missing, not JSON, not an npde model, or from a newer npde.
 */
export async function readModelJson(dir: string): Promise<ModelJson> {
  const file = path.join(dir, MODEL_JSON);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw modelFileError('cannot read the model description', file, {
      expected: 'a model directory written by saveModel / `npde train`',
      received: (err as NodeJS.ErrnoException).code ?? String(err),
      hint: `Check the path; a model directory holds ${MODEL_JSON} and ${WEIGHTS_BIN}.`,
      cause: err,
    });
  }
  return parseModelJson(text, file);
}

/**
 * A {@link ModelStore} on a directory (Node): `model.json` and `weights.bin`
 * (the tfjs weights format, named by `model.json`'s weights manifest). `save`
 * creates the directory and writes `weights.bin` first, then `model.json`, each
 * atomically ({@link writeFileAtomic}), so a reader never sees a half-written
 * model. Directories written by earlier npde versions load unchanged.
 *
 * @example
 * ```ts
 * import { fileStore } from '@npde/core/node';
 * await saveModel(model, fileStore('out/model'));   // the same as saveModel(model, 'out/model')
 * ```
 */
export function fileStore(dir: string): ModelStore {
  return {
    describe: dir,
    async save({ modelJson, weightData }: ModelArtifacts): Promise<void> {
      const json: ModelJson = { ...modelJson, weightsManifest: [{ paths: [WEIGHTS_BIN], weights: modelJson.weightsManifest.flatMap((g) => g.weights) }] };
      await fs.mkdir(dir, { recursive: true });
      await writeFileAtomic(path.join(dir, WEIGHTS_BIN), new Uint8Array(weightData));
      await writeFileAtomic(path.join(dir, MODEL_JSON), JSON.stringify(json, null, 2) + '\n');
    },
    async load(): Promise<ModelArtifacts> {
      const modelJson = await readModelJson(dir);
      const weightsFile = path.join(dir, modelJson.weightsManifest?.[0]?.paths?.[0] ?? WEIGHTS_BIN);
      let buf: Uint8Array;
      try {
        buf = await fs.readFile(weightsFile);
      } catch (err) {
        throw modelFileError('cannot read the weights', weightsFile, { expected: 'the weights file named in model.json', received: String(err), cause: err });
      }
      return { modelJson, weightData: Uint8Array.from(buf).buffer };
    },
  };
}

/**
 * The router `@npde/core/node` registers: a `file://` URL or a location with no
 * scheme (a directory path) becomes a {@link fileStore}; other schemes are left
 * to other routers.
 */
export const fileStoreRouter: ModelStoreRouter = (location) => {
  if (/^file:\/\//i.test(location)) return fileStore(fileURLToPath(location));
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) return undefined;
  return fileStore(location);
};
