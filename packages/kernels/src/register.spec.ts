import { globalRegistry } from '@npde/core';
import { describe, expect, it } from 'vitest';
import { adr, dense, plugins } from './index.js';

describe('@npde/kernels/register', () => {
  it('the pure entry registers nothing; the register entry adds every kernel family', async () => {
    expect(plugins.slice(0, 2)).toEqual([dense, adr]);
    const names = ['dense', 'adr', 'convolution', 'gaussian', 'power-law', 'moments', 'complex', 'cluster', 'quadrature'];
    expect(plugins.map((p) => p.id)).toEqual(names.map((n) => `@npde/kernels/${n}`));
    expect(globalRegistry().has('kernel', adr.id)).toBe(false);
    await import('./register.js');
    expect(globalRegistry().get('kernel', '@npde/kernels/adr')).toBe(adr);
    expect(globalRegistry().get('kernel', '@npde/kernels/dense')).toBe(dense);
    for (const p of plugins) expect(globalRegistry().get('kernel', p.id)).toBe(p);
    await expect(import('./register.js')).resolves.toBeDefined(); // idempotent
  });

  it('every plugin is a frozen kernel family with an options schema', () => {
    for (const p of plugins) {
      expect(p.kind).toBe('kernel');
      expect(Object.isFrozen(p)).toBe(true);
      expect(p.description.length).toBeGreaterThan(0);
      expect(p.options).toBeDefined();
    }
  });
});
