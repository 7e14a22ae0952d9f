import { describe, expect, it } from 'vitest';
import { cpuBackend } from '@npde/backend-cpu';
import { BackendUnavailableError, ErrorCodes, NpdeError, Registry, tf } from '@npde/core';
import type { RegistryEvent } from '@npde/core';
import { CUDA_INSTALL_HINT, cudaBackend, plugins } from './index.js';
import { resolveTfjsNodeGpu } from './loader.js';

const INSTALL = 'npm install @tensorflow/tfjs-node-gpu@4.22.0';
// These tests describe a machine without @tensorflow/tfjs-node-gpu, like CI and this repository's dev machines.
const installed = !('error' in resolveTfjsNodeGpu());

describe('cudaBackend', () => {
  it('is a frozen backend plugin providing the tfjs backend "tensorflow" at priority 10', () => {
    expect(cudaBackend.kind).toBe('backend');
    expect(cudaBackend.id).toBe('@npde/backend-cuda/cuda');
    expect(cudaBackend.name).toBe('tensorflow');
    expect(cudaBackend.priority).toBe(10);
    expect(cudaBackend.aliases).toEqual(['cuda']);
    expect(Object.isFrozen(cudaBackend)).toBe(true);
    expect(plugins).toEqual([cudaBackend]);
  });

  it('states the install command with the platform, CUDA and cuDNN it needs', () => {
    expect(CUDA_INSTALL_HINT).toContain(INSTALL);
    expect(CUDA_INSTALL_HINT).toMatch(/Linux x86-64/);
    expect(CUDA_INSTALL_HINT).toMatch(/NVIDIA GPU/);
    expect(CUDA_INSTALL_HINT).toMatch(/CUDA 11/);
    expect(CUDA_INSTALL_HINT).toMatch(/cuDNN 8/);
  });

  describe.skipIf(installed)('without @tensorflow/tfjs-node-gpu installed', () => {
    it('probe() reports not available, naming the package and the install command, without throwing', async () => {
      const result = await cudaBackend.probe!();
      expect(result.available).toBe(false);
      expect(result.reason).toContain('@tensorflow/tfjs-node-gpu is not installed');
      expect(result.reason).toContain(INSTALL);
    });

    it('setup() throws an NpdeError that says exactly what to install', async () => {
      const err = await cudaBackend.setup({}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NpdeError);
      const e = err as NpdeError;
      expect(e.code).toBe(ErrorCodes.BACKEND_UNAVAILABLE);
      expect(e.plugin).toBe('@npde/backend-cuda/cuda');
      expect(e.hook).toBe('setup');
      expect(e.message).toContain('@tensorflow/tfjs-node-gpu is not installed');
      expect(e.hint).toBe(CUDA_INSTALL_HINT);
      expect(e.message).toContain(INSTALL);
    });

    it("ready({ backend: ['tensorflow', 'cpu'] }) falls back to cpu and reports why cuda failed", async () => {
      const registry = new Registry().register(cudaBackend, cpuBackend);
      const events: RegistryEvent[] = [];
      const sub = registry.events$.subscribe((e) => events.push(e));
      const report = await registry.ready({ backend: ['tensorflow', 'cpu'] });
      sub.unsubscribe();

      expect(report.name).toBe('cpu');
      expect(report.id).toBe('@npde/backend-cpu/cpu');
      expect(tf.getBackend()).toBe('cpu');
      expect(report.failed).toHaveLength(1);
      expect(report.failed[0]!.backend).toBe('tensorflow');
      expect(report.failed[0]!.reason).toContain('@tensorflow/tfjs-node-gpu is not installed');
      expect(report.failed[0]!.reason).toContain(INSTALL);
      expect(events.map((e) => e.type)).toEqual(['backend:failed', 'backend:ready']);
      expect(events[0]).toMatchObject({ type: 'backend:failed', backend: 'tensorflow', id: '@npde/backend-cuda/cuda' });
    });

    it('is tried after nothing better and before cpu when no backend is asked for', async () => {
      const report = await new Registry().register(cpuBackend, cudaBackend).ready();
      expect(report.name).toBe('cpu');
      expect(report.failed.map((f) => f.backend)).toEqual(['tensorflow']);
    });

    it("ready({ backend: ['cuda', 'cpu'] }) finds it by its alias and falls back the same way", async () => {
      const registry = new Registry().register(cudaBackend, cpuBackend);
      expect(registry.backend('cuda')).toBe(cudaBackend);
      const report = await registry.ready({ backend: ['cuda', 'cpu'] });
      expect(report.name).toBe('cpu');
      expect(report.failed).toHaveLength(1);
      expect(report.failed[0]!.backend).toBe('tensorflow');
      expect(report.failed[0]!.reason).toContain(INSTALL);
    });

    it.each(['tensorflow', 'cuda', '@npde/backend-cuda/cuda'])("ready({ backend: '%s' }) alone rejects with NPDE_BACKEND_UNAVAILABLE", async (asked) => {
      const registry = new Registry().register(cudaBackend, cpuBackend);
      const err = await registry.ready({ backend: asked }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NpdeError);
      expect(err).toBeInstanceOf(BackendUnavailableError);
      const e = err as BackendUnavailableError;
      expect(e.code).toBe(ErrorCodes.BACKEND_UNAVAILABLE);
      expect(e.attempts).toHaveLength(1);
      expect(e.attempts[0]!.backend).toBe('tensorflow');
      expect(e.attempts[0]!.reason).toContain(INSTALL);
      expect(e.message).toContain('@tensorflow/tfjs-node-gpu is not installed');
    });
  });
});
