import { tf, validate, type OptimizationProblem, type Scalar, type Tensor, type Tensor2D, type Variable } from '@npde/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { adam } from './adam.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A least-squares loss ½‖Xw + b − c‖² over a [N, 1] (N = 3 by default) and a scalar variable, with tfjs's gradients. */
function problemOf(w: Variable, b: Variable): OptimizationProblem & { dispose(): void } {
  const N = w.shape[0]!;
  const X =
    N === 3
      ? tf.tensor2d([
          [1.0, 0.2, -0.3],
          [0.1, 1.2, 0.4],
          [-0.5, 0.3, 0.9],
          [0.7, -0.8, 0.2],
        ])
      : tf.randomNormal([4, N], 0, 1 / Math.sqrt(N), 'float32', 5);
  const c = tf.tensor2d([0.5, -1.0, 0.8, 1.2], [4, 1]);
  const f = () => tf.mul(0.5, tf.sum(tf.square(tf.sub(tf.add(tf.matMul(X, w), b), c)))) as Scalar;
  return {
    variables: [w, b],
    loss: () => tf.tidy(f),
    lossAndGrads: () => {
      const { value, grads } = tf.variableGrads(f, [w, b]);
      return { loss: value, grads: [grads[w.name]!, grads[b.name]!] };
    },
    batch: { x: X as Tensor2D, y: c as Tensor2D },
    model: undefined as unknown as OptimizationProblem['model'],
    iteration: 0,
    dispose: () => tf.dispose([X, c]),
  };
}

describe('@npde/optimizers/adam in float32', () => {
  // Adam uploads each scalar once per step; the update must be the textbook one written
  // with plain numbers (which tfjs converts to float32 scalars at each use), bit for bit:
  // a scalar rounded differently (say 1 − β₁ formed in float32) or a reordered product
  // would show within these 25 steps.
  // Small variables are updated in JavaScript on host backends, large ones (> 16 384
  // elements) by tfjs ops: both must take the formula's float32 steps.
  it.each([
    ['small variables (the JavaScript update)', 3],
    ['a large variable (the tfjs-op update)', 20_000],
  ])('takes exactly the float32 steps of the formula written with number scalars: %s', (_name, N) => {
    const options = { learningRate: 0.05, beta1: 0.8, beta2: 0.99, epsilon: 1e-3, decay: 0.5, decaySteps: 10, minLearningRate: 0 };
    const { beta1, beta2, epsilon } = options;
    const start = N === 3 ? [0.3, -0.2, 0.1] : Array.from({ length: N }, (_, i) => 0.3 * Math.sin(i));
    const init = () => [tf.variable(tf.tensor2d(start, [N, 1])), tf.variable(tf.scalar(0.5))] as const;
    const [w, b] = init();
    const [wr, br] = init();
    const problem = problemOf(w, b);
    const reference = problemOf(wr, br);
    const opt = adam.create({ options: validate(adam.options, options) });
    const m = [tf.variable(tf.zerosLike(wr)), tf.variable(tf.zerosLike(br))];
    const v = [tf.variable(tf.zerosLike(wr)), tf.variable(tf.zerosLike(br))];
    try {
      for (let t = 1; t <= 25; t++) {
        const lr = options.learningRate * options.decay ** ((t - 1) / options.decaySteps);
        const loss = opt.step(problem) as number;
        const { loss: refLoss, grads } = reference.lossAndGrads();
        tf.tidy(() =>
          grads.forEach((g: Tensor, i: number) => {
            const x = reference.variables[i]!;
            m[i]!.assign(tf.add(tf.mul(beta1, m[i]!), tf.mul(1 - beta1, g)));
            v[i]!.assign(tf.add(tf.mul(beta2, v[i]!), tf.mul(1 - beta2, tf.square(g))));
            const mHat = tf.mul(m[i]!, 1 / (1 - beta1 ** t));
            const vHat = tf.mul(v[i]!, 1 / (1 - beta2 ** t));
            x.assign(tf.sub(x, tf.mul(lr, tf.div(mHat, tf.add(tf.sqrt(vHat), epsilon)))));
          }),
        );
        expect(loss, `loss before step ${t}`).toBe(refLoss.dataSync()[0]);
        tf.dispose([refLoss, ...grads]);
        expect(Array.from(w.dataSync()), `w after step ${t}`).toEqual(Array.from(wr.dataSync()));
        expect(b.dataSync()[0], `b after step ${t}`).toBe(br.dataSync()[0]);
      }
    } finally {
      opt.dispose();
      problem.dispose();
      reference.dispose();
      tf.dispose([w, b, wr, br, ...m, ...v]);
    }
  });
});
