// The cnn preset's PDE blocks run the fused multi-channel stencil step (channelStencilRelax) on the
// cpu and wasm backends; the whole model must agree with the op-by-op composition it replaces
// (kernel.apply + activation + Euler integrator), outputs and every gradient, for each stencil family.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxRelativeDifference } from '@npde/core/testing';

/** max |a − b| / max |b|: the largest error relative to the largest value. */
const maxRelDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => maxRelativeDifference(a, b, 1e-30);
import { channelStencilPath, createDefaultRegistry, NeuralPde, softmaxCrossEntropy, stages, tf, type Tensor2D } from './index.js';

const CASES = [
  { stencil: 'adr', diffusion: 'tensor' },
  { stencil: 'adr', diffusion: 'diagonal' },
  { stencil: 'depthwise' },
] as const;

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`cnn preset on the ${backend} backend: fused blocks equal the unfused composition`, () => {
    const registry = createDefaultRegistry();
    let previous: string;
    beforeAll(async () => {
      previous = tf.getBackend();
      await registry.ready({ backend });
      expect(tf.getBackend()).toBe(backend);
    });
    afterAll(async () => {
      if (previous) await tf.setBackend(previous);
    });

    it('runs the backend’s fused channel-stencil kernels', () => {
      expect(channelStencilPath()).toEqual({ path: 'fused', backend });
    });

    it.each(CASES.map((c) => [`${c.stencil}${'diffusion' in c ? ` ${c.diffusion}` : ''}`, c] as const))('%s: outputs and softmax-cross-entropy gradients', (_, c) => {
      const model = NeuralPde.create(stages.cnn({ input: { shape: [8, 8] }, outputs: 3, channels: [3, 4], depth: [1, 2], seed: 1, ...c }), { registry });
      expect(model.blocks).toHaveLength(3);
      expect(model.fused).toBe(true);
      expect(model.blocks.map((b) => b.fusionPath)).toEqual(['step', 'step', 'step']);
      const x = tf.randomNormal([6, 64], 0, 1, 'float32', 3) as Tensor2D;
      const labels = tf.tensor1d([0, 1, 2, 2, 1, 0], 'int32');
      const vars = model.trainableVariables;
      const before = tf.memory().numTensors;
      const run = (fusion: 'auto' | 'off') => {
        model.fusion = fusion;
        return tf.tidy(() => {
          const { value, grads } = tf.variableGrads(() => softmaxCrossEntropy.compute(model.forward(x), labels), vars);
          const out = model.forward(x);
          return {
            out: out.dataSync().slice(),
            loss: value.dataSync()[0]!,
            grads: vars.map((v) => grads[v.name]!.dataSync().slice()),
            paths: model.blocks.map((b) => b.lastPath),
          };
        });
      };
      const fused = run('auto');
      const ops = run('off');
      expect(fused.paths).toEqual(['step', 'step', 'step']);
      expect(ops.paths).toEqual(['unfused', 'unfused', 'unfused']);
      expect(tf.memory().numTensors).toBe(before);
      // Both paths compute the same float32 sums in another order (the fused kernel accumulates
      // the ≤ 9 taps and the C mixing products per site in its own order, and its backward sums
      // over sites and batch in its own order): outputs differ by ~2e-7 relative (measured, both
      // backends). A gradient is a sum over 6 · 64 sites with cancellation (the lifts' bias
      // gradients are ~5e-5 against terms of ~1e-3), so its error relative to its own largest
      // entry grows to ~3e-5 (measured: wasm, the adr lift bias). A transposed mixing matrix
      // gives 0.3 on the outputs and 0.1–1 on the gradients (measured), so 1e-5 on the outputs
      // and the loss and 5e-4 on every gradient keep a wide margin on both sides.
      expect(maxRelDiff(fused.out, ops.out)).toBeLessThan(1e-5);
      expect(Math.abs(fused.loss - ops.loss) / ops.loss).toBeLessThan(1e-5);
      expect(vars.length).toBe(6 + 3 * ('diffusion' in c ? 3 : 2)); // lift, r1.lift, head: weights and bias each; per block adr: U, D, R; depthwise: taps, R
      vars.forEach((v, i) => expect(maxRelDiff(fused.grads[i]!, ops.grads[i]!), v.name).toBeLessThan(5e-4));
      tf.dispose([x, labels]);
      model.dispose();
    });
  });
}
