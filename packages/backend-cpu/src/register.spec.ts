import { describe, expect, it } from 'vitest';
import { globalRegistry } from '@npde/core';
import { cpuBackend } from './index.js';

describe('@npde/backend-cpu/register', () => {
  it('adds the cpu backend to the global registry', async () => {
    expect(globalRegistry().has('backend', cpuBackend.id)).toBe(false);
    await import('./register.js');
    expect(globalRegistry().get('backend', cpuBackend.id)).toBe(cpuBackend);
    expect(globalRegistry().backend('cpu')).toBe(cpuBackend);
  });
});
