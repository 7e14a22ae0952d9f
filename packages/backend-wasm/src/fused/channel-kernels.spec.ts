import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { STENCIL_ACTIVATIONS, seededRandom, type ChannelStencilConfig } from '@npde/core';
import { fusedActivation } from '@npde/core/internal';
import { describeBackendChannelKernels } from './channel-kernels.test-util.js';
import {
  CHANNEL_WASM_EXPORTS,
  CHANNEL_WASM_URL,
  GUARD_WORD,
  GuardedArena,
  channelBackwardWasm,
  channelForwardFloat64,
  channelForwardWasm,
  loadChannelWasm,
} from './channel-kernels.js';
import { WASM_PAGE_BYTES, webAssembly } from './webassembly-api.js';

const SENTINEL = 0xa5;
const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function fresh(pages: number) {
  const memory = new (webAssembly()!.Memory)({ initial: pages });
  return { memory, ...(await loadChannelWasm(memory)) };
}

const CASES: ChannelStencilConfig[] = [];
for (const points of [5, 9] as const)
  for (const boundary of ['zero', 'periodic'] as const)
    for (const activation of STENCIL_ACTIVATIONS) CASES.push({ height: 4, width: 5, channels: 3, points, boundary, activation });
CASES.push({ height: 3, width: 3, channels: 8, points: 9, boundary: 'zero', activation: 'tanh' }); // two full f32x4 per site
CASES.push({ height: 2, width: 3, channels: 9, points: 5, boundary: 'periodic', activation: 'tanh' }); // 2 vectors + a tail
CASES.push({ height: 1, width: 2, channels: 4, points: 9, boundary: 'periodic', activation: 'softplus' }); // grid narrower than the stencil
// C a multiple of 4 (the register path, two-pass backward) with interior sites, every footprint and boundary:
CASES.push({ height: 5, width: 6, channels: 4, points: 5, boundary: 'zero', activation: 'sigmoid' });
CASES.push({ height: 4, width: 5, channels: 8, points: 5, boundary: 'periodic', activation: 'relu' });
CASES.push({ height: 5, width: 5, channels: 4, points: 9, boundary: 'periodic', activation: 'softplus' });
CASES.push({ height: 6, width: 4, channels: 12, points: 9, boundary: 'zero', activation: 'identity' });

