import { NeuralPde, ValidationError, defineIntegrator, tf, v, validate, type ModelSpec, type Scalar, type Tensor, type Tensor2D } from '@npde/core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testRegistry } from '../testing/adr-problem.test-util.js';
import { AdjointOptionsSchema, createAdjoint } from './adjoint.js';
import { peakTensorBytes } from '../testing/peak-bytes.test-util.js';
import { chainLength, checkpointedLossAndGrads } from './checkpointed.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

let cleanup: (() => void)[] = [];
afterEach(() => {
  cleanup.forEach((f) => f());
  cleanup = [];
});

const N = 8;

/** A two-step scheme that reads `previous` (leapfrog, z_{n+1} = z_{n−1} + 2ω F(z_n); Euler first), to test that segments carry z_{n−1}. */
const twoStep = defineIntegrator({
  id: '@npde/optimizers/testing/two-step',
  description: 'leapfrog with an Euler start (test only)',
  options: v.strictObject({}),
  create: () => ({
    evaluationsPerStep: 1,
    step: (c) => (c.previous ? tf.add(c.previous, tf.mul(tf.mul(2, c.omega), c.rhs(c.z))) : tf.add(c.z, tf.mul(c.omega, c.rhs(c.z)))) as Tensor2D,
  }),
});

function adrModel(layers: number, family: 'heterogeneous' | 'time-dependent' = 'heterogeneous', integrator?: string): NeuralPde {
  const spec: ModelSpec = {
    field: { shape: [N] },
    layers,
    activation: '@npde/core/testing/tanh',
    omega: 0.3,
    ...(integrator ? { integrator } : {}),
    kernel: { id: '@npde/kernels/adr', options: { family, boundary: 'periodic', dx: 1, init: { U: 0.2, D: 0.15, R: -0.05 } } },
  };
  const m = NeuralPde.create(spec, { registry: testRegistry().register(twoStep) });
  // Non-uniform coefficients so every site's gradient differs.
  const q = Array.from({ length: family === 'time-dependent' ? N * layers : N }, (_, i) => Math.sin(1.3 * i));
  m.setWeights({ 'kernel/U': q.map((s) => 0.2 + 0.1 * s), 'kernel/D': q.map((s) => 0.15 + 0.05 * s), 'kernel/R': q.map((s) => -0.05 + 0.05 * s) }, { partial: true });
  cleanup.push(() => m.dispose());
  return m;
}

function batch(seed: number): { x: Tensor2D; y: Tensor2D } {
  const x = tf.randomNormal([4, N], 0, 1, 'float32', seed) as Tensor2D;
  const y = tf.randomNormal([4, N], 0, 0.5, 'float32', seed + 1) as Tensor2D;
  cleanup.push(() => tf.dispose([x, y]));
  return { x, y };
}

/** max_i |a_i − b_i| / max_i |b_i| over all gradients (relative to each gradient's scale). */
function relErr(a: readonly Tensor[], b: readonly Tensor[]): number {
  let worst = 0;
  a.forEach((t, k) => {
    const da = t.dataSync();
    const db = b[k]!.dataSync();
    let scale = 0;
    let diff = 0;
    for (let i = 0; i < db.length; i++) {
      scale = Math.max(scale, Math.abs(db[i]!));
      diff = Math.max(diff, Math.abs(da[i]! - db[i]!));
    }
    worst = Math.max(worst, diff / scale);
  });
  return worst;
}

function compare(model: NeuralPde, segment: number | undefined, seed = 3): { err: number; lossDiff: number; segment: number } {
  const { x, y } = batch(seed);
  const vars = model.trainableVariables;
  const objective = (p: Tensor2D) => tf.mean(tf.squaredDifference(p, y)) as Scalar;
  const full = tf.variableGrads(() => objective(model.forward(x)), vars);
  const ref = vars.map((v) => full.grads[v.name]!);
  const live = tf.memory().numTensors;
  const ck = checkpointedLossAndGrads(model, vars, x, objective, segment);
  expect(tf.memory().numTensors).toBe(live + 1 + vars.length);
  const out = { err: relErr(ck.grads, ref), lossDiff: Math.abs(ck.loss.dataSync()[0]! - full.value.dataSync()[0]!), segment: ck.segment };
  tf.dispose([ck.loss, ...ck.grads, full.value, ...ref]);
  return out;
}

