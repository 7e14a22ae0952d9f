import { describe, expect, it } from 'vitest';
import { globalRegistry } from '@npde/core';
import { cudaBackend } from './index.js';

describe('@npde/backend-cuda/register', () => {
  it('adds the cuda backend to the global registry without loading tfjs-node-gpu', async () => {
    expect(globalRegistry().has('backend', cudaBackend.id)).toBe(false);
    await import('./register.js');
    expect(globalRegistry().backend('tensorflow')).toBe(cudaBackend);
    expect(globalRegistry().backend('cuda')).toBe(cudaBackend);
    expect(globalRegistry().backend('@npde/backend-cuda/cuda')).toBe(cudaBackend);
  });
});
