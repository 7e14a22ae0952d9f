import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '@npde/core';
import * as browser from './browser.js';
import * as node from './index.js';

describe('the browser entry of @npde/backend-cuda', () => {
  it('exports what the Node entry exports, with a cudaBackend of the same identity that is never available', async () => {
    expect(Object.keys(browser).sort()).toEqual(Object.keys(node).sort());
    const { cudaBackend: stub } = browser;
    const { cudaBackend: real } = node;
    expect([stub.id, stub.name, stub.aliases, stub.priority]).toEqual([real.id, real.name, real.aliases, real.priority]);
    expect(Object.isFrozen(stub)).toBe(true);
    await expect(stub.probe!()).resolves.toMatchObject({ available: false, reason: expect.stringContaining("'wasm'") });
    await expect(stub.setup({})).rejects.toMatchObject({ code: ErrorCodes.BACKEND_UNAVAILABLE, plugin: real.id });
    expect(browser.nvidiaGpuVisibility().visible).toBe(false);
  });
});
