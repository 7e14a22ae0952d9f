import { describe, expect, it } from 'vitest';
import { Registry, stencilRelaxPath, tf } from '@npde/core';
import { STENCIL_RELAX_GRAD_KERNEL, STENCIL_RELAX_KERNEL } from '@npde/core/internal';
import { checkPluginShape } from '@npde/core/testing';
import { CPU_BACKEND_ID, cpuBackend, plugins } from './index.js';

describe('cpuBackend', () => {
  it('is a frozen backend plugin named cpu, with the lowest built-in priority', () => {
    checkPluginShape(cpuBackend);
    expect(cpuBackend.kind).toBe('backend');
    expect(cpuBackend.id).toBe(CPU_BACKEND_ID);
    expect(CPU_BACKEND_ID).toBe('@npde/backend-cpu/cpu');
    expect(cpuBackend.name).toBe('cpu');
    expect(cpuBackend.priority).toBe(1);
    expect(plugins).toEqual([cpuBackend]);
  });

  it('registers nothing at import: the fused kernels arrive with setup()', async () => {
    expect(tf.getKernel(STENCIL_RELAX_KERNEL, 'cpu')).toBeUndefined();
    await expect(cpuBackend.probe!()).resolves.toEqual({ available: true });
    const report = await new Registry().register(plugins).ready();
    expect(report).toMatchObject({ name: 'cpu', id: CPU_BACKEND_ID, failed: [] });
    expect(tf.getBackend()).toBe('cpu');
    expect(tf.getKernel(STENCIL_RELAX_KERNEL, 'cpu')).toBeDefined();
    expect(tf.getKernel(STENCIL_RELAX_GRAD_KERNEL, 'cpu')).toBeDefined();
    const path = stencilRelaxPath();
    expect(path).toMatchObject({ path: 'fused', mode: 'fused-cpu', backend: 'cpu' });
    expect(path.reason).toContain('@npde/backend-cpu');
    for (const activation of ['identity', 'tanh', 'relu', 'sigmoid', 'softplus'] as const) expect(stencilRelaxPath(activation).path).toBe('fused');
  });

  it("is still found under the id it had in @npde/core ('@npde/core/cpu')", async () => {
    const registry = new Registry().register(cpuBackend);
    expect(registry.backend('@npde/core/cpu')).toBe(cpuBackend);
    expect(registry.backend('cpu')).toBe(cpuBackend);
    await expect(registry.ready({ backend: '@npde/core/cpu', backendOptions: { '@npde/core/cpu': {} } })).resolves.toMatchObject({ id: CPU_BACKEND_ID });
  });
});