describe('channel_stencil.wasm', () => {
  it('exports exactly its three functions and imports only env.memory', async () => {
    const wasm = webAssembly() as unknown as { Module: { exports(m: object): { name: string }[]; imports(m: object): unknown[] } };
    const { module } = await fresh(1);
    expect(wasm.Module.exports(module).map((e) => e.name).sort()).toEqual([...CHANNEL_WASM_EXPORTS].sort());
    expect(wasm.Module.imports(module)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
  });

  it('uses no shadow stack, indirect call or memory.grow, and has no data section (safe on the tfjs heap)', async () => {
    type Info = { sections: { id: number }[]; opcodes: Map<string, number> };
    const sections = (await import(pathToFileURL(path.join(pkg, 'scripts/wasm-sections.mjs')).href)) as { inspectModule(bytes: Uint8Array): Info };
    const info = sections.inspectModule(readFileSync(fileURLToPath(CHANNEL_WASM_URL)));
    expect(info.sections.map((x) => x.id)).not.toContain(11); // data
    expect(info.sections.map((x) => x.id)).not.toContain(5); // own memory
    for (const op of ['0x23', '0x24', '0x11', '0x40']) expect(info.opcodes.has(op), op).toBe(false); // global.get/set, call_indirect, memory.grow
  });

  it('rebuilds byte-identically from csrc/ with the pinned clang 14 (skipped without it)', () => {
    const clang = spawnSync('clang', ['--version'], { encoding: 'utf8' });
    const lld = spawnSync('wasm-ld', ['--version'], { encoding: 'utf8' });
    if (clang.status !== 0 || lld.status !== 0 || !/clang version 14\./.test(clang.stdout)) {
      console.warn('channel_stencil.wasm rebuild check skipped: clang 14 + wasm-ld not found');
      return;
    }
    const tmp = mkdtempSync(path.join(tmpdir(), 'npde-channel-wasm-'));
    try {
      const out = path.join(tmp, 'channel_stencil.wasm');
      execFileSync('sh', [path.join(pkg, 'scripts/build-wasm.sh'), out, 'channel_stencil'], { stdio: 'ignore' });
      expect(readFileSync(out).equals(readFileSync(fileURLToPath(CHANNEL_WASM_URL)))).toBe(true);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('refuses bad arguments with a status and writes nothing', async () => {
    const { memory, wasm } = await fresh(1);
    expect(wasm.npde_channel_scratch_floats(4, 7, 10)).toBe(-1);
    expect(wasm.npde_channel_scratch_floats(0, 9, 10)).toBe(-1);
    expect(wasm.npde_channel_scratch_floats(4, 9, 0)).toBe(-1);
    expect(wasm.npde_channel_scratch_floats(8, 9, 100)).toBeGreaterThan(wasm.npde_channel_scratch_floats(8, 9, 10));
    new Uint8Array(memory.buffer).fill(SENTINEL);
    expect(wasm.npde_channel_fwd(0, 0, 0, 0, 0, 0, 0, 1, 2, 2, 2, 7, 0, 0)).toBe(1); // 7 points
    expect(wasm.npde_channel_fwd(0, 0, 0, 0, 0, 0, 0, 1, 2, 2, 2, 9, 0, 5)).toBe(2); // activation 5
    expect(wasm.npde_channel_bwd(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 2, 0, 9, 0, 0)).toBe(3); // 0 channels
    expect(new Uint8Array(memory.buffer).every((b) => b === SENTINEL)).toBe(true);
  });

  // Heap canaries: memory filled with a sentinel, unaligned buffers with gaps; after forward and
  // backward every byte outside the output and scratch buffers is unchanged, every output written.
  it.each(CASES)('writes only its outputs and scratch (%o)', async (config) => {
    const { height: H, width: W, channels: C, points: K } = config;
    const B = 2;
    const N = H * W * C;
    const { memory, wasm } = await fresh(2);
    const bytes = new Uint8Array(memory.buffer);
    bytes.fill(SENTINEL);
    let top = 64;
    const regions: { name: string; offset: number; floats: number; out: boolean }[] = [];
    const place = (name: string, floats: number, out: boolean) => {
      const offset = top + 4 * 3; // not 16-byte aligned, on purpose
      top = offset + floats * 4 + 52;
      regions.push({ name, offset, floats, out });
      return offset;
    };
    const rand = seededRandom(N * 7 + K);
    const input = (name: string, floats: number, scale = 1) => {
      const o = place(name, floats, false);
      new Float32Array(memory.buffer, o, floats).set(Array.from({ length: floats }, () => scale * (rand() * 2 - 1)));
      return o;
    };
    const z = input('z', B * N);
    const taps = input('taps', C * K, 0.4);
    const mixing = input('mixing', C * C, 0.4);
    const omega = input('omega', 1);
    const bias = input('bias', N, 0.3);
    const dy = input('dy', B * N);
    const out = place('out', B * N, true);
    const dz = place('dz', B * N, true);
    const dtaps = place('dtaps', C * K, true);
    const dmixing = place('dmixing', C * C, true);
    const domega = place('domega', 1, true);
    const dbias = place('dbias', N, true);
    const scratch = place('scratch', wasm.npde_channel_scratch_floats(C, K, H * W), true);
    expect(top).toBeLessThan(2 * WASM_PAGE_BYTES);
    const before = bytes.slice();
    const codes = [B, H, W, C, K, config.boundary === 'periodic' ? 1 : 0, fusedActivation(config.activation).code] as const;
    expect(wasm.npde_channel_fwd(z, taps, mixing, omega, bias, out, scratch, ...codes)).toBe(0);
    expect(wasm.npde_channel_bwd(dy, z, taps, mixing, omega, bias, dz, dtaps, dmixing, domega, dbias, scratch, ...codes)).toBe(0);
    const after = new Uint8Array(memory.buffer);
    const writable = regions.filter((r) => r.out);
    for (let i = 0; i < after.length; i++) {
      if (after[i] === before[i]) continue;
      expect(writable.some((r) => i >= r.offset && i < r.offset + r.floats * 4), `byte ${i} changed outside the output buffers`).toBe(true);
    }
    for (const r of writable.filter((w) => w.name !== 'scratch')) {
      const v = new Uint32Array(memory.buffer.slice(r.offset, r.offset + r.floats * 4));
      expect(v.every((x) => x !== 0xa5a5a5a5), `${r.name} fully written`).toBe(true);
    }
  });

  it('matches the float64 definition through the guarded arena, and the arena notices a damaged guard', async () => {
    const { memory, wasm } = await fresh(1);
    const arena = new GuardedArena(memory);
    const config = CASES.at(-2)!;
    const N = config.height * config.width * config.channels;
    const wave = (n: number, f: number, amp: number) => Float32Array.from({ length: n }, (_, i) => Math.fround(amp * Math.sin(f * i + 0.3)));
    const a = { z: wave(3 * N, 0.7, 1), taps: wave(config.channels * config.points, 1.3, 0.4), mixing: wave(config.channels ** 2, 1.9, 0.4), omega: 0.7, bias: wave(N, 2.9, 0.3), batch: 3 };
    const got = channelForwardWasm(wasm, arena, a, config);
    channelForwardFloat64(a, config).forEach((x, i) => expect(Math.abs(got[i]! - x)).toBeLessThan(2e-6));
    // Damage the guard after `out` as a stray write would: the next check must throw.
    channelForwardWasm(wasm, arena, a, config);
    const words = new Uint32Array(memory.buffer);
    const at = words.findIndex((w, i) => w === GUARD_WORD && i > 0 && words[i - 1] !== GUARD_WORD && i * 4 > 1024);
    words[at] = 0;
    expect(arena.damagedGuard()).toBeDefined();
    expect(() => channelBackwardWasm(wasm, arena, a.z, a, config)).not.toThrow(); // a new call lays fresh guards
  });
});

// Its own process: zero-copy is chosen on the first call (channel-kernels-copy.spec.ts forces copy mode).
describeBackendChannelKernels('auto', 'zero-copy', CASES);
