import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { NeuralPde, createDefaultRegistry, saveModel } from 'npde';
import { runCli as run } from '../testing/run-cli.test-util.js';

let dir: string;
const N = 16;
const q = (i: number): number => (2 * Math.PI * i) / N;
const U = Array.from({ length: N }, (_, i) => 0.1 * Math.sin(q(i)));
const D = Array.from({ length: N }, (_, i) => 0.15 + 0.05 * Math.cos(q(i)));
const R = Array.from({ length: N }, (_, i) => -0.05 + 0.02 * Math.sin(2 * q(i)));

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'npde-inspect-'));
  const registry = createDefaultRegistry();
  await registry.ready({ backend: 'cpu' });
  const model = NeuralPde.create(
    { field: { shape: [N] }, layers: 4, omega: 0.5, kernel: { id: '@npde/kernels/adr', options: { family: 'heterogeneous' } }, activation: '@npde/activations/tanh' },
    { registry },
  );
  model.setWeights({ 'kernel/U': U, 'kernel/D': D, 'kernel/R': R }, { partial: true });
  await saveModel(model, path.join(dir, 'adr'));
  // data whose targets are the state after 2 of the 4 steps: depth advice must say 2
  let s = 3;
  const rand = (): number => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  const x = Array.from({ length: 16 }, () => Array.from({ length: N }, rand));
  const states = model.trajectory(x);
  await writeFile(path.join(dir, 'x.json'), JSON.stringify(x));
  await writeFile(path.join(dir, 'y.json'), JSON.stringify(states[2]!.arraySync()));
  states.forEach((t) => t.dispose());
  model.dispose();
  const heat = NeuralPde.create(
    { field: { shape: [4, 5] }, layers: 1, kernel: { id: '@npde/kernels/dense', options: { shared: true, init: 'identity' } }, activation: '@npde/activations/tanh' },
    { registry },
  );
  await saveModel(heat, path.join(dir, 'grid'));
  heat.dispose();
  // A TensorFlow.js Layers model as tfjs writes it: Dense(N → N) holding the transposed ADR matrix, then Dense(N → 3).
  const w = new Float32Array(N * N);
  for (let i = 0; i < N; i++) {
    w[((i - 1 + N) % N) * N + i] = -U[i]! / 2 + D[i]!; // K[j][i] = W_ij
    w[i * N + i] = 1 - 2 * D[i]! + R[i]!;
    w[((i + 1) % N) * N + i] = U[i]! / 2 + D[i]!;
  }
  const head = Float32Array.from({ length: N * 3 }, (_, k) => (k % 7) / 10);
  const layer = (name: string, units: number, extra: object = {}) => ({ class_name: 'Dense', config: { name, units, activation: 'linear', use_bias: false, ...extra } });
  const modelJson = {
    format: 'layers-model',
    generatedBy: 'TensorFlow.js tfjs-layers v4.22.0',
    modelTopology: { class_name: 'Sequential', config: { name: 'seq', layers: [layer('adr', N, { batch_input_shape: [null, N] }), layer('head', 3)] } },
    weightsManifest: [{ paths: ['./weights.bin'], weights: [{ name: 'adr/kernel', shape: [N, N], dtype: 'float32' }, { name: 'head/kernel', shape: [N, 3], dtype: 'float32' }] }],
  };
  await writeFile(path.join(dir, 'model.json'), JSON.stringify(modelJson));
  await writeFile(path.join(dir, 'weights.bin'), Buffer.concat([Buffer.from(w.buffer), Buffer.from(head.buffer)]));
});
afterAll(() => rm(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

describe('npde inspect', () => {
  it('reports an ADR model as physics, writes SVG plots, finds attractors and advises the depth', async () => {
    const plots = path.join(dir, 'plots');
    const r = await run('inspect', path.join(dir, 'adr'), '--json', '--plots', plots, '--attractor', '--data', path.join(dir, 'x.json'), '--targets', path.join(dir, 'y.json'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout);
    const p = info.report.blocks[0].layers[0].physics;
    for (let i = 0; i < N; i++) {
      expect(p.advection[0][i]).toBeCloseTo(U[i]!, 6);
      expect(p.diffusion[0][0][i]).toBeCloseTo(D[i]!, 6);
      expect(p.reaction[i]).toBeCloseTo(R[i]!, 6);
    }
    expect(p.diffusionReading.every((x: string) => x === 'smoothing')).toBe(true);
    expect(p.stable).toBe(true);
    expect(info.attractors).toHaveLength(4);
    expect(info.attractors.every((a: { converged: boolean }) => a.converged)).toBe(true);
    expect(info.depth[0].bestDepth).toBe(2);
    const files = (await readdir(plots)).sort();
    expect(files).toContain('block0-diffusion.svg');
    const svg = await readFile(path.join(plots, 'block0-diffusion.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<polyline/g)).toHaveLength(1); // the layers share U, D, R: one line
    expect(svg).toContain('every layer');
    const text = await run('inspect', path.join(dir, 'adr'), '--order', '2');
    expect(text.stdout).toContain('D diffusion');
    expect(text.stdout).toContain('smoothing everywhere');
  });

  it('writes heat maps for a 2-D field', async () => {
    const plots = path.join(dir, 'grid-plots');
    const r = await run('inspect', path.join(dir, 'grid'), '--periodic', '--order', '2', '--plots', plots);
    expect(r.code).toBe(0);
    const files = await readdir(plots);
    expect(files).toContain('block0-layer0-diffusion-xy.svg');
    const svg = await readFile(path.join(plots, 'block0-layer0-reaction.svg'), 'utf8');
    expect(svg.match(/<rect x=/g)!.length).toBeGreaterThanOrEqual(20); // 4 × 5 cells
  });

  it('reads a TensorFlow.js Layers model.json: the square Dense layer as a 1-D kernel, the narrowing one skipped', async () => {
    const r = await run('inspect', path.join(dir, 'model.json'), '--json', '--periodic', '--order', '2', '--plots', path.join(dir, 'foreign-plots'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info.foreign).toBe(true);
    const [adr, head] = info.report.layers;
    expect(adr.readAs).toBe('1-d kernel');
    for (let i = 0; i < N; i++) {
      expect(adr.physics[0].advection[0][i]).toBeCloseTo(U[i]!, 5);
      expect(adr.physics[0].diffusion[0][0][i]).toBeCloseTo(D[i]!, 5);
    }
    expect(head.skipped).toContain('16 ≠ output width 3');
    expect(info.plots).toHaveLength(1);
    const text = await run('inspect', dir, '--attractor');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('1-d kernel (open offsets)');
    expect(text.stdout).toMatch(/attractors z\* = f\(Kᵀ z\* \+ b\)[\s\S]*adr +yes/);
  });

  it('exits 2 for a foreign model whose weight file is missing', async () => {
    const json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
    json.weightsManifest[0].paths = ['./missing.bin'];
    await writeFile(path.join(dir, 'broken.json'), JSON.stringify(json));
    const r = await run('inspect', path.join(dir, 'broken.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('NPDE_INVALID_MODEL_FILE');
  });
});
