import { describe, expect, it } from 'vitest';
import { globalRegistry } from '@npde/core';
import { wasmBackend } from './index.js';

describe('@npde/backend-wasm/register', () => {
  it('adds the wasm backend to the global registry, once', async () => {
    expect(globalRegistry().has('backend', wasmBackend.id)).toBe(false);
    await import('./register.js');
    expect(globalRegistry().backend('wasm')).toBe(wasmBackend);
    expect(() => globalRegistry().register(wasmBackend)).not.toThrow();
  });
});
