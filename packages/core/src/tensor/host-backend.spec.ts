import { describe, expect, it } from 'vitest';
import { onHostBackend } from './host-backend.js';
import { tf } from './tf.js';

describe('onHostBackend', () => {
  it('is true on cpu and wasm, false on device backends', () => {
    expect(onHostBackend('cpu')).toBe(true);
    expect(onHostBackend('wasm')).toBe(true);
    expect(onHostBackend('webgl')).toBe(false);
    expect(onHostBackend('tensorflow')).toBe(false);
  });

  it('asks about the active backend by default', async () => {
    await tf.setBackend('cpu');
    expect(onHostBackend()).toBe(true);
  });
});
