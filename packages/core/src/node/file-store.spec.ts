import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ErrorCodes } from '../errors/errors.js';
import { modelArtifacts } from '../io/artifacts.js';
import { loadModel, saveModel } from '../io/save-load.js';
import { NeuralPde } from '../model/neural-pde.js';
import { tf } from '../tensor/tf.js';
import { testRegistry, testSpec } from '../test-plugins.test-util.js';
import { fileStore, readModelJson, writeFileAtomic } from './index.js';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(path.join(tmpdir(), 'npde-io-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('fileStore (@npde/core/node)', () => {
  it('writes model.json and weights.bin, leaving no temp files; plain paths and file:// URLs route to it', async () => {
    const registry = testRegistry();
    const m = NeuralPde.create(testSpec, { registry });
    const out = path.join(dir, 'a');
    await saveModel(m, out, { metadata: { note: 'hi' } });
    expect((await readdir(out)).sort()).toEqual(['model.json', 'weights.bin']);
    const json = JSON.parse(await readFile(path.join(out, 'model.json'), 'utf8'));
    expect(json.format).toBe('npde-model');
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(json.metadata).toEqual({ note: 'hi' });
    expect((await readModelJson(out)).plugins['kernel']).toBe('@test/k/diag');
    const { weightData } = await modelArtifacts(m);
    expect(Array.from(await readFile(path.join(out, 'weights.bin')))).toEqual(Array.from(new Uint8Array(weightData)));
    const loaded = await loadModel(pathToFileURL(out).href, { registry });
    const x = tf.randomNormal([2, 6], 0, 1, 'float32', 3);
    expect(Array.from(loaded.predict(x).dataSync())).toEqual(Array.from(m.predict(x).dataSync()));
    loaded.dispose();
    m.dispose();
    x.dispose();
  });

  it('writeFileAtomic removes its temp file when the rename fails', async () => {
    const target = path.join(dir, 'is-a-dir');
    await mkdir(path.join(target, 'inside'), { recursive: true });
    await expect(writeFileAtomic(target, 'x')).rejects.toThrow();
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('loads a directory in the layout earlier npde versions wrote', async () => {
    const old = path.join(dir, 'v1');
    await mkdir(old);
    const weights = new Float32Array([0.25, 0.5, 0.75, 1, 1.25, 1.5, 0.5]);
    await writeFile(path.join(old, 'weights.bin'), new Uint8Array(weights.buffer));
    const spec = { ...testSpec, bias: 'none', seed: 0 };
    await writeFile(
      path.join(old, 'model.json'),
      JSON.stringify({
        format: 'npde-model',
        formatVersion: 1,
        spec,
        plugins: { kernel: '@test/k/diag', activation: '@npde/core/testing/tanh', integrator: '@npde/core/testing/euler', reservoir: '@npde/core/testing/none' },
        weightsManifest: [{ paths: ['weights.bin'], weights: [{ name: 'kernel/a', shape: [6], dtype: 'float32' }, { name: 'omega', shape: [], dtype: 'float32' }] }],
      }),
    );
    const m = await loadModel(fileStore(old), { registry: testRegistry() });
    const w = m.getWeights();
    expect(Array.from(w['kernel/a']!.dataSync())).toEqual(Array.from(weights.slice(0, 6)));
    expect(w['omega']!.dataSync()[0]).toBe(0.5);
    Object.values(w).forEach((t) => t.dispose());
    m.dispose();
  });

  it('fails clearly on a missing directory, bad JSON or a truncated weights file', async () => {
    await expect(loadModel(path.join(dir, 'nope'))).rejects.toMatchObject({ code: ErrorCodes.INVALID_MODEL_FILE, message: expect.stringContaining('cannot read the model description') });
    const m = NeuralPde.create(testSpec, { registry: testRegistry() });
    const out = path.join(dir, 'c');
    await saveModel(m, out);
    m.dispose();
    await writeFile(path.join(out, 'weights.bin'), new Uint8Array(3));
    await expect(loadModel(out, { registry: testRegistry() })).rejects.toMatchObject({ code: ErrorCodes.INVALID_MODEL_FILE, message: expect.stringContaining('wrong size') });
    await rm(path.join(out, 'weights.bin'));
    await expect(loadModel(out, { registry: testRegistry() })).rejects.toMatchObject({ message: expect.stringContaining('cannot read the weights') });
    await writeFile(path.join(out, 'model.json'), '{ nope');
    await expect(loadModel(out, { registry: testRegistry() })).rejects.toMatchObject({ code: ErrorCodes.INVALID_MODEL_FILE, message: expect.stringContaining('not valid JSON') });
  });
});
