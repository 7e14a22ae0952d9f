/**
 * Timings of one stencil-relaxation step on [64, 4096] (1-D, radius 1, periodic, tanh):
 * fused zero-copy, fused copy and the op path, forward and forward + backward, side by
 * side in one process. Opt-in (it takes ~20 s): NPDE_WASM_BENCH=1 npx vitest run fused-bench
 */
import { describe, expect, it } from 'vitest';
import { Registry, stencilRelax, stencilRelaxReference, tf } from '@npde/core';
import type { Scalar, StencilRelaxConfig, Tensor, Tensor2D } from '@npde/core';
import { fusedKernelMode, wasmBackend } from '../index.js';
import { CopyArena, copyRunner, planStencilCall, zeroCopyRunner, type BackwardInputs } from './stencil-kernels.js';
import { compileStencilWasm, instantiateStencilWasm, readStencilWasm } from './stencil-wasm.js';
import { heapMemoryOf, type PublicBackend } from './tfjs-heap.js';
import { webAssembly } from './webassembly-api.js';

const B = 64;
const S = 4096;
const config: StencilRelaxConfig = { geometry: { dims: 1, sites: S, radius: 1 }, boundary: 'periodic', activation: 'tanh' };
const attrs = { dims: 1, radius: 1, height: 0, width: 0, points: 0, boundary: 'periodic', activation: 'tanh' };

/** Median and minimum ms per call over `rounds` rounds of `reps` calls, after a warm-up. */
function time(fn: () => void, reps: number, rounds = 9): { median: number; min: number } {
  for (let i = 0; i < reps; i++) fn();
  const per: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    per.push((performance.now() - t0) / reps);
  }
  per.sort((a, b) => a - b);
  return { median: per[Math.floor(rounds / 2)]!, min: per[0]! };
}

describe.skipIf(process.env['NPDE_WASM_BENCH'] !== '1')('stencil relax timings on wasm, [64, 4096] 1-D r=1 tanh', () => {
  it('fused zero-copy, fused copy and the op path, forward and forward + backward', async () => {
    await new Registry().register(wasmBackend).ready({ backend: 'wasm' });
    expect(fusedKernelMode().mode).toBe('zero-copy');
    const backend = tf.backend();
    const heap = heapMemoryOf(backend);
    if ('reason' in heap) throw new Error(heap.reason);
    const module = await compileStencilWasm(await readStencilWasm());
    const arena = new CopyArena(new (webAssembly()!.Memory)({ initial: 1 }));
    const copy = copyRunner(instantiateStencilWasm(module, arena.memory), arena, backend as unknown as PublicBackend);
    const zero = zeroCopyRunner(instantiateStencilWasm(module, heap.memory), heap);

    const z = tf.randomNormal([B, S], 0, 1, 'float32', 1) as Tensor2D;
    const taps = tf.randomNormal([S, 3], 0, 0.5, 'float32', 2) as Tensor2D;
    const omega = tf.scalar(0.7) as Scalar;
    const bias = tf.randomNormal([S], 0, 0.1, 'float32', 3) as tf.Tensor1D;
    const dy = tf.randomNormal([B, S], 0, 1, 'float32', 4) as Tensor2D;
    const inputs = { dy, z, taps, omega, bias };
    const { plan, args } = planStencilCall(inputs, attrs, true);
    const free = (infos: tf.TensorInfo[]) => infos.forEach((i) => backend.disposeData(i.dataId, true));
    const gradsOf = (op: typeof stencilRelax) => tf.grads((a: Tensor, b: Tensor, c: Tensor, d: Tensor) => op(a as Tensor2D, b as Tensor2D, c as Scalar, d as tf.Tensor1D, config));
    const fusedGrads = gradsOf(stencilRelax);
    const refGrads = gradsOf(stencilRelaxReference);

    const rows: [string, { median: number; min: number }][] = [
      ['fwd  fused zero-copy (stencilRelax)', time(() => tf.dispose(stencilRelax(z, taps, omega, bias, config)), 100)],
      ['fwd  fused zero-copy (kernel runner)', time(() => free([zero.forward(plan, args)]), 100)],
      ['fwd  fused copy      (kernel runner)', time(() => free([copy.forward(plan, args)]), 50)],
      ['fwd  op path (stencilRelaxReference)', time(() => tf.dispose(stencilRelaxReference(z, taps, omega, bias, config)), 10)],
      ['f+b  fused zero-copy (tf.grads, dy given)', time(() => tf.dispose(fusedGrads([z, taps, omega, bias], dy)), 30)],
      ['f+b  fused zero-copy (kernel runners)', time(() => free([zero.forward(plan, args), ...zero.backward(plan, args as BackwardInputs)]), 50)],
      ['f+b  fused copy      (kernel runners)', time(() => free([copy.forward(plan, args), ...copy.backward(plan, args as BackwardInputs)]), 30)],
      ['f+b  op path (tf.grads, dy given)', time(() => tf.dispose(refGrads([z, taps, omega, bias], dy)), 5)],
    ];
    console.log(`[${B}, ${S}] 1-D r=1 periodic tanh on wasm, ms per step (median / min of 9 rounds)`);
    for (const [name, t] of rows) console.log(`${name.padEnd(44)} ${t.median.toFixed(3).padStart(8)} ${t.min.toFixed(3).padStart(8)}`);
    tf.dispose([z, taps, omega, bias, dy]);
  });
});
