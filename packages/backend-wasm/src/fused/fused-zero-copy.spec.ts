import { beforeAll, describe, expect, it, vi } from 'vitest';
import { Registry, STENCIL_ACTIVATIONS, stencilRelax, stencilRelaxPath, tf } from '@npde/core';
import { STENCIL_RELAX_GRAD_KERNEL, STENCIL_RELAX_KERNEL } from '@npde/core/internal';
import type { StencilRelaxConfig } from '@npde/core';
import { checkStencilRelaxKernels, maxAbsDifference, stencilCaseData, stencilCaseTensors, stencilConfigs, stencilForwardAndGrads, stencilRelaxFloat64 } from '@npde/core/testing';
import { fusedKernelMode, wasmBackend } from '../index.js';
import { wasmStencilRelaxGradKernel, wasmStencilRelaxKernel } from './fused-kernels.js';

// Runs in its own process (vitest forks pool): the first setup() here chooses the mode.
describe('fused stencil kernels on the wasm backend (zero-copy)', () => {
  beforeAll(async () => {
    await new Registry().register(wasmBackend).ready({ backend: 'wasm' });
  });

  it('register for wasm before the backend initializes and run zero-copy on the tfjs heap', () => {
    expect(tf.getKernel(STENCIL_RELAX_KERNEL, 'wasm')).toBe(wasmStencilRelaxKernel);
    expect(tf.getKernel(STENCIL_RELAX_GRAD_KERNEL, 'wasm')).toBe(wasmStencilRelaxGradKernel);
    expect(fusedKernelMode()).toMatchObject({ mode: 'zero-copy' });
    expect(fusedKernelMode().reason).toMatch(/tfjs heap.*4\.22\.0.*probe passed/);
    // The shipped binary implements every activation of core's table: all of them run fused.
    expect(fusedKernelMode().activations).toEqual(STENCIL_ACTIVATIONS);
    for (const a of STENCIL_ACTIVATIONS) expect(stencilRelaxPath(a).mode).toBe('fused-zero-copy');
    expect(stencilRelaxPath()).toMatchObject({ path: 'fused', mode: 'fused-zero-copy', backend: 'wasm' });
  });

  it('setup() again registers nothing twice and keeps the mode', async () => {
    const warn = vi.spyOn(console, 'warn');
    await wasmBackend.setup({});
    await new Registry().register(wasmBackend).ready({ backend: 'wasm' });
    await tf.setBackend('wasm'); // runs the kernels' setupFunc again
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
    expect(fusedKernelMode().mode).toBe('zero-copy');
    expect(tf.getKernel(STENCIL_RELAX_KERNEL, 'wasm')).toBe(wasmStencilRelaxKernel);
  });

  it('forward and tf.grads agree with the op path and with float64 (checkStencilRelaxKernels: every geometry and small grid × boundary × activation × 3 ω)', () => {
    expect(checkStencilRelaxKernels()).toMatchObject({ backend: 'wasm', mode: 'fused-zero-copy', cases: 3 * stencilConfigs().length });
  });

  it('stays correct when the tfjs heap grows while the kernel allocates its outputs', () => {
    const config: StencilRelaxConfig = { geometry: { dims: 2, height: 128, width: 160, points: 9 }, boundary: 'periodic', activation: 'softplus' };
    const batch = 48; // 3.9 MB per field: outputs and scratch make the heap grow on the way
    const d = stencilCaseData(config.geometry, 11, batch);
    const t = stencilCaseTensors(config.geometry, d, { batch });
    const memory = (tf.backend() as unknown as { wasm: { asm: { memory: { buffer: ArrayBuffer } } } }).wasm.asm.memory;
    const sizes: number[] = [memory.buffer.byteLength];
    const r = stencilForwardAndGrads(stencilRelax, t, config);
    sizes.push(memory.buffer.byteLength);
    const f64 = stencilRelaxFloat64(d, config, batch, d.dy);
    expect(maxAbsDifference(r.out, f64.out)).toBeLessThanOrEqual(1e-5);
    expect(maxAbsDifference(r.dz, f64.grads.dz)).toBeLessThanOrEqual(1e-5);
    expect(maxAbsDifference(r.dtaps, f64.grads.dtaps)).toBeLessThanOrEqual(1e-4); // sums of 48 products of O(1)
    expect(maxAbsDifference(r.dbias, f64.grads.dbias)).toBeLessThanOrEqual(1e-4);
    expect(Math.abs(r.domega[0]! - f64.grads.domega)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(f64.grads.domega)));
    tf.dispose(Object.values(t));
    expect(sizes[1]).toBeGreaterThan(sizes[0]!); // the heap did grow during the calls
  });

  it('handles a batch of zero', () => {
    const config: StencilRelaxConfig = { geometry: { dims: 1, sites: 6, radius: 1 }, boundary: 'zero', activation: 'tanh' };
    const d = stencilCaseData(config.geometry, 7, 0);
    const t = stencilCaseTensors(config.geometry, d, { batch: 0 });
    const r = stencilForwardAndGrads(stencilRelax, t, config);
    expect(r.out.length).toBe(0);
    expect(Array.from(r.dtaps)).toEqual(new Array(18).fill(0));
    expect(Array.from(r.domega)).toEqual([0]);
    tf.dispose(Object.values(t));
  });

  it('leaks no tensors and no heap buffers (scratch is freed)', () => {
    const config: StencilRelaxConfig = { geometry: { dims: 2, height: 6, width: 7, points: 9 }, boundary: 'periodic', activation: 'softplus' };
    const t = stencilCaseTensors(config.geometry, stencilCaseData(config.geometry, 3));
    stencilForwardAndGrads(stencilRelax, t, config); // warm
    const tensors = tf.memory().numTensors;
    const dataIds = tf.backend().numDataIds();
    for (let i = 0; i < 3; i++) stencilForwardAndGrads(stencilRelax, t, config);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.backend().numDataIds()).toBe(dataIds);
    tf.dispose(Object.values(t));
  });

  it('leaves every other tensor on the heap untouched (guard tensors around the inputs)', () => {
    const config: StencilRelaxConfig = { geometry: { dims: 1, sites: 23, radius: 3 }, boundary: 'periodic', activation: 'relu' };
    const guard = (n: number, v: number) => tf.fill([n], v);
    const guards: tf.Tensor[] = [guard(17, 1.25)];
    const d = stencilCaseData(config.geometry, 9);
    const z = tf.tensor2d(d.z, [3, 23]);
    guards.push(guard(5, -2.5));
    const taps = tf.tensor2d(d.taps, [23, 7]);
    guards.push(guard(3, 7));
    const omega = tf.scalar(d.omega);
    guards.push(guard(9, -0.5));
    const bias = tf.tensor1d(d.bias);
    guards.push(guard(31, 3.75));
    const dy = tf.tensor2d(d.dy, [3, 23]);
    guards.push(guard(64, 0.125));
    const before = [...guards, z, taps, omega, bias, dy].map((g) => Array.from(g.dataSync()));
    const outs: tf.Tensor[] = [];
    for (let i = 0; i < 4; i++) {
      outs.push(tf.engine().runKernel(STENCIL_RELAX_KERNEL, { z, taps, omega, bias }, { dims: 1, radius: 3, height: 0, width: 0, points: 0, boundary: 'periodic', activation: 'relu' }) as tf.Tensor);
      outs.push(...(tf.engine().runKernel(STENCIL_RELAX_GRAD_KERNEL, { dy, z, taps, omega, bias }, { dims: 1, radius: 3, height: 0, width: 0, points: 0, boundary: 'periodic', activation: 'relu' }) as tf.Tensor[]));
      guards.push(guard(13 + i, i)); // more allocations between the calls
      before.push(Array.from(guards[guards.length - 1]!.dataSync()));
    }
    const after = [...guards.slice(0, 6), z, taps, omega, bias, dy, ...guards.slice(6)].map((g) => Array.from(g.dataSync()));
    expect(after).toEqual(before);
    tf.dispose([...guards, z, taps, omega, bias, dy, ...outs]);
  });

  it('rejects inputs that disagree with the attrs before touching memory', () => {
    const z = tf.zeros([2, 8]);
    const taps = tf.zeros([8, 3]);
    const omega = tf.scalar(0.5);
    const bias = tf.zeros([8]);
    const attrs = { dims: 1, radius: 1, height: 0, width: 0, points: 0, boundary: 'zero', activation: 'tanh' };
    expect(() => tf.engine().runKernel(STENCIL_RELAX_KERNEL, { z, taps, omega, bias: tf.zeros([7]) }, attrs)).toThrow(/bias/);
    expect(() => tf.engine().runKernel(STENCIL_RELAX_KERNEL, { z, taps, omega, bias }, { ...attrs, radius: 2 })).toThrow(/taps/);
    expect(() => tf.engine().runKernel(STENCIL_RELAX_KERNEL, { z, taps, omega, bias }, { ...attrs, activation: 'gelu' })).toThrow(/activation/);
    expect(() => tf.engine().runKernel(STENCIL_RELAX_KERNEL, { z, taps, omega, bias }, { ...attrs, dims: 2, height: 3, width: 3, points: 9 })).toThrow(/grid size/);
    expect(() => tf.engine().runKernel(STENCIL_RELAX_KERNEL, { z: tf.zeros([2, 8], 'int32'), taps, omega, bias }, attrs)).toThrow(/dtype/);
    expect(() => tf.engine().runKernel(STENCIL_RELAX_GRAD_KERNEL, { dy: tf.zeros([3, 8]), z, taps, omega, bias }, attrs)).toThrow(/dy/);
    tf.dispose([z, taps, omega, bias]);
  });
});
