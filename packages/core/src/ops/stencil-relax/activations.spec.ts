import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../tensor/tf.js';
import { referenceCpuBackend } from '../../testing/reference-plugins.js';
import { FUSED_ACTIVATIONS, STENCIL_ACTIVATIONS, fusedActivation, isStencilActivation } from './activations.js';
import { STENCIL_ACTIVATIONS as fromConfig, validateStencilRelaxConfig } from './config.js';

beforeAll(async () => {
  await referenceCpuBackend.setup({});
});

// Inputs rounded to float32, so that the float64 formulas see the numbers the tfjs op sees;
// both sides of 0 (relu's kink itself is not sampled) and into both tails.
const xs = Array.from({ length: 49 }, (_, i) => Math.fround(-12.05 + 0.5 * i));

describe('the fused activation table', () => {
  it('is the one list of fused activations: names, validation and codes come from it', () => {
    expect(STENCIL_ACTIVATIONS).toEqual(Object.keys(FUSED_ACTIVATIONS));
    expect(fromConfig).toBe(STENCIL_ACTIVATIONS);
    const codes = STENCIL_ACTIVATIONS.map((a) => fusedActivation(a).code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes.every((c) => Number.isInteger(c) && c >= 0)).toBe(true);
    for (const a of STENCIL_ACTIVATIONS) {
      expect(isStencilActivation(a)).toBe(true);
      expect(() => validateStencilRelaxConfig({ geometry: { dims: 1, sites: 4, radius: 1 }, boundary: 'zero', activation: a })).not.toThrow();
    }
    expect(isStencilActivation('gelu')).toBe(false);
    expect(isStencilActivation('toString')).toBe(false);
  });

  // The op path runs `op`, the plain-TypeScript kernels and the float64 reference run `f` and `df`:
  // each entry's three must be one function. float32 tfjs ops are within a few ulp of float64
  // (1e-6 relative to max(1, |value|)); a wrong formula is off by O(0.1).
  it.each(STENCIL_ACTIVATIONS)("%s: f equals its tfjs op, and df(u, f(u)) the op's autodiff gradient", (name) => {
    const { op, f, df } = fusedActivation(name);
    const { y, dy } = tf.tidy(() => {
      const x = tf.tensor1d(xs);
      return { y: op(x).dataSync().slice(), dy: tf.grad((t: tf.Tensor) => tf.sum(op(t)))(x).dataSync().slice() };
    });
    xs.forEach((x, i) => {
      const want = f(x);
      expect(Math.abs(y[i]! - want), `f(${x})`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(want)));
      const slope = df(x, want);
      expect(Math.abs(dy[i]! - slope), `f'(${x})`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(slope)));
    });
  });
});
