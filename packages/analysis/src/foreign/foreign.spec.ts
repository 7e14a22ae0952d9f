import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tfjs from '@tensorflow/tfjs';
import { ModelFileError, findMoment, type KernelMoments } from '@npde/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adrMatrix, adrProfiles } from '../testing/registry.test-util.js';
import { foreignFixedPoint, foreignReport } from './foreign-report.js';
import { readTfjsLayersModel } from './tfjs-layers.js';

const N = 12;
const dir = mkdtempSync(join(tmpdir(), 'npde-foreign-'));
const values = (m: KernelMoments, label: string, ch?: [number, number]): readonly number[] => findMoment(m, label, ch)!.values;

/** A seeded uniform generator in [−1, 1). */
function rng(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
}

const adr = adrProfiles(N);
const gaussian = (() => {
  const w = new Float64Array(N * N);
  for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) {
    let r = (((j - i) % N) + N) % N;
    if (r > N / 2) r -= N;
    w[i * N + j] = Math.exp(-(r * r) / (2 * 1.5 ** 2)) / 4;
  }
  return w;
})();
const random = (() => {
  const u = rng(7);
  return Float64Array.from({ length: N * N }, () => u() * 0.3);
})();
/** Diffusion stencil r = 0.2 with a drift along the first axis (rows). */
const heat3x3 = [
  [0, 0.2 - 0.05, 0],
  [0.2, 1 - 0.8, 0.2],
  [0, 0.2 + 0.05, 0],
];

/** Keras K for npde's W: K = Wᵀ, as a [N, N] nested array. */
const kerasKernel = (w: Float64Array): number[][] => Array.from({ length: N }, (_, j) => Array.from({ length: N }, (_, i) => w[i * N + j]!));

