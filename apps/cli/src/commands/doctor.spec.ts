import { describe, expect, it } from 'vitest';
import { createDefaultRegistry } from 'npde';
import { diagnoseBackends } from './doctor.js';
import { parseBackends } from './shared.js';

describe('npde doctor', () => {
  it('reports every backend truthfully on this machine (no GPU, no tfjs-node-gpu)', async () => {
    const d = await diagnoseBackends(createDefaultRegistry());
    expect(d.map((b) => b.name)).toEqual(['wasm', 'tensorflow', 'cpu']);
    const byName = Object.fromEntries(d.map((b) => [b.name, b]));
    expect(byName['wasm']!.available).toBe(true);
    expect(byName['cpu']!.available).toBe(true);
    expect(byName['tensorflow']!.available).toBe(false);
    expect(byName['tensorflow']!.aliases).toContain('cuda');
    expect(byName['tensorflow']!.reason).toContain('@tensorflow/tfjs-node-gpu');
    expect(byName['tensorflow']!.stencilPath).toBeNull();
    expect(byName['wasm']!.fusedKernels).toEqual(['NpdeStencilRelax', 'NpdeStencilRelaxGrad']);
    expect(byName['wasm']!.stencilPath!.mode).toBe('fused-zero-copy');
    expect(byName['cpu']!.stencilPath!.mode).toBe('fused-cpu');
  });
});

describe('--backend', () => {
  it('takes one name or a fallback order, and refuses unknown names', () => {
    expect(parseBackends('wasm')).toEqual(['wasm']);
    expect(parseBackends('cuda, wasm')).toEqual(['cuda', 'wasm']);
    expect(() => parseBackends('cuda,tpu')).toThrow(/tpu/);
    expect(() => parseBackends('')).toThrow();
  });
});
