import { fileURLToPath } from 'node:url';
import { createDefaultRegistry, loadModel, modelArtifacts, tf } from 'npde';
import { beforeAll, describe, expect, it } from 'vitest';

// A model directory written by npde 0.1.0 (model format 1, a one-block spec),
// kept as it was saved, and what that version predicted for the input below.
const FIXTURE = fileURLToPath(new URL('./fixtures/model-v1', import.meta.url));
const SAVED_PREDICTION = [0.5808870196342468,0.4914957582950592,0.04109031334519386,-0.45235124230384827,-0.6848000288009644,-0.6792029142379761,-0.41642603278160095,0.13455000519752502];
const registry = createDefaultRegistry();

beforeAll(async () => {
  await registry.ready({ backend: 'cpu' });
});

describe('model directories of format 1', () => {
  it('load as a one-stage model that predicts what the old version predicted', async () => {
    const model = await loadModel(FIXTURE, { registry });
    expect(model.stages.map((s) => s.id)).toEqual(['@npde/stages/pde']);
    expect(Object.keys(model.parameters).sort()).toEqual(['bias', 'kernel/D', 'kernel/R', 'kernel/U', 'omega']);
    const x = tf.tensor2d([Array.from({ length: 8 }, (_, i) => Math.cos(i * 0.7))]);
    const y = Array.from(model.predict(x).dataSync());
    y.forEach((v, i) => expect(Math.abs(v - SAVED_PREDICTION[i]!)).toBeLessThan(1e-6));
    // Saved again, it is written in the current (composite) format.
    const { modelJson } = await modelArtifacts(model);
    expect(modelJson.formatVersion).toBe(2);
    expect((modelJson.spec as unknown as { stages: unknown[] }).stages).toHaveLength(1);
    x.dispose();
    model.dispose();
  });
});
