import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Registry, tf } from '@npde/core';
import { wasmBackend } from '../index.js';
import { STENCIL_WASM_URL } from './stencil-wasm.js';
import { heapMemoryOf } from './tfjs-heap.js';
import { webAssembly } from './webassembly-api.js';

describe('heapMemoryOf', () => {
  beforeAll(async () => {
    await new Registry().register(wasmBackend).ready({ backend: 'wasm' });
  });

  it('finds the tfjs heap memory and tensor offsets on tfjs-backend-wasm 4.22', () => {
    const heap = heapMemoryOf(tf.backend());
    if ('reason' in heap) throw new Error(heap.reason);
    const t = tf.tensor1d([1.5, -2.25, 3.125]);
    const offset = heap.offsetOf(t as unknown as tf.TensorInfo);
    expect(Array.from(new Float32Array(heap.memory.buffer, offset, 3))).toEqual([1.5, -2.25, 3.125]);
    t.dispose();
  });

  it('gives a reason instead when the internals are missing or inconsistent', () => {
    expect(heapMemoryOf(null)).toEqual({ reason: expect.stringMatching(/not an object/) });
    expect(heapMemoryOf({ wasm: {} })).toEqual({ reason: expect.stringMatching(/no WebAssembly.Memory/) });
    const memory = new (webAssembly()!.Memory)({ initial: 1 });
    expect(heapMemoryOf({ wasm: { asm: { memory }, HEAPU8: new Uint8Array(16) } })).toEqual({ reason: expect.stringMatching(/not the memory the tfjs heap/) });
    expect(heapMemoryOf({ wasm: { asm: { memory }, HEAPU8: new Uint8Array(memory.buffer) } })).toEqual({ reason: expect.stringMatching(/dataIdMap/) });
  });

  it('loads the kernels from <package>/wasm/, the same two levels up from src/fused and dist/fused', () => {
    expect(existsSync(STENCIL_WASM_URL)).toBe(true);
    const pkg = JSON.parse(readFileSync(new URL('../package.json', STENCIL_WASM_URL), 'utf8')) as { name: string; files: string[] };
    expect(pkg.name).toBe('@npde/backend-wasm');
    expect(pkg.files).toContain('wasm/stencil_relax.wasm');
  });
});
