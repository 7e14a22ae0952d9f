import { describe, expect, it } from 'vitest';
import { cpuBackend } from '@npde/backend-cpu';
import { ErrorCodes, NpdeError, Registry, tf } from '@npde/core';
import type { RegistryEvent } from '@npde/core';
import { plugins, wasmBackend, wasmInfo } from './index.js';
import { WASM_BINARIES, locateTfjsWasm, missingFiles } from './wasm-files.js';

describe('wasmBackend', () => {
  it('is a frozen backend plugin with the documented id, name and priority', () => {
    expect(wasmBackend.kind).toBe('backend');
    expect(wasmBackend.id).toBe('@npde/backend-wasm/wasm');
    expect(wasmBackend.name).toBe('wasm');
    expect(wasmBackend.priority).toBe(20);
    expect(Object.isFrozen(wasmBackend)).toBe(true);
    expect(plugins).toEqual([wasmBackend]);
  });

  it('probe() finds the package and its .wasm binaries without initializing the backend', async () => {
    const found = locateTfjsWasm();
    expect('distDir' in found && missingFiles(found.distDir, WASM_BINARIES)).toEqual([]);
    await expect(wasmBackend.probe!()).resolves.toEqual({ available: true });
    expect(Object.keys(tf.engine().registry)).not.toContain('wasm');
  });

  it('wasmInfo() says to set the backend up first when it is not loaded', async () => {
    // Nothing has imported @tensorflow/tfjs-backend-wasm in this test file yet.
    const err = await wasmInfo().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NpdeError);
    expect((err as NpdeError).code).toBe(ErrorCodes.BACKEND_UNAVAILABLE);
    expect((err as NpdeError).hint).toMatch(/registry\.ready/);
  });

  it("ready({ backend: 'wasm' }) activates wasm and emits backend:ready", async () => {
    const registry = new Registry().register(plugins, cpuBackend);
    const events: RegistryEvent[] = [];
    const sub = registry.events$.subscribe((e) => events.push(e));
    const report = await registry.ready({ backend: 'wasm' });
    sub.unsubscribe();
    expect(report).toEqual({ name: 'wasm', id: '@npde/backend-wasm/wasm', failed: [] });
    expect(tf.getBackend()).toBe('wasm');
    const ready = events.find((e) => e.type === 'backend:ready');
    expect(ready).toMatchObject({ type: 'backend:ready', backend: 'wasm', id: '@npde/backend-wasm/wasm' });
    expect(events.some((e) => e.type === 'backend:failed')).toBe(false);
  });

  it('is chosen first by priority when no backend is asked for', async () => {
    const registry = new Registry().register(cpuBackend, wasmBackend);
    const report = await registry.ready();
    expect(report.name).toBe('wasm');
    expect(report.failed).toEqual([]);
  });

  it('computes a matrix product and a tanh correctly on wasm', async () => {
    await new Registry().register(wasmBackend).ready({ backend: 'wasm' });
    const a = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const b = tf.tensor2d([1, 0, -1, 2, 0.5, 1], [3, 2]);
    const c = tf.matMul(a, b);
    expect(c.shape).toEqual([2, 2]);
    // [[1·1+2·(−1)+3·0.5, 1·0+2·2+3·1], [4·1+5·(−1)+6·0.5, 4·0+5·2+6·1]]
    expect(Array.from(await c.data())).toEqual([0.5, 7, 2, 16]);
    const t = tf.tanh(tf.tensor1d([-2, 0, 0.5]));
    const expected = [-2, 0, 0.5].map(Math.tanh);
    Array.from(await t.data()).forEach((x, i) => expect(x).toBeCloseTo(expected[i]!, 6));
    tf.dispose([a, b, c, t]);
  });

  it('gives the exact gradient of sum(tanh(x)) on wasm', async () => {
    await new Registry().register(wasmBackend).ready({ backend: 'wasm' });
    const xs = [-3, -1, -0.25, 0, 0.5, 2];
    const x = tf.tensor1d(xs);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.tanh(t)))(x);
    expect(tf.getBackend()).toBe('wasm');
    const got = Array.from(await g.data());
    // d/dx Σ tanh(x) = 1 − tanh²(x), in float64; float32 rounding keeps the relative error below 1e-6.
    xs.forEach((xi, i) => {
      const want = 1 - Math.tanh(xi) ** 2;
      expect(Math.abs(got[i]! - want)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(want)));
    });
    tf.dispose([x, g]);
  });

  it('wasmInfo() reports SIMD on and threads off in Node after setup', async () => {
    await new Registry().register(wasmBackend).ready({ backend: 'wasm' });
    await expect(wasmInfo()).resolves.toEqual({ simd: true, threads: false });
  });

  it('rejects a wasmPath once the backend is running, saying when to set it', async () => {
    await new Registry().register(wasmBackend).ready({ backend: 'wasm' });
    const err = await wasmBackend.setup({ wasmPath: '/somewhere/else' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NpdeError);
    expect((err as NpdeError).code).toBe(ErrorCodes.BACKEND_UNAVAILABLE);
    expect((err as NpdeError).message).toMatch(/already initialized/);
    expect((err as NpdeError).hint).toMatch(/before anything initializes/);
  });

  it('takes wasmPaths (a folder or file: URL in Node) under the same rules, and refuses it together with a different wasmPath', async () => {
    await new Registry().register(wasmBackend).ready({ backend: 'wasm' });
    const err = await wasmBackend.setup({ wasmPaths: 'file:///somewhere/else/' }).catch((e: unknown) => e);
    expect((err as NpdeError).message).toMatch(/wasmPaths was given after the wasm backend had already initialized/);
    expect((err as NpdeError).received).toContain('/somewhere/else');
    await expect(wasmBackend.setup({ wasmPaths: '/a', wasmPath: '/b' })).rejects.toThrow(/both wasmPaths and wasmPath/);
    const registry = new Registry().register(wasmBackend);
    expect(() => registry.resolve('backend', { id: '@npde/backend-wasm/wasm', options: { wasmPaths: '' } }, 'backend')).toThrow(/backend\.options\.wasmPaths/);
  });

  it('reports bad options by path', async () => {
    const registry = new Registry().register(wasmBackend);
    expect(() => registry.resolve('backend', { id: '@npde/backend-wasm/wasm', options: { wasmPath: 3 } }, 'backend')).toThrow(
      /backend\.options\.wasmPath/,
    );
  });
});
