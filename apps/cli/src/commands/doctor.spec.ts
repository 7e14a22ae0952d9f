import { describe, expect, it } from 'vitest';
import { createDefaultRegistry } from 'npde';
import { diagnoseBackends } from './doctor.js';
import { parseBackends } from './shared.js';

describe('npde doctor', () => {
  // Structure and consistency only: which backends are available (a GPU, tfjs-node-gpu,
  // zero-copy wasm) depends on the machine, and a test must pass on every one.
  it('reports every registered backend once, highest priority first, each consistent with what it says', async () => {
    const registry = createDefaultRegistry();
    const d = await diagnoseBackends(registry);
    const backends = registry.list('backend');
    expect(d.map((b) => b.id).sort()).toEqual(backends.map((b) => b.id).sort());
    expect(d.map((b) => b.priority)).toEqual([...d.map((b) => b.priority)].sort((a, b) => b - a));
    const modes = ['fused-zero-copy', 'fused-copy', 'fused-cpu', 'fused', 'op-path'];
    const bothKernels = ['NpdeStencilRelax', 'NpdeStencilRelaxGrad'];
    for (const b of d) {
      const plugin = registry.backend(b.id)!;
      expect(b).toMatchObject({ name: plugin.name, priority: plugin.priority, aliases: plugin.aliases ?? [] });
      if (!b.available) {
        // Unavailable: says why, and reports no stencil path.
        expect(typeof b.reason, b.name).toBe('string');
        expect(b.reason!.length, b.name).toBeGreaterThan(0);
        expect(b.stencilPath, b.name).toBeNull();
        continue;
      }
      expect(b.reason, b.name).toBeNull();
      expect(modes, b.name).toContain(b.stencilPath!.mode);
      expect(b.stencilPath!.reason.length, b.name).toBeGreaterThan(0);
      // The path is fused exactly when both of npde's kernels are registered for it.
      const hasBoth = bothKernels.every((k) => b.fusedKernels.includes(k));
      expect(b.stencilPath!.mode !== 'op-path', `${b.name}: ${b.stencilPath!.mode} with kernels [${b.fusedKernels}]`).toBe(hasBoth);
      expect(b.fusedKernels.every((k) => k.startsWith('Npde')), b.name).toBe(true);
    }
    // The cpu backend is npde's backend of last resort: there on every machine, with its fused kernels.
    const cpu = d.find((b) => b.name === 'cpu');
    expect(cpu).toMatchObject({ available: true, stencilPath: { mode: 'fused-cpu' } });
    // the step, whole-trajectory and multi-channel kernels, forward and backward
    expect(cpu!.fusedKernels).toEqual(expect.arrayContaining([...bothKernels, 'NpdeStencilRelaxTrajectory', 'NpdeStencilRelaxTrajectoryGrad', 'NpdeChannelStencil', 'NpdeChannelStencilGrad']));
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
