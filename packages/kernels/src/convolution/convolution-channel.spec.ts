import { cpuBackend } from '@npde/backend-cpu';
import { channelKernelMode, wasmBackend } from '@npde/backend-wasm';
import {
  channelStencilPath,
  resolveField,
  tf,
  validate,
  type FieldSpec,
  type KernelInstance,
} from '@npde/core';
import { checkFusion, checkKernelFamily } from '@npde/core/testing';
import { channelBlockFusion, channelFormError } from '../testing/channel-form.test-util.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { referenceModel } from '../testing/model-plugins.test-util.js';
import { convolution } from './convolution.js';
import type { ConvolutionOptionsInput } from './options.js';

// Taps far from the identity (noise 0.3), so a transposed or misplaced tap is O(0.1).
const init = { center: 0.8, noise: 0.3 };
const CASES: { options: ConvolutionOptionsInput; shape: [number, number]; channels: number; points: 5 | 9 }[] = [
  { options: { channels: 'depthwise', footprint: 'cross', boundary: 'periodic', init }, shape: [5, 6], channels: 3, points: 5 },
  { options: { channels: 'depthwise', footprint: 'box', boundary: 'zero', init }, shape: [5, 6], channels: 4, points: 9 },
  { options: { channels: 'depthwise', footprint: 'box', boundary: 'periodic', perLayer: true, init }, shape: [4, 5], channels: 5, points: 9 },
  { options: { channels: 'depthwise', footprint: 'cross', boundary: 'zero', perLayer: true, init }, shape: [6, 4], channels: 8, points: 5 },
  { options: { channels: 'shared', footprint: 'box', boundary: 'zero', init }, shape: [5, 6], channels: 2, points: 9 },
  { options: { channels: 'depthwise', footprint: 'box', boundary: 'periodic', init }, shape: [2, 3], channels: 3, points: 9 }, // axes shorter than the stencil
];

function create(options: ConvolutionOptionsInput, field: FieldSpec, layers = 2): KernelInstance {
  return convolution.create({ field: resolveField(field), layers, options: validate(convolution.options, options, { path: 'kernel.options' }), seed: 5 });
}

const label = ({ options, shape, channels }: (typeof CASES)[number]) => `${options.channels} ${options.footprint} ${options.boundary}${options.perLayer ? ' perLayer' : ''} on [${shape.join(', ')}] × ${channels}`;

function channelFusionSuite(backend: 'cpu' | 'wasm', setup: () => Promise<void>): void {
  describe(`convolution channelStencil() on the ${backend} backend`, () => {
    beforeAll(setup);

    it('runs the fused channel-stencil kernels', () => {
      expect(channelStencilPath()).toEqual({ path: 'fused', backend });
    });

    it.each(CASES.map((c) => [label(c), c] as const))('%s: the per-channel taps and zero mixing are W, as apply() computes it', (_, { options, shape, channels, points }) => {
      const before = tf.memory().numTensors;
      const k = create(options, { shape, channels });
      expect(k.stencil).toBeUndefined();
      tf.tidy(() => {
        const s = k.channelStencil!(1);
        expect({ h: s.height, w: s.width, c: s.channels, points: s.points, boundary: s.boundary }).toEqual({ h: shape[0], w: shape[1], c: channels, points, boundary: options.boundary });
        // taps[c, k] is the parameter's [(layer,) k, c] (depthwise) or [(layer,) k] (shared)
        const p = k.params['taps']!.dataSync();
        const offset = options.perLayer ? (options.channels === 'depthwise' ? points * channels : points) : 0;
        const t = s.taps.arraySync();
        for (let c = 0; c < channels; c++) for (let q = 0; q < points; q++) expect(t[c]![q]).toBe(p[offset + (options.channels === 'depthwise' ? q * channels + c : q)]);
        expect(Array.from(s.mixing.dataSync())).toEqual(new Array<number>(channels * channels).fill(0));
      });
      // float32 sums of ≤ 9 O(1) terms in another order: ~1e-7 relative; a wrong tap is O(0.1)
      const err = channelFormError(k, shape[0] * shape[1] * channels, channels, 2, 9);
      expect(err.reference).toBeLessThan(2e-6);
      expect(err.fused).toBeLessThan(2e-6);
      k.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });

    it.each(CASES.map((c) => [label(c), c] as const))('%s: fused block steps equal the composition (states and every gradient)', (_, { options, shape, channels }) => {
      const kernel = create(options, { shape, channels });
      const report = channelBlockFusion(kernel, { shape, channels }, backend, `convolution ${backend}`);
      expect(report.variables.length).toBe(4); // z0, ω, bias and the taps
      expect(report.variables).toEqual(expect.arrayContaining([expect.stringMatching(/taps$/)]));
      kernel.dispose();
    });

    it.each(CASES.map((c) => [label(c), c] as const))('%s: a model fuses and checkFusion holds', (_, { options, shape, channels }) => {
      const model = referenceModel({ id: convolution.id, options }, { shape, channels });
      expect(model.fused).toBe(true);
      checkFusion(model, { label: `convolution model ${backend}` });
      model.dispose();
    });
  });
}

channelFusionSuite('cpu', async () => {
  await cpuBackend.setup({}); // tf.setBackend('cpu') and the fused cpu kernels
});

channelFusionSuite('wasm', async () => {
  await wasmBackend.setup({});
  expect(await tf.setBackend('wasm')).toBe(true);
});

describe('the wasm channel kernels ran', () => {
  it('in zero-copy or copy mode', () => {
    expect(['zero-copy', 'copy']).toContain(channelKernelMode().mode);
  });
});

describe('convolution channelStencil() is offered only where the multi-channel op computes W', () => {
  it('not for channel mixing, radius ≠ 1, reflecting walls, 1-D or 3-D grids; one channel keeps stencil()', async () => {
    await cpuBackend.setup({});
    for (const [options, field] of [
      [{ channels: 'mixing' }, { shape: [5, 5], channels: 2 }],
      [{ channels: 'depthwise', radius: 2 }, { shape: [5, 5], channels: 2 }],
      [{ channels: 'depthwise', radius: 0 }, { shape: [5, 5], channels: 2 }],
      [{ channels: 'depthwise', boundary: 'reflecting' }, { shape: [5, 5], channels: 2 }],
      [{ channels: 'depthwise' }, { shape: [6], channels: 2 }],
      [{ channels: 'depthwise' }, { shape: [3, 4, 3], channels: 2 }],
    ] as [ConvolutionOptionsInput, FieldSpec][]) {
      const k = create(options, field);
      expect(k.channelStencil, JSON.stringify([options, field])).toBeUndefined();
      k.dispose();
    }
    const one = create({ channels: 'depthwise', boundary: 'zero' }, { shape: [5, 5] });
    expect(one.stencil).toBeDefined();
    expect(one.channelStencil).toBeUndefined();
    one.dispose();
  });

  it('the fusing configurations pass the kernel conformance kit', async () => {
    await cpuBackend.setup({});
    for (const { options, shape, channels } of [CASES[0]!, CASES[4]!]) await checkKernelFamily(convolution, { field: { shape, channels }, layers: 2, options });
  });

  it('rejects a layer out of range', async () => {
    await cpuBackend.setup({});
    const k = create(CASES[0]!.options, { shape: [5, 6], channels: 3 });
    expect(() => k.channelStencil!(2)).toThrow(RangeError);
    k.dispose();
  });
});
