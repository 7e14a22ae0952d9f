import { beforeAll, describe, expect, it } from 'vitest';
import { Registry, channelStencilPath } from '@npde/core';
import { compareChannelStencil } from '@npde/core/testing';
import { wasmBackend } from '../index.js';
import { channelKernelMode } from './channel-kernels.js';

// Its own process: the first setup() turns the fused kernels off.
describe('multi-channel kernels turned off (fusedKernels: off)', () => {
  beforeAll(async () => {
    await wasmBackend.setup({ fusedKernels: 'off' });
    await new Registry().register(wasmBackend).ready({ backend: 'wasm' });
  });

  it('registers nothing; channelStencilRelax runs the op path on wasm', () => {
    expect(channelKernelMode().mode).toBe('op-path');
    expect(channelStencilPath()).toEqual({ path: 'op-path', backend: 'wasm' });
    const r = compareChannelStencil({ height: 3, width: 4, channels: 3, points: 5, boundary: 'zero', activation: 'tanh' });
    Object.values(r.maxAbsDiff).forEach((d) => expect(d).toBe(0));
  });
});
