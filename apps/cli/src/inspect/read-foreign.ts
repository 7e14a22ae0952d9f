import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { readTfjsLayersModel, type ForeignModel } from '@npde/analysis';
import { ErrorCodes, ModelFileError } from 'npde';

/** Whether a parsed model.json is a TensorFlow.js Layers model (rather than an npde model). */
export function isTfjsLayersJson(json: unknown): boolean {
  if (typeof json !== 'object' || json === null) return false;
  const j = json as Record<string, unknown>;
  return j['format'] === 'layers-model' || (j['modelTopology'] !== undefined && j['format'] !== 'npde-model');
}

/**
 * Where a `npde inspect` argument points: the model.json of a foreign
 * (TensorFlow.js Layers) model, or an npde model directory. A file or a
 * directory holding a Layers model.json is foreign; anything else is taken as
 * an npde model directory (and fails there if it is not one).
 */
export async function foreignModelJsonPath(target: string): Promise<string | undefined> {
  let file = target;
  try {
    if ((await stat(target)).isDirectory()) file = path.join(target, 'model.json');
  } catch {
    return undefined;
  }
  try {
    return isTfjsLayersJson(JSON.parse(await readFile(file, 'utf8'))) ? file : undefined;
  } catch {
    return undefined;
  }
}

/** Read a TensorFlow.js Layers model.json and the weight shards its manifest names (relative to it), and parse it. */
export async function readForeignModel(modelJsonFile: string): Promise<ForeignModel> {
  const json = JSON.parse(await readFile(modelJsonFile, 'utf8')) as { weightsManifest?: { paths?: string[] }[] };
  const weights: Record<string, ArrayBuffer> = {};
  for (const group of json.weightsManifest ?? []) {
    for (const p of group.paths ?? []) {
      const file = path.resolve(path.dirname(modelJsonFile), p);
      try {
        const buf = await readFile(file);
        weights[p] = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
      } catch (cause) {
        throw new ModelFileError(ErrorCodes.INVALID_MODEL_FILE, 'cannot read a weight file of the model', {
          path: file,
          expected: 'the weight shard named in model.json',
          received: (cause as NodeJS.ErrnoException).code ?? String(cause),
          hint: 'Keep the weight files (weights.bin, group1-shard1of1.bin, …) next to model.json.',
          cause,
        });
      }
    }
  }
  return readTfjsLayersModel(json, weights);
}
