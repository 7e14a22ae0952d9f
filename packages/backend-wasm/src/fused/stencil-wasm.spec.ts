import { describe, expect, it } from 'vitest';
import { STENCIL_ACTIVATIONS, seededRandom, type tf } from '@npde/core';
import { fusedActivation } from '@npde/core/internal';
import type { StencilRelaxConfig } from '@npde/core';
import { describeStencilConfig, stencilCaseSizes, stencilConfigs } from '@npde/core/testing';
import { probeActivations } from './fused-kernels.js';
import { CopyArena, checkRegions, planStencilCall } from './stencil-kernels.js';
import { BOUNDARY_CODES, STENCIL_WASM_EXPORTS, compileStencilWasm, instantiateStencilWasm, readStencilWasm } from './stencil-wasm.js';
import { WASM_PAGE_BYTES, webAssembly } from './webassembly-api.js';

const SENTINEL = 0xa5;

async function freshInstance(pages: number) {
  const memory = new (webAssembly()!.Memory)({ initial: pages });
  const wasm = instantiateStencilWasm(await compileStencilWasm(await readStencilWasm()), memory);
  return { memory, wasm };
}

function stencilCode(c: StencilRelaxConfig): { H: number; W: number; st: number } {
  return c.geometry.dims === 1 ? { H: 1, W: c.geometry.sites, st: c.geometry.radius } : { H: c.geometry.height, W: c.geometry.width, st: c.geometry.points };
}

