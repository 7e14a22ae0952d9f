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
import { adr } from './adr.js';
import type { AdrOptionsInput } from './options.js';

// Channels 3 (a SIMD tail), 4 (whole f32x4 vectors) and 5; every footprint × fused boundary.
// Noisy coefficients and a non-zero reaction diagonal: a double-counted R or a misplaced tap is O(0.1).
const init = { U: 0.05, D: 0.15, R: 0.2, noise: 0.1 };
const CASES: { options: AdrOptionsInput; channels: number; points: 5 | 9 }[] = [
  { options: { family: 'homogeneous', diffusion: 'isotropic', boundary: 'periodic', init }, channels: 3, points: 5 },
  { options: { family: 'homogeneous', diffusion: 'diagonal', boundary: 'zero', init }, channels: 4, points: 5 },
  { options: { family: 'homogeneous', diffusion: 'tensor', boundary: 'periodic', init }, channels: 4, points: 9 },
  { options: { family: 'homogeneous', diffusion: 'tensor', boundary: 'zero', dx: 0.8, init }, channels: 5, points: 9 },
];
const SHAPE = [5, 6];

function create(options: AdrOptionsInput, field: FieldSpec, layers = 2): KernelInstance {
  return adr.create({ field: resolveField(field), layers, options: validate(adr.options, options, { path: 'kernel.options' }), seed: 11 });
}

function channelFusionSuite(backend: 'cpu' | 'wasm', setup: () => Promise<void>): void {
  describe(`adr channelStencil() on the ${backend} backend`, () => {
    beforeAll(setup);

    it('runs the fused channel-stencil kernels', () => {
      expect(channelStencilPath()).toEqual({ path: 'fused', backend });
    });

    it.each(CASES)('$options.diffusion, $options.boundary, C = $channels: W = per-channel $points-point stencil + mixing equals apply()', ({ options, channels, points }) => {
      const before = tf.memory().numTensors;
      const k = create(options, { shape: SHAPE, channels });
      expect(k.stencil).toBeUndefined(); // the multi-channel op runs it, not the single-channel one
      tf.tidy(() => {
        const s = k.channelStencil!(1);
        expect({ h: s.height, w: s.width, c: s.channels, points: s.points, boundary: s.boundary }).toEqual({ h: 5, w: 6, c: channels, points, boundary: options.boundary });
        expect(s.taps.shape).toEqual([channels, points]);
        expect(s.mixing.shape).toEqual([channels, channels]);
        // the reaction lives in the mixing only: its diagonal is R's diagonal, not folded into the centre tap
        const centre = points === 5 ? 2 : 4;
        const D = k.params['D']!.dataSync();
        const nD = D.length / channels;
        const taps = s.taps.arraySync();
        const dx = options.dx ?? 1;
        for (let c = 0; c < channels; c++) {
          const trace = options.diffusion === 'isotropic' ? 2 * D[c]! : options.diffusion === 'diagonal' ? D[c * nD]! + D[c * nD + 1]! : D[c * nD]! + D[c * nD + 2]!;
          expect(taps[c]![centre]).toBeCloseTo(1 - (2 * trace) / (dx * dx), 5);
        }
        expect(Array.from(s.mixing.dataSync())).toEqual(Array.from(k.params['R']!.dataSync()));
      });
      // float32 sums of ≤ 9 + C O(1) terms in another order: ~1e-7 relative; a wrong tap is O(0.1)
      const err = channelFormError(k, SHAPE[0]! * SHAPE[1]! * channels, channels, 2, 5);
      expect(err.reference).toBeLessThan(2e-6);
      expect(err.fused).toBeLessThan(2e-6);
      k.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });

    it.each(CASES)('$options.diffusion, $options.boundary, C = $channels: fused block steps equal the composition (states and every gradient)', ({ options, channels }) => {
      const kernel = create(options, { shape: SHAPE, channels });
      const report = channelBlockFusion(kernel, { shape: SHAPE, channels }, backend, `adr ${backend}`);
      expect(report.variables).toEqual(expect.arrayContaining([expect.stringMatching(/U$/), expect.stringMatching(/D$/), expect.stringMatching(/R$/)]));
      expect(report.variables.length).toBe(6); // z0, ω, bias and U, D, R
      kernel.dispose();
    });

    it.each(CASES)('$options.diffusion, $options.boundary, C = $channels: a model fuses and checkFusion holds', ({ options, channels }) => {
      const model = referenceModel({ id: adr.id, options }, { shape: SHAPE, channels });
      expect(model.fused).toBe(true);
      checkFusion(model, { label: `adr model ${backend}` });
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

describe('adr channelStencil() is offered only where the multi-channel op computes W', () => {
  it('not for per-site coefficients, reflecting walls, 1-D or 3-D grids; one channel keeps stencil()', async () => {
    await cpuBackend.setup({});
    for (const [options, field] of [
      [{ family: 'heterogeneous' }, { shape: [5, 5], channels: 2 }],
      [{ family: 'time-dependent' }, { shape: [5, 5], channels: 2 }],
      [{ family: 'homogeneous', boundary: 'reflecting' }, { shape: [5, 5], channels: 2 }],
      [{ family: 'homogeneous' }, { shape: [6], channels: 2 }],
      [{ family: 'homogeneous' }, { shape: [3, 4, 3], channels: 2 }],
    ] as [AdrOptionsInput, FieldSpec][]) {
      const k = create(options, field);
      expect(k.channelStencil, JSON.stringify([options, field])).toBeUndefined();
      k.dispose();
    }
    const one = create({ family: 'homogeneous', boundary: 'zero' }, { shape: [5, 5] });
    expect(one.stencil).toBeDefined();
    expect(one.channelStencil).toBeUndefined();
    one.dispose();
  });

  it('the fusing configurations pass the kernel conformance kit', async () => {
    await cpuBackend.setup({});
    for (const { options, channels } of CASES.slice(1, 3)) await checkKernelFamily(adr, { field: { shape: [4, 5], channels }, layers: 2, options });
  });

  it('rejects a layer out of range', async () => {
    await cpuBackend.setup({});
    const k = create(CASES[0]!.options, { shape: SHAPE, channels: 3 });
    expect(() => k.channelStencil!(2)).toThrow(RangeError);
    k.dispose();
  });
});
