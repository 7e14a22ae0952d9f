import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../errors/errors.js';
import { NeuralPde } from '../model/neural-pde.js';
import { Registry } from '../registry/registry.js';
import { tf } from '../tensor/tf.js';
import { checkRoundTrip } from '../testing/conformance.js';
import { referencePdeStage, withReferenceDefaults } from '../testing/reference-plugins.js';
import { euler, noReservoir, tanhAct, testRegistry, testSpec } from '../test-plugins.test-util.js';
import { MODEL_FORMAT_VERSION, checkModelJson, modelArtifacts, modelFromArtifacts, parseModelJson, type ModelArtifacts } from './artifacts.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function artifactsOf(spec: object = testSpec): Promise<ModelArtifacts> {
  const m = NeuralPde.create(spec as typeof testSpec, { registry: testRegistry() });
  try {
    return await modelArtifacts(m, { metadata: { note: 'hi' } });
  } finally {
    m.dispose();
  }
}

describe('modelArtifacts / modelFromArtifacts', () => {
  it('round-trips predictions bit for bit (the conformance kit, through a memory store)', async () => {
    await checkRoundTrip({ ...testSpec, bias: 'per-layer', omega: { value: 0.7, trainable: true } }, testRegistry());
  });

  it('describes the spec, plugin ids and a tf.io weights manifest, and packs float32 weights', async () => {
    const { modelJson, weightData } = await artifactsOf();
    expect(modelJson.format).toBe('npde-model');
    expect(modelJson.formatVersion).toBe(MODEL_FORMAT_VERSION);
    expect((modelJson.spec as unknown as { stages: { options: { kernel: unknown } }[] }).stages[0]!.options.kernel).toBe('@test/k/diag');
    expect(modelJson.plugins['kernel']).toBe('@test/k/diag');
    expect(modelJson.plugins['integrator']).toBe('@npde/core/testing/euler');
    expect(modelJson.weightsManifest[0]!.paths).toEqual(['weights.bin']);
    expect(modelJson.weightsManifest[0]!.weights.map((w) => w.name).sort()).toEqual(['kernel/a', 'omega']);
    expect(modelJson.metadata).toEqual({ note: 'hi' });
    expect(weightData.byteLength).toBe(4 * (6 + 1));
  });

  it('fails with NPDE_UNKNOWN_PLUGIN when a plugin is not registered', async () => {
    const a = await artifactsOf();
    const withoutKernel = withReferenceDefaults(new Registry().register(tanhAct, euler, noReservoir, referencePdeStage));
    await expect(modelFromArtifacts(a, { registry: withoutKernel })).rejects.toMatchObject({ code: ErrorCodes.UNKNOWN_PLUGIN, path: 'stages[0].options.kernel' });
  });

  it('refuses another format, a newer version, a missing manifest and weights of the wrong size, naming the source', async () => {
    const a = await artifactsOf();
    const registry = testRegistry();
    const bad = (modelJson: object, weightData = a.weightData) => modelFromArtifacts({ modelJson, weightData } as ModelArtifacts, { registry, source: 'memory://x' });
    await expect(bad({ ...a.modelJson, format: 'keras' })).rejects.toMatchObject({ code: ErrorCodes.INVALID_MODEL_FILE, path: 'memory://x#format' });
    await expect(bad({ ...a.modelJson, formatVersion: MODEL_FORMAT_VERSION + 1 })).rejects.toMatchObject({
      code: ErrorCodes.INVALID_MODEL_FILE,
      message: expect.stringContaining('newer npde'),
    });
    await expect(bad({ ...a.modelJson, weightsManifest: [] })).rejects.toMatchObject({ path: 'memory://x#weightsManifest' });
    await expect(bad(a.modelJson, a.weightData.slice(0, 3))).rejects.toMatchObject({
      code: ErrorCodes.INVALID_MODEL_FILE,
      message: expect.stringContaining('wrong size'),
    });
  });

  it('parses and checks model.json text', () => {
    expect(() => parseModelJson('{ nope', 'a/model.json')).toThrow(expect.objectContaining({ code: ErrorCodes.INVALID_MODEL_FILE, path: 'a/model.json' }));
    expect(() => checkModelJson({ format: 'npde-model', formatVersion: 1 })).not.toThrow();
    expect(() => checkModelJson(null)).toThrow(/not an npde model file/);
  });
});
