import { beforeAll, describe, expect, it } from 'vitest';
import { channelStencilPath, tf, type ChannelStencilConfig } from '@npde/core';
import { channelStencilTestParts, checkBlockFusion, checkChannelStencilGradients, compareChannelStencil } from '@npde/core/testing';
import { cpuBackend } from '../cpu-backend.js';
import { channelStencilBackwardCpu, channelStencilForwardCpu } from './channel-kernels.js';

beforeAll(async () => {
  await cpuBackend.setup({}); // tf.setBackend('cpu') and the fused kernels
  expect(channelStencilPath().path).toBe('fused');
});

const CONFIGS: ChannelStencilConfig[] = [];
for (const points of [5, 9] as const)
  for (const boundary of ['zero', 'periodic'] as const)
    for (const activation of ['identity', 'tanh', 'relu', 'sigmoid', 'softplus'] as const) CONFIGS.push({ height: 5, width: 4, channels: 3, points, boundary, activation });
CONFIGS.push({ height: 1, width: 2, channels: 5, points: 9, boundary: 'periodic', activation: 'tanh' }); // grid narrower than the stencil
CONFIGS.push({ height: 3, width: 3, channels: 8, points: 9, boundary: 'zero', activation: 'tanh' });

describe('cpu NpdeChannelStencil / NpdeChannelStencilGrad', () => {
  it.each(CONFIGS)('equal the op path, outputs and gradients (%o)', (cfg) => {
    for (const perChannelBias of [false, true]) {
      const r = compareChannelStencil(cfg, { perChannelBias });
      // Float64 kernels vs float32 ops: differences are float32 rounding of O(1)–O(10) sums.
      for (const [name, d] of Object.entries(r.maxAbsDiff)) expect(d, name).toBeLessThanOrEqual(2e-5 * Math.max(1, r.maxAbs[name as keyof typeof r.maxAbs]));
    }
  });

  it('has gradients that match float64 central differences of the forward kernel', () => {
    const cfg: ChannelStencilConfig = { height: 4, width: 3, channels: 3, points: 9, boundary: 'periodic', activation: 'tanh' };
    const B = 2;
    const N = 36;
    const wave = (n: number, f: number, p: number, a: number) => Float64Array.from({ length: n }, (_, i) => a * Math.sin(f * i + p));
    const inputs = { z: wave(B * N, 0.9, 0.3, 1), taps: wave(27, 1.7, 1.1, 0.4), mixing: wave(9, 2.1, 0.2, 0.4), bias: wave(N, 2.3, -0.4, 0.3) };
    const dy = wave(B * N, 1.3, 0.7, 1);
    const omega = 0.6;
    const loss = (x: typeof inputs, om: number) => {
      // Evaluate in float64 by running the forward on the difference (out is float32: rounding ~6e-8·|out|).
      const out = channelStencilForwardCpu({ ...x, omega: om, batch: B, config: cfg });
      return out.reduce((s, v, i) => s + v * dy[i]!, 0);
    };
    const g = channelStencilBackwardCpu(dy, { ...inputs, omega, batch: B, config: cfg });
    const h = 1e-3;
    const fd = (name: keyof typeof inputs, i: number) => {
      const plus = { ...inputs, [name]: inputs[name].slice() };
      const minus = { ...inputs, [name]: inputs[name].slice() };
      plus[name][i]! += h;
      minus[name][i]! -= h;
      return (loss(plus, omega) - loss(minus, omega)) / (2 * h);
    };
    // Rounding of 72 float32 outputs (|out| ≤ ~2) contributes ≤ 72·1.2e-7/(2h) ≈ 4e-3 worst case,
    // ~5e-4 typical; truncation h²·|L'''|/6 ~ 1e-6. A wrong term is off by O(0.1–1).
    const tol = 5e-3;
    const pairs: [keyof typeof inputs, Float32Array][] = [
      ['z', g.dz],
      ['taps', g.dtaps],
      ['mixing', g.dmixing],
      ['bias', g.dbias],
    ];
    for (const [name, grad] of pairs) for (let i = 0; i < grad.length; i += 5) expect(Math.abs(fd(name, i) - grad[i]!), `${name}[${i}]`).toBeLessThan(tol);
    const fdOmega = (loss(inputs, omega + h) - loss(inputs, omega - h)) / (2 * h);
    expect(Math.abs(fdOmega - g.domega)).toBeLessThan(tol);
  });

  it('passes the float32 finite-difference check through tfjs (checkGradients)', () => {
    const cfg: ChannelStencilConfig = { height: 4, width: 4, channels: 4, points: 5, boundary: 'zero', activation: 'sigmoid' };
    expect(checkChannelStencilGradients(cfg).maxError).toBeLessThan(2e-2);
  });

  it('leaks no tensors', () => {
    const cfg: ChannelStencilConfig = { height: 3, width: 3, channels: 2, points: 9, boundary: 'zero', activation: 'tanh' };
    compareChannelStencil(cfg, { perChannelBias: true });
    const before = tf.memory().numTensors;
    compareChannelStencil(cfg, { perChannelBias: true });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('runs a fusing block of a channel-stencil kernel equal to its unfused composition', () => {
    const parts = channelStencilTestParts({ height: 4, width: 5, channels: 3, points: 9, boundary: 'zero' });
    checkBlockFusion(parts, { layers: 3, bias: 'per-layer' });
    parts.kernel.dispose();
  });
});
