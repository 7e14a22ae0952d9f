import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ErrorCodes, NpdeError, Registry, tf } from '@npde/core';
import { wasmBackend } from './index.js';
import { WASM_BINARIES, locateTfjsWasm } from './wasm-files.js';

// Runs in its own process (vitest forks pool), so the wasm backend starts uninitialized here.
describe('wasmBackend wasmPath option', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'npde-wasm-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('names the missing binary and the folder when wasmPath points at an empty folder', async () => {
    const empty = path.join(tmp, 'empty');
    fs.mkdirSync(empty);
    const err = await wasmBackend.setup({ wasmPath: empty }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NpdeError);
    const e = err as NpdeError;
    expect(e.code).toBe(ErrorCodes.BACKEND_UNAVAILABLE);
    expect(e.plugin).toBe('@npde/backend-wasm/wasm');
    expect(e.message).toMatch(/tfjs-backend-wasm(-simd)?\.wasm' is missing/);
    expect(e.expected).toContain(empty);
    expect(e.hint).toMatch(/Point wasmPath at the folder/);
  });

  it('loads the binaries from wasmPath when it is set before the first ready()', async () => {
    const found = locateTfjsWasm();
    if (!('distDir' in found)) throw found.error;
    const moved = path.join(tmp, 'moved');
    fs.mkdirSync(moved);
    for (const f of WASM_BINARIES) fs.copyFileSync(path.join(found.distDir, f), path.join(moved, f));

    // Emscripten reads the binary with fs.readFileSync in Node; record which file it opens.
    const read = vi.spyOn(fs, 'readFileSync');
    await wasmBackend.setup({ wasmPath: moved });
    const report = await new Registry().register(wasmBackend).ready({ backend: 'wasm' });
    const opened = read.mock.calls.map((c) => String(c[0])).filter((p) => p.endsWith('.wasm'));
    read.mockRestore();

    expect(report.name).toBe('wasm');
    expect(opened).toEqual([path.join(moved, 'tfjs-backend-wasm-simd.wasm')]);
    expect(Array.from(await tf.add(tf.scalar(1), tf.scalar(2)).data())).toEqual([3]);
    // The same path again is fine; a different one now is refused.
    await expect(wasmBackend.setup({ wasmPath: moved })).resolves.toBeUndefined();
    await expect(wasmBackend.setup({ wasmPath: tmp })).rejects.toThrow(/already initialized/);
  });
});