describe('checkpointedLossAndGrads', () => {
  // Same ops in the same order as backprop; only the sums over segments are regrouped: float32
  // rounding of O(segments) additions, ~1e-7 relative. 1e-5 is the bar.
  it.each([
    ['heterogeneous ADR, L = 20, default segment (⌈√20⌉ = 5)', 20, undefined, 'heterogeneous'],
    ['heterogeneous ADR, L = 20, segment 6 (ragged last segment)', 20, 6, 'heterogeneous'],
    ['heterogeneous ADR, L = 12, segment 1 (a checkpoint per step)', 12, 1, 'heterogeneous'],
    ['time-dependent ADR, L = 16, segment 4', 16, 4, 'time-dependent'],
    ['heterogeneous ADR with a two-step integrator (z_{n−1} crosses segments), L = 14, segment 4', 14, 4, 'two-step'],
  ] as const)('equals ordinary backprop to 1e-5 relative: %s', (_name, L, segment, family) => {
    const model = family === 'two-step' ? adrModel(L, 'heterogeneous', twoStep.id) : adrModel(L, family);
    expect(chainLength(model)).toBe(L);
    const r = compare(model, segment);
    expect(r.segment).toBe(segment ?? Math.ceil(Math.sqrt(L)));
    expect(r.lossDiff).toBe(0);
    expect(r.err).toBeLessThan(1e-5);
  });

  it('matches backprop at depth 150 while holding far fewer activation bytes (memory ∝ √L)', () => {
    const L = 150;
    const model = adrModel(L);
    const { x, y } = batch(5);
    const vars = model.trainableVariables;
    const objective = (p: Tensor2D) => tf.mean(tf.squaredDifference(p, y)) as Scalar;
    const ck = peakTensorBytes(() => checkpointedLossAndGrads(model, vars, x, objective));
    const full = peakTensorBytes(() => tf.variableGrads(() => objective(model.forward(x)), vars));
    const ref = vars.map((v) => full.result.grads[v.name]!);
    expect(relErr(ck.result.grads, ref)).toBeLessThan(1e-5);
    expect(ck.result.checkpoints).toBe(Math.ceil(L / Math.ceil(Math.sqrt(L))));
    // A state is 4·8·4 = 128 bytes: backprop keeps every step's activations (≥ L states),
    // the checkpointed pass 13 checkpoints plus one 13-step tape.
    expect(full.peakBytes).toBeGreaterThan(L * 128);
    expect(ck.peakBytes).toBeLessThan(full.peakBytes / 4);
    tf.dispose([ck.result.loss, ...ck.result.grads, full.result.value, ...ref]);
  });

  it('matches backprop at depth L = 1000, where the uncheckpointed gradient of this small model still fits in memory', () => {
    const r = compare(adrModel(1000), undefined, 7);
    expect(r.segment).toBe(32);
    expect(r.lossDiff).toBe(0);
    // 1000 steps: the regrouped sums are over 32 segments, float32 rounding well under the bar.
    expect(r.err).toBeLessThan(1e-5);
  });
});

describe('@npde/optimizers/adjoint', () => {
  it('rejects a segment that is not a whole number ≥ 1 with a ValidationError', () => {
    const model = adrModel(4);
    const { x, y } = batch(2);
    const live = tf.memory().numTensors;
    for (const bad of [0, 2.5]) {
      let caught: unknown;
      try {
        checkpointedLossAndGrads(model, model.trainableVariables, x, (p) => tf.mean(tf.squaredDifference(p, y)) as Scalar, bad);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ValidationError);
      expect((caught as ValidationError).code).toBe('NPDE_INVALID_OPTIONS');
      expect((caught as ValidationError).path).toBe('segment');
    }
    expect(tf.memory().numTensors).toBe(live);
    expect(() => validate(AdjointOptionsSchema, { segment: 0 })).toThrow(ValidationError);
  });

  it('takes the same Adam step as Adam on ordinary gradients', async () => {
    const a = adrModel(10);
    const b = adrModel(10);
    const { x, y } = batch(9);
    const objective = (p: Tensor2D) => tf.mean(tf.squaredDifference(p, y)) as Scalar;
    const problem = (m: NeuralPde, withObjective: boolean) => ({
      variables: m.trainableVariables,
      loss: () => tf.tidy(() => objective(m.forward(x))),
      lossAndGrads: () => {
        const { value, grads } = tf.variableGrads(() => objective(m.forward(x)), m.trainableVariables);
        return { loss: value, grads: m.trainableVariables.map((v) => grads[v.name]!) };
      },
      ...(withObjective ? { objective } : {}),
      batch: { x, y },
      model: m,
      iteration: 0,
    });
    const oa = createAdjoint(validate(AdjointOptionsSchema, { segment: 3, learningRate: 0.01 }));
    const ob = createAdjoint(validate(AdjointOptionsSchema, { learningRate: 0.01 }));
    let live = 0;
    let first = 0;
    for (let k = 0; k < 5; k++) {
      const la = await oa.step(problem(a, true));
      const lb = await ob.step(problem(b, false));
      // Adam creates its moments on the first step; after that the tensor count must stay put.
      if (k === 0) [first, live] = [la, tf.memory().numTensors];
      else expect(tf.memory().numTensors).toBe(live);
      expect(Math.abs(la - lb)).toBeLessThan(1e-6 * lb);
    }
    const last = tf.tidy(() => objective(a.forward(x)).dataSync()[0]!);
    expect(last).toBeLessThan(first);
    for (const name of Object.keys(a.parameters)) {
      const pa = a.parameters[name]!.dataSync();
      const pb = b.parameters[name]!.dataSync();
      pa.forEach((v, i) => expect(Math.abs(v - pb[i]!)).toBeLessThan(1e-5));
    }
    oa.dispose();
    ob.dispose();
  });
});
