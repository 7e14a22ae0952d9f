import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes, UnknownModelStoreError } from '../errors/errors.js';
import { NeuralPde } from '../model/neural-pde.js';
import { tf } from '../tensor/tf.js';
import { testRegistry, testSpec } from '../test-plugins.test-util.js';
import type { ModelArtifacts } from './artifacts.js';
import { browserStore } from './browser-store.js';
import { memoryStore } from './memory-store.js';
import { modelStore, modelStoreRouters, registerModelStoreRouter, type ModelStore } from './model-store.js';
import { loadModel, saveModel } from './save-load.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const bytes = (b: ArrayBuffer) => Array.from(new Uint8Array(b));

describe('memoryStore', () => {
  it('round-trips the artifacts bit for bit, copying on save and on load', async () => {
    const registry = testRegistry();
    const m = NeuralPde.create({ ...testSpec, bias: 'shared' }, { registry });
    m.setWeights({ 'kernel/a': [0.1, -0.2, 0.3, Math.PI, 1e-30, -7], bias: [1, 2, 3, 4, 5, 6].map((i) => Math.fround(i / 7)) }, { partial: true });
    const store = memoryStore();
    await saveModel(m, store, { metadata: { epoch: 3 } });
    const saved = store.artifacts!;
    const again = await store.load();
    expect(bytes(again.weightData)).toEqual(bytes(saved.weightData));
    new Uint8Array(again.weightData).fill(0);
    expect(bytes((await store.load()).weightData)).toEqual(bytes(saved.weightData));

    const loaded = await loadModel(store, { registry });
    const w0 = m.getWeights();
    const w1 = loaded.getWeights();
    for (const k of Object.keys(w0)) expect(Array.from(w1[k]!.dataSync()), k).toEqual(Array.from(w0[k]!.dataSync()));
    const x = tf.randomNormal([3, 6], 0, 1, 'float32', 2);
    expect(Array.from(loaded.predict(x).dataSync())).toEqual(Array.from(m.predict(x).dataSync()));
    [...Object.values(w0), ...Object.values(w1), x].forEach((t) => t.dispose());
    m.dispose();
    loaded.dispose();
  });

  it('shares named stores with memory:// locations; an empty store fails with NPDE_INVALID_MODEL_FILE', async () => {
    const registry = testRegistry();
    const m = NeuralPde.create(testSpec, { registry });
    await saveModel(m, 'memory://spec-shared');
    expect(memoryStore('spec-shared').artifacts?.modelJson.format).toBe('npde-model');
    (await loadModel(memoryStore('spec-shared'), { registry })).dispose();
    memoryStore('spec-shared').clear();
    await expect(loadModel('memory://spec-shared', { registry })).rejects.toMatchObject({ code: ErrorCodes.INVALID_MODEL_FILE, path: 'memory://spec-shared' });
    m.dispose();
  });
});

describe('model locations', () => {
  it('refuses an unknown scheme with NPDE_UNKNOWN_MODEL_STORE and a did-you-mean', () => {
    const err = (() => {
      try {
        modelStore('indexdb://m');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UnknownModelStoreError);
    expect(err).toMatchObject({ code: ErrorCodes.UNKNOWN_MODEL_STORE, path: 'indexdb://m', suggestions: ['indexeddb://'] });
    expect((err as Error).message).toMatch(/Did you mean 'indexeddb:\/\/'/);
  });

  it('refuses a plain path while no router is registered, saying to import @npde/core/node', async () => {
    // This file never imports the Node adapter, so only routers it registers itself exist.
    expect(modelStoreRouters()).toEqual([]);
    const m = NeuralPde.create(testSpec, { registry: testRegistry() });
    await expect(saveModel(m, 'out/model')).rejects.toMatchObject({ code: ErrorCodes.UNKNOWN_MODEL_STORE, hint: expect.stringContaining("import '@npde/core/node'") });
    m.dispose();
  });

  it('hands strings to registered routers, and stores as they are', async () => {
    const kv = new Map<string, ModelArtifacts>();
    const kvStore = (key: string): ModelStore => ({ describe: `kv://${key}`, save: async (a) => void kv.set(key, a), load: async () => kv.get(key)! });
    const router = (location: string) => (location.startsWith('kv://') ? kvStore(location.slice(5)) : undefined);
    registerModelStoreRouter(router);
    registerModelStoreRouter(router);
    expect(modelStoreRouters().filter((r) => r === router)).toHaveLength(1);
    const registry = testRegistry();
    const m = NeuralPde.create(testSpec, { registry });
    await saveModel(m, 'kv://a');
    expect(kv.get('a')?.modelJson.plugins['kernel']).toBe('@test/k/diag');
    (await loadModel(kvStore('a'), { registry })).dispose();
    m.dispose();
  });

  it('browser stores fail in Node with NPDE_UNKNOWN_MODEL_STORE, downloads:// cannot load', async () => {
    const m = NeuralPde.create(testSpec, { registry: testRegistry() });
    await expect(saveModel(m, 'indexeddb://m')).rejects.toMatchObject({ code: ErrorCodes.UNKNOWN_MODEL_STORE, message: expect.stringContaining('indexeddb://') });
    await expect(loadModel('downloads://m')).rejects.toMatchObject({ code: ErrorCodes.UNKNOWN_MODEL_STORE, message: expect.stringContaining('can only save') });
    expect(() => browserStore('s3://bucket/m')).toThrow(UnknownModelStoreError);
    m.dispose();
  });
});
