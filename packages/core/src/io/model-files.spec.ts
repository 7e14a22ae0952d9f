import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { NeuralPde } from '../model/neural-pde.js';
import { loadModel, saveModel } from './model-files.js';
import { tf } from '../tensor/tf.js';
import { ErrorCodes } from '../errors/errors.js';
import { Registry } from '../registry/registry.js';
import { checkRoundTrip } from '../testing/conformance.js';
import { euler, noReservoir, tanhAct, testRegistry, testSpec } from '../test-plugins.test-util.js';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(path.join(tmpdir(), 'npde-io-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('saveModel / loadModel', () => {
  it('round-trips predictions bit for bit', async () => {
    await checkRoundTrip({ ...testSpec, bias: 'per-layer', omega: { value: 0.7, trainable: true } }, testRegistry());
  });

  it('writes the spec, plugin ids and a tf.io weights manifest, leaving no temp files', async () => {
    const m = NeuralPde.create(testSpec, { registry: testRegistry() });
    const out = path.join(dir, 'a');
    await saveModel(m, out, { metadata: { note: 'hi' } });
    expect((await readdir(out)).sort()).toEqual(['model.json', 'weights.bin']);
    const json = JSON.parse(await readFile(path.join(out, 'model.json'), 'utf8'));
    expect(json.format).toBe('npde-model');
    expect(json.spec.kernel).toBe('@test/k/diag');
    expect(json.plugins.integrator).toBe('@npde/core/testing/euler');
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(json.weightsManifest[0].weights.map((w: { name: string }) => w.name).sort()).toEqual(['kernel/a', 'omega']);
    expect(json.metadata).toEqual({ note: 'hi' });
    m.dispose();
  });

  it('fails with NPDE_UNKNOWN_PLUGIN when a plugin is not registered', async () => {
    const m = NeuralPde.create(testSpec, { registry: testRegistry() });
    const out = path.join(dir, 'b');
    await saveModel(m, out);
    m.dispose();
    const withoutKernel = new Registry().register(tanhAct, euler, noReservoir);
    await expect(loadModel(out, { registry: withoutKernel })).rejects.toMatchObject({ code: ErrorCodes.UNKNOWN_PLUGIN, path: 'kernel' });
  });

  it('fails clearly on a missing directory, bad JSON or a truncated weights file', async () => {
    await expect(loadModel(path.join(dir, 'nope'))).rejects.toMatchObject({ code: ErrorCodes.INVALID_MODEL_FILE });
    const m = NeuralPde.create(testSpec, { registry: testRegistry() });
    const out = path.join(dir, 'c');
    await saveModel(m, out);
    m.dispose();
    await writeFile(path.join(out, 'weights.bin'), new Uint8Array(3));
    await expect(loadModel(out, { registry: testRegistry() })).rejects.toMatchObject({ code: ErrorCodes.INVALID_MODEL_FILE, message: expect.stringContaining('wrong size') });
    await writeFile(path.join(out, 'model.json'), '{ nope');
    await expect(loadModel(out, { registry: testRegistry() })).rejects.toMatchObject({ code: ErrorCodes.INVALID_MODEL_FILE });
  });
});