beforeAll(async () => {
  await tfjs.setBackend('cpu');
  // no "install tfjs-node" advice in the test log (as @npde/backend-cpu does)
  (tfjs.findBackend('cpu') as { firstUse?: boolean }).firstUse = false;
  const model = tfjs.sequential();
  model.add(tfjs.layers.dense({ name: 'adr', units: N, inputShape: [N], activation: 'tanh' }));
  model.add(tfjs.layers.dense({ name: 'gauss', units: N, useBias: false }));
  model.add(tfjs.layers.dense({ name: 'rand', units: N }));
  model.add(tfjs.layers.dense({ name: 'narrow', units: 4 }));
  model.getLayer('adr').setWeights([tfjs.tensor2d(kerasKernel(adrMatrix(adr, true))), tfjs.zeros([N])]);
  model.getLayer('gauss').setWeights([tfjs.tensor2d(kerasKernel(gaussian))]);
  model.getLayer('rand').setWeights([tfjs.tensor2d(kerasKernel(random)), tfjs.zeros([N])]);
  const conv = tfjs.sequential();
  conv.add(tfjs.layers.conv2d({ name: 'heat', filters: 1, kernelSize: 3, padding: 'same', inputShape: [8, 8, 1], useBias: false }));
  conv.add(tfjs.layers.conv2d({ name: 'mixer', filters: 3, kernelSize: 3, padding: 'same' }));
  conv.add(tfjs.layers.depthwiseConv2d({ name: 'depth', kernelSize: 3, depthMultiplier: 2, padding: 'same' }));
  conv.getLayer('heat').setWeights([tfjs.tensor4d(heat3x3.flat(), [3, 3, 1, 1])]);
  for (const [name, m] of [
    ['adr-model', model],
    ['conv-model', conv],
  ] as const) {
    // Save as tfjs's file handler does: model.json (topology + manifest naming ./weights.bin) and weights.bin.
    await m.save(
      tfjs.io.withSaveHandler(async (artifacts) => {
        const data = artifacts.weightData!;
        const bin = Array.isArray(data) ? Buffer.concat(data.map((b) => Buffer.from(b))) : Buffer.from(data as ArrayBuffer);
        const json = { modelTopology: artifacts.modelTopology, format: artifacts.format, generatedBy: artifacts.generatedBy, convertedBy: artifacts.convertedBy, weightsManifest: [{ paths: ['./weights.bin'], weights: artifacts.weightSpecs }] };
        writeFileSync(join(dir, `${name}.json`), JSON.stringify(json));
        writeFileSync(join(dir, `${name}.bin`), bin);
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function load(name: string) {
  const json = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as unknown;
  const bin = readFileSync(join(dir, `${name}.bin`));
  return readTfjsLayersModel(json, { 'weights.bin': bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) });
}

describe('foreign TensorFlow.js Layers models', () => {
  it('reads Dense layers of equal widths as 1-D kernels W = Kᵀ (periodic offsets) to 1e-5', () => {
    const report = foreignReport(load('adr-model'), { order: 4, convention: 'periodic' });
    expect(report.layers.map((l) => l.name)).toEqual(['adr', 'gauss', 'rand', 'narrow']);
    const [a, g, r, narrow] = report.layers;
    expect(a!.readAs).toBe('1-d kernel');
    for (let i = 0; i < N; i++) {
      expect(values(a!.moments!, 'W0')[i]).toBeCloseTo(1 + adr.R[i]!, 5);
      expect(values(a!.moments!, 'W1')[i]).toBeCloseTo(adr.U[i]!, 5);
      expect(values(a!.moments!, 'W2')[i]).toBeCloseTo(2 * adr.D[i]!, 5);
      expect(a!.physics[0]!.diffusion[0]![0]![i]).toBeCloseTo(adr.D[i]!, 5);
    }
    // a periodic Gaussian: W0, W2 the same at every site; W1, W3 only from the tie at r = N/2 (counted at +N/2)
    const ring = (k: number): number => gaussian.slice(0, N).reduce((s, w, j) => s + (j > N / 2 ? j - N : j) ** k * w, 0);
    for (let i = 0; i < N; i++) {
      expect(values(g!.moments!, 'W0')[i]).toBeCloseTo(ring(0), 5);
      expect(values(g!.moments!, 'W1')[i]).toBeCloseTo((N / 2) * gaussian[N / 2]!, 5);
      expect(values(g!.moments!, 'W2')[i]).toBeCloseTo(ring(2), 5);
      expect(values(g!.moments!, 'W3')[i]).toBeCloseTo((N / 2) ** 3 * gaussian[N / 2]!, 5);
    }
    expect(g!.physics[0]!.diffusionReading.every((x) => x === 'smoothing')).toBe(true);
    // a random matrix, against Σ_j r^k W_ij with ring offsets
    for (let i = 0; i < N; i++) {
      for (let k = 0; k <= 4; k++) {
        let s = 0;
        for (let j = 0; j < N; j++) {
          let rr = (((j - i) % N) + N) % N;
          if (rr > N / 2) rr -= N;
          s += rr ** k * random[i * N + j]!;
        }
        expect(values(r!.moments!, `W${k}`)[i]).toBeCloseTo(s, 4);
      }
    }
    expect(narrow!.skipped).toMatch(/12 ≠ output width 4/);
  });

  it('reads Conv2D and DepthwiseConv2D kernels as 2-D stencils with moments per channel pair', () => {
    const report = foreignReport(load('conv-model'), { order: 2 });
    const [heat, mixer, depth] = report.layers;
    expect(heat!.readAs).toBe('2-d stencil');
    const m = heat!.moments!;
    expect(m.sites).toBe(1);
    expect(values(m, 'M')[0]).toBeCloseTo(1, 5);
    expect(values(m, 'Mx')[0]).toBeCloseTo(0.1, 5); // (0.25 − 0.15) along the first axis
    expect(values(m, 'My')[0]).toBeCloseTo(0, 5);
    expect(values(m, 'Mxx')[0]).toBeCloseTo(0.4, 5);
    expect(values(m, 'Myy')[0]).toBeCloseTo(0.4, 5);
    expect(values(m, 'Mxy')[0]).toBeCloseTo(0, 5);
    expect(heat!.physics[0]!.diffusion[0]![0]![0]).toBeCloseTo(0.2, 5);
    expect(heat!.physics[0]!.diffusionReading[0]).toBe('smoothing');
    expect(heat!.physics[0]!.stable).toBe(true); // r = 0.2 ≤ 1/4
    // 3 filters over 1 input channel: one entry per pair, M of pair [o, 0] = sum of its taps
    expect(mixer!.physics).toHaveLength(3);
    expect(findMoment(mixer!.moments!, 'M', [2, 0])).toBeDefined();
    // depthwise ×2 over 3 channels: 6 outputs, each from its own input
    expect(depth!.physics.map((p) => p.channels)).toEqual([
      [0, 0],
      [1, 0],
      [2, 1],
      [3, 1],
      [4, 2],
      [5, 2],
    ]);
  });

  it('matches the depthwise taps tfjs stores, and its convolution, for one channel pair', async () => {
    const foreign = load('conv-model');
    const layer = foreign.layers[2]!;
    if (layer.kind !== 'depthwise-conv2d') throw new Error('expected a depthwise layer');
    // output channel 3 = input 1, multiplier 1: moments from tfjs's own kernel tensor
    const report = foreignReport(foreign, { order: 1 });
    const k = tfjs.tensor4d(Array.from(layer.kernel), [3, 3, 3, 2]);
    const taps = (await k.slice([0, 0, 1, 1], [3, 3, 1, 1]).reshape([3, 3]).array()) as number[][];
    let m0 = 0;
    let mx = 0;
    let my = 0;
    taps.forEach((row, a) => row.forEach((w, b) => ((m0 += w), (mx += (a - 1) * w), (my += (b - 1) * w))));
    expect(values(report.layers[2]!.moments!, 'M', [3, 1])[0]).toBeCloseTo(m0, 5);
    expect(values(report.layers[2]!.moments!, 'Mx', [3, 1])[0]).toBeCloseTo(mx, 5);
    expect(values(report.layers[2]!.moments!, 'My', [3, 1])[0]).toBeCloseTo(my, 5);
    k.dispose();
  });

  it("iterates a Dense layer on itself to its attractor z* = f(Kᵀ z* + b)", () => {
    const foreign = load('adr-model');
    const layer = foreign.layers[2]!;
    if (layer.kind !== 'dense') throw new Error('expected a dense layer');
    const r = foreignFixedPoint(layer);
    expect(r.converged).toBe(true);
    // rand has b = 0 and no activation: the attractor of z = W z is 0 unless W has eigenvalue 1
    expect(Math.max(...r.z.map(Math.abs))).toBeLessThan(1e-9);
    const adrLayer = foreign.layers[0]!;
    if (adrLayer.kind !== 'dense') throw new Error('expected a dense layer');
    const biased = { ...adrLayer, bias: Float64Array.from({ length: N }, (_, i) => 0.1 * Math.sin(i)) };
    const z = foreignFixedPoint(biased).z;
    // check z = tanh(Kᵀ z + b) directly
    for (let i = 0; i < N; i++) {
      let s = biased.bias[i]!;
      for (let j = 0; j < N; j++) s += adrLayer.kernel[j * N + i]! * z[j]!;
      expect(z[i]).toBeCloseTo(Math.tanh(s), 8);
    }
    expect(() => foreignFixedPoint(foreign.layers[3] as typeof adrLayer)).toThrow(/not onto itself/);
  });

  it('rejects a file that is not a Layers model, and a missing shard, with INVALID_MODEL_FILE', () => {
    expect(() => readTfjsLayersModel({ format: 'graph-model', modelTopology: {} }, new ArrayBuffer(0))).toThrow(ModelFileError);
    const json = JSON.parse(readFileSync(join(dir, 'adr-model.json'), 'utf8')) as unknown;
    expect(() => readTfjsLayersModel(json, {})).toThrow(/weight shard is missing/);
    expect(() => readTfjsLayersModel(json, new ArrayBuffer(8))).toThrow(/does not match the manifest/);
  });
});