describe('stencil_relax.wasm', () => {
  it('loads from the package folder and exports exactly its three functions', async () => {
    const bytes = await readStencilWasm();
    const module = await compileStencilWasm(bytes);
    const wasm = webAssembly() as unknown as { Module: { exports(m: object): { name: string; kind: string }[]; imports(m: object): { module: string; name: string; kind: string }[] } };
    expect(wasm.Module.exports(module).map((e) => e.name).sort()).toEqual([...STENCIL_WASM_EXPORTS].sort());
    expect(wasm.Module.imports(module)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
  });

  it('reports scratch sizes and refuses bad codes without writing', async () => {
    const { memory, wasm } = await freshInstance(1);
    expect(wasm.npde_stencil_scratch_floats(1, 100, 4, 0)).toBe(-1);
    expect(wasm.npde_stencil_scratch_floats(0, 100, 1, 0)).toBe(-1);
    expect(wasm.npde_stencil_scratch_floats(1, 100, 1, 1)).toBeGreaterThan(wasm.npde_stencil_scratch_floats(1, 100, 1, 0));
    new Uint8Array(memory.buffer).fill(SENTINEL);
    expect(wasm.npde_stencil_fwd(0, 0, 0, 0, 0, 0, 1, 1, 8, 4, 0, 0)).toBe(1); // stencil 4
    expect(wasm.npde_stencil_fwd(0, 0, 0, 0, 0, 0, 1, 2, 8, 1, 0, 0)).toBe(1); // 1-D with 2 rows
    expect(wasm.npde_stencil_fwd(0, 0, 0, 0, 0, 0, 1, 1, 8, 1, 0, 5)).toBe(2); // activation 5
    expect(wasm.npde_stencil_bwd(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, 1, 8, 1, 0, 0)).toBe(3); // B < 0
    expect(new Uint8Array(memory.buffer).every((b) => b === SENTINEL)).toBe(true);
  });

  // The canary: memory filled with a sentinel, buffers laid out with gaps between them; after
  // forward and backward every byte outside the output and scratch buffers is unchanged.
  describe.each(stencilConfigs().map((c) => [describeStencilConfig(c), c] as const))(
    'writes only its outputs and scratch: %s',
    (_name, config) => {
      it('leaves every other byte of the memory untouched', async () => {
        const { H, W, st } = stencilCode(config);
        const { S, K } = stencilCaseSizes(config.geometry);
        const B = 3;
        const { memory, wasm } = await freshInstance(4);
        const bytes = new Uint8Array(memory.buffer);
        bytes.fill(SENTINEL);
        let top = 64;
        const regions: { name: string; offset: number; floats: number; out: boolean }[] = [];
        const place = (name: string, floats: number, out: boolean) => {
          const offset = top + 4 * 3; // not 16-byte aligned, on purpose
          top = offset + floats * 4 + 52; // a gap after each buffer
          regions.push({ name, offset, floats, out });
          return offset;
        };
        const rand = seededRandom(S * 31 + K);
        const input = (name: string, floats: number) => {
          const o = place(name, floats, false);
          new Float32Array(memory.buffer, o, floats).set(Array.from({ length: floats }, () => rand() * 2 - 1));
          return o;
        };
        const z = input('z', B * S);
        const taps = input('taps', S * K);
        const omega = input('omega', 1);
        const bias = input('bias', S);
        const dy = input('dy', B * S);
        const out = place('out', B * S, true);
        const dz = place('dz', B * S, true);
        const dtaps = place('dtaps', S * K, true);
        const domega = place('domega', 1, true);
        const dbias = place('dbias', S, true);
        const scratch = place('scratch', Math.max(wasm.npde_stencil_scratch_floats(H, W, st, 0), wasm.npde_stencil_scratch_floats(H, W, st, 1)), true);
        expect(top).toBeLessThan(4 * WASM_PAGE_BYTES);
        const before = bytes.slice();
        const p = BOUNDARY_CODES[config.boundary];
        const a = fusedActivation(config.activation).code;
        expect(wasm.npde_stencil_fwd(z, taps, omega, bias, out, scratch, B, H, W, st, p, a)).toBe(0);
        expect(wasm.npde_stencil_bwd(dy, z, taps, omega, bias, dz, dtaps, domega, dbias, scratch, B, H, W, st, p, a)).toBe(0);
        const after = new Uint8Array(memory.buffer);
        const writable = regions.filter((r) => r.out);
        for (let i = 0; i < after.length; i++) {
          if (after[i] === before[i]) continue;
          const inside = writable.some((r) => i >= r.offset && i < r.offset + r.floats * 4);
          expect(inside, `byte ${i} changed outside the output buffers`).toBe(true);
        }
        // Every output was written (no sentinel float left in the outputs).
        for (const r of writable.filter((w) => w.name !== 'scratch')) {
          const v = new Uint32Array(memory.buffer.slice(r.offset, r.offset + r.floats * 4));
          expect(v.every((x) => x !== 0xa5a5a5a5), `${r.name} fully written`).toBe(true);
        }
      });
    },
  );
});

describe('which activations the binary implements', () => {
  it("advertises every entry of core's table whose code it computes as the entry's f and f′", async () => {
    const { memory, wasm } = await freshInstance(1);
    const probe = probeActivations(wasm, new CopyArena(memory));
    expect([...probe.activations.keys()]).toEqual([...STENCIL_ACTIVATIONS]);
    expect([...probe.activations.values()]).toEqual(STENCIL_ACTIVATIONS.map((a) => fusedActivation(a).code));
    expect(probe.missing).toBe('');
  });

  it('leaves to the op path an entry whose code the binary lacks, or computes as another function', async () => {
    const { memory, wasm } = await freshInstance(1);
    const probe = probeActivations(wasm, new CopyArena(memory), [
      { name: 'relu', code: 2 },
      { name: 'tanh', code: 5 }, // no ACT_ 5 in the C source
      { name: 'sigmoid', code: 4 }, // the binary's 4 is softplus
    ]);
    expect([...probe.activations]).toEqual([['relu', 2]]);
    expect(probe.missing).toMatch(/'tanh' \(code 5: not in the binary\)/);
    expect(probe.missing).toMatch(/'sigmoid' \(code 4: the binary's forward differs from the table's f\)/);
    expect(() => probeActivations(wasm, new CopyArena(memory), [{ name: 'tanh', code: 7 }])).toThrow(/implements none of the fused activations/);
  });

  it('refuses a kernel call for an activation the binary does not implement', () => {
    const t = (shape: number[]) => ({ dataId: {}, shape, dtype: 'float32' as const });
    const inputs = { z: t([2, 5]), taps: t([5, 3]), omega: t([]), bias: t([5]) } as unknown as tf.NamedTensorInfoMap;
    const attrs = { dims: 1, radius: 1, height: 0, width: 0, points: 0, boundary: 'zero', activation: 'tanh' };
    expect(planStencilCall(inputs, attrs, false, new Map([['tanh', 1]])).plan.activation).toBe(1);
    expect(() => planStencilCall(inputs, attrs, false, new Map([['relu', 2]]))).toThrow(expect.objectContaining({ path: 'attrs.activation', received: 'tanh' }));
  });
});

describe('checkRegions', () => {
  const r = (name: string, offset: number, bytes: number, writes = false) => ({ name, offset, bytes, writes });
  it('accepts buffers inside the memory that do not overlap a written one', () => {
    expect(() => checkRegions([r('z', 0, 16), r('taps', 16, 16), r('out', 32, 32, true), r('view', 0, 32)], 64)).not.toThrow();
  });
  it('refuses a buffer past the end, a negative or fractional offset, and overlaps with an output', () => {
    expect(() => checkRegions([r('z', 60, 8)], 64)).toThrow(/outside the WebAssembly memory/);
    expect(() => checkRegions([r('z', -4, 4)], 64)).toThrow(/outside/);
    expect(() => checkRegions([r('z', 1.5, 4)], 64)).toThrow(/outside/);
    expect(() => checkRegions([r('z', 0, 16), r('out', 12, 8, true)], 64)).toThrow(/overlapping/);
  });
});
