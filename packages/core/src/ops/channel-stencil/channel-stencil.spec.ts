import { beforeAll, describe, expect, it } from 'vitest';
import { ShapeError, ValidationError } from '../../errors/errors.js';
import { tf, type Scalar, type Tensor1D, type Tensor2D, type Variable } from '../../tensor/tf.js';
import { channelStencilTestParts, compareChannelStencil } from '../../testing/channel-stencil-check.js';
import { checkBlockFusion } from '../../testing/fusion-check.js';
import { checkGradients } from '../../testing/gradient-check.js';
import { referenceCpuBackend as cpuBackend } from '../../testing/reference-plugins.js';
import { fusionBlocker } from '../stencil-relax/fusion.js';
import { fusedActivation } from '../stencil-relax/activations.js';
import { STENCIL_OFFSETS_2D } from '../stencil-relax/config.js';
import { channelStencilPath, channelStencilRelax } from './channel-stencil.js';
import type { ChannelStencilConfig } from './config.js';
import { channelStencilRelaxReference } from './reference.js';

beforeAll(async () => {
  await cpuBackend.setup({}); // tfjs cpu without fused kernels: channelStencilRelax runs the op path
});

/** The step in float64 straight from the definition, with its own index arithmetic. */
function float64Step(cfg: ChannelStencilConfig, B: number, z: Float32Array, taps: Float32Array, mix: Float32Array, omega: number, bias: Float32Array): Float64Array {
  const { height: H, width: W, channels: C, points: K } = cfg;
  const out = new Float64Array(B * H * W * C);
  const { f } = fusedActivation(cfg.activation);
  const at = (b: number, i: number, j: number, c: number): number => {
    if (cfg.boundary === 'periodic') return z[((b * H + ((i + H) % H)) * W + ((j + W) % W)) * C + c]!;
    return i < 0 || i >= H || j < 0 || j >= W ? 0 : z[((b * H + i) * W + j) * C + c]!;
  };
  for (let b = 0; b < B; b++)
    for (let i = 0; i < H; i++)
      for (let j = 0; j < W; j++)
        for (let c = 0; c < C; c++) {
          let u = -bias[(i * W + j) * C + c]!;
          STENCIL_OFFSETS_2D[cfg.points].forEach(([di, dj], k) => (u += taps[c * K + k]! * at(b, i + di, j + dj, c)));
          for (let d = 0; d < C; d++) u += mix[c * C + d]! * at(b, i, j, d);
          const idx = ((b * H + i) * W + j) * C + c;
          out[idx] = (1 - omega) * z[idx]! + omega * f(u);
        }
  return out;
}

const configs: ChannelStencilConfig[] = [
  { height: 4, width: 5, channels: 3, points: 9, boundary: 'zero', activation: 'tanh' },
  { height: 3, width: 6, channels: 2, points: 5, boundary: 'periodic', activation: 'sigmoid' },
  { height: 5, width: 4, channels: 4, points: 9, boundary: 'periodic', activation: 'softplus' },
  { height: 2, width: 3, channels: 1, points: 5, boundary: 'zero', activation: 'identity' },
];

describe('channelStencilRelaxReference', () => {
  it.each(configs)('equals the float64 definition (%o)', (cfg) => {
    const B = 2;
    const N = cfg.height * cfg.width * cfg.channels;
    const rnd = (n: number, s: number) => Float32Array.from({ length: n }, (_, i) => Math.fround(Math.sin(1.37 * i + s) * 0.8));
    const z = rnd(B * N, 0.1);
    const taps = rnd(cfg.channels * cfg.points, 1.2);
    const mix = rnd(cfg.channels * cfg.channels, 2.3);
    const bias = rnd(N, 3.4);
    const want = float64Step(cfg, B, z, taps, mix, 0.7, bias);
    const got = tf.tidy(() =>
      channelStencilRelaxReference(tf.tensor2d(z, [B, N]), tf.tensor2d(taps, [cfg.channels, cfg.points]), tf.tensor2d(mix, [cfg.channels, cfg.channels]), tf.scalar(0.7), tf.tensor1d(bias), cfg).dataSync(),
    );
    // float32 sums of ≤ 13 O(1) terms: |error| ≤ ~1e-6.
    want.forEach((x, i) => expect(Math.abs(got[i]! - x)).toBeLessThan(2e-6));
  });

  it('has gradients that match finite differences (z, taps, mixing, ω, per-channel bias)', () => {
    const cfg: ChannelStencilConfig = { height: 4, width: 4, channels: 3, points: 9, boundary: 'zero', activation: 'tanh' };
    const N = 48;
    const vars = [
      tf.variable(tf.randomNormal([2, N], 0, 1, 'float32', 1)),
      tf.variable(tf.randomNormal([3, 9], 0, 0.3, 'float32', 2)),
      tf.variable(tf.randomNormal([3, 3], 0, 0.3, 'float32', 3)),
      tf.variable(tf.scalar(0.6)),
      tf.variable(tf.randomNormal([3], 0, 0.3, 'float32', 4)),
    ] as Variable[];
    const w = tf.randomNormal([2, N], 0, 1, 'float32', 5);
    const [z, taps, mix, omega, bias] = vars as unknown as [Tensor2D, Tensor2D, Tensor2D, Scalar, Tensor1D];
    const report = checkGradients(() => tf.sum(tf.mul(w, channelStencilRelaxReference(z, taps, mix, omega, bias, cfg))) as Scalar, vars);
    expect(report.maxError).toBeLessThan(2e-2); // checkGradients' float32 tolerance (see its TSDoc)
    tf.dispose([...vars, w]);
  });
});

describe('channelStencilRelax', () => {
  it('takes the op path where no fused kernel is registered, and equals the reference', () => {
    expect(channelStencilPath().path).toBe('op-path');
    const r = compareChannelStencil(configs[0]!, { perChannelBias: true });
    Object.values(r.maxAbsDiff).forEach((d) => expect(d).toBe(0));
  });

  it('rejects a bad config and bad shapes with typed errors', () => {
    const cfg = configs[0]!;
    const z = tf.zeros([2, 60]) as Tensor2D;
    const taps = tf.zeros([3, 9]) as Tensor2D;
    const mix = tf.zeros([3, 3]) as Tensor2D;
    const om = tf.scalar(0.5) as Scalar;
    const bias = tf.zeros([3]) as Tensor1D;
    expect(() => channelStencilRelax(z, taps, mix, om, bias, { ...cfg, points: 7 as 5 })).toThrow(ValidationError);
    try {
      channelStencilRelax(z, taps, tf.zeros([3, 2]) as Tensor2D, om, bias, cfg);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ShapeError);
      expect(err).toMatchObject({ code: 'NPDE_SHAPE_MISMATCH', path: 'mixing', expected: '[3, 3]', received: '[3, 2]' });
    }
    expect(() => channelStencilRelax(z, taps, mix, om, tf.zeros([7]) as Tensor1D, cfg)).toThrow(/bias|shape/);
    tf.dispose([z, taps, mix, om, bias]);
  });
});

describe('the block hook (KernelInstance.channelStencil)', () => {
  it('lets a block of a channel-stencil kernel fuse, equal to its unfused composition', () => {
    const parts = channelStencilTestParts({ height: 4, width: 3, channels: 2, points: 9, boundary: 'zero' });
    expect(fusionBlocker(parts)).toBeUndefined();
    const report = checkBlockFusion(parts, { layers: 2, bias: 'shared' });
    expect(report).toBeDefined();
    parts.kernel.dispose();
  });
});
