import { ErrorCodes, NeuralPde, Registry, UnsupportedFieldError, tf, validate, type Scalar, type Tensor2D, type Variable } from '@npde/core';
import { checkGradients, expectNoLeaks, referencePlugins, withReferenceDefaults } from '@npde/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { euler, heun, plugins, semiImplicit } from './index.js';
import { gaussian, problemContext, stencilProblem } from './problems.test-util.js';
import { testStencilKernel } from './stencil-kernel.test-util.js';
import { solveTridiagonal64, tridiagonalSolve } from './tridiagonal.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The dense matrix of the bands (cyclic corners when periodic). */
function dense(lower: number[], diag: number[], upper: number[], periodic: boolean): number[][] {
  const n = diag.length;
  const m = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    m[i]![i]! += diag[i]!;
    if (i > 0 || periodic) m[i]![(i - 1 + n) % n]! += lower[i]!;
    if (i < n - 1 || periodic) m[i]![(i + 1) % n]! += upper[i]!;
  }
  return m;
}

const band = (n: number, seed: number) => Array.from({ length: n }, (_, i) => Math.sin(seed * 12.9898 + i * 78.233) * 0.5);

describe('tridiagonal solve', () => {
  it.each([
    [7, false],
    [7, true],
    [3, true],
    [2, true],
    [1, false],
  ])('n = %d, periodic = %s: M x reproduces the right-hand side (float64, 1e-12)', (n, periodic) => {
    const lower = band(n, 1);
    const upper = band(n, 2);
    const diag = band(n, 3).map((d) => 2.5 + d);
    const rhs = band(n, 4);
    const x = solveTridiagonal64(lower, diag, upper, rhs, periodic);
    const m = dense(lower, diag, upper, periodic);
    m.forEach((row, i) => expect(Math.abs(row.reduce((s, mij, j) => s + mij * x[j]!, 0) - rhs[i]!)).toBeLessThan(1e-12));
  });

  // float32 central differences with h = 1e-2 on an O(1), diagonally dominant solve: the
  // truncation and rounding errors are ~1e-4 relative, well inside checkGradients' 2e-2;
  // a wrong transpose or a missing corner term is off by O(1).
  it.each([false, true])('is differentiable in the bands and the right-hand side (periodic = %s)', (periodic) => {
    const n = 6;
    const vars = [band(n, 5), band(n, 6).map((d) => 3 + d), band(n, 7)].map((b) => tf.variable(tf.tensor1d(b))) as Variable[];
    const rhs = tf.variable(tf.tensor2d([band(n, 8), band(n, 9)]));
    const weights = tf.tensor2d([band(n, 10), band(n, 11)]);
    checkGradients(() => tf.sum(tf.mul(weights, tridiagonalSolve(vars[0] as never, vars[1] as never, vars[2] as never, rhs as never, periodic))) as Scalar, [...vars, rhs], {
      label: `tridiagonalSolve periodic=${periodic}`,
    });
    tf.dispose([...vars, rhs, weights]);
  });
});

describe('@npde/integrators/semi-implicit', () => {
  const heat = stencilProblem('heat', [gaussian(16, 8, 2), gaussian(16, 4, 1.5)], [0.5, 0, 0.5], 1);
  const create = (order: 1 | 2, problem = heat) => semiImplicit.create({ options: validate(semiImplicit.options, { order }), field: problem.field, layers: 1, seed: 0 });

  it('rejects orders other than 1 and 2 with a typed options error', () => {
    expect(() => validate(semiImplicit.options, { order: 3 }, { plugin: semiImplicit.id })).toThrow(expect.objectContaining({ code: ErrorCodes.INVALID_OPTIONS }));
  });

  it('without a stencil is forward Euler (order 1) and Heun (order 2)', () => {
    const noStencil = { ...heat, stencil: undefined };
    for (const [order, reference] of [
      [1, euler],
      [2, heun],
    ] as const) {
      tf.tidy(() => {
        const ctx = problemContext(noStencil, tf.tensor2d(heat.z0), tf.scalar(0.3));
        const got = create(order).step(ctx).dataSync();
        const want = reference.create({ options: {}, field: heat.field, layers: 1, seed: 0 }).step(ctx).dataSync();
        got.forEach((g, i) => expect(Math.abs(g - want[i]!)).toBeLessThan(1e-6));
      });
    }
  });

  // One backward-Euler step of pure diffusion solves (I − ωA) z' = z exactly: check the
  // residual in float64 from the float32 result (float32 rounding of |z| ≤ 1: < 1e-6).
  it('order 1 on a pure diffusion is backward Euler: (I − ωA) z′ = z', () => {
    const omega = 3;
    const next = tf.tidy(() => create(1).step(problemContext(heat, tf.tensor2d(heat.z0), tf.scalar(omega))).arraySync());
    next.forEach((row, b) =>
      row.forEach((x, j) => {
        const Ax = 0.5 * (row[(j + 15) % 16]! - 2 * x + row[(j + 1) % 16]!);
        expect(Math.abs(x - omega * Ax - heat.z0[b]![j]!)).toBeLessThan(2e-6);
      }),
    );
  });

  it('throws UnsupportedFieldError for a 2-D stencil', () => {
    const field = { shape: [4, 4], dims: 2, sites: 16, channels: 1, complex: false, realChannels: 1, size: 16 };
    const inst = semiImplicit.create({ options: { order: 1 }, field, layers: 1, seed: 0 });
    tf.tidy(() => {
      const ctx = { ...problemContext(heat, tf.tensor2d(heat.z0), tf.scalar(1)), stencil: () => ({ taps: tf.zeros([16, 5]) as Tensor2D, geometry: { dims: 2 as const, height: 4, width: 4, points: 5 as const }, boundary: 'zero' as const }) };
      let caught: unknown;
      try {
        inst.step(ctx);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(UnsupportedFieldError);
      expect(caught).toMatchObject({ code: ErrorCodes.UNSUPPORTED_FIELD, path: 'kernel' });
    });
  });

  it('leaks no tensors with a stencil', async () => {
    const z = tf.tensor2d(heat.z0);
    const w = tf.scalar(2);
    for (const order of [1, 2] as const) await expectNoLeaks(() => tf.tidy(() => create(order).step(problemContext(heat, z, w))).dispose(), { label: `order ${order}` });
    tf.dispose([z, w]);
  });

  // Trainable ω and diffusion, through a model (the block passes the kernel's stencil):
  // gradients of a loss after 3 steps at ω = 4 (8× Euler's limit) against float32 central
  // differences (see the tolerance note on the tridiagonal test).
  it.each([1, 2] as const)('order %d: gradients wrt a trainable ω and the kernel match finite differences in a model', (order) => {
    const registry = withReferenceDefaults(new Registry().register(referencePlugins, testStencilKernel, plugins));
    const model = NeuralPde.create(
      {
        field: { shape: [12] },
        layers: 3,
        omega: { value: 4, trainable: true },
        kernel: { id: testStencilKernel.id, options: { mu: [0.5, 0.4, 0.6], U: 0.1, boundary: 'zero' } },
        activation: '@npde/core/testing/tanh',
        integrator: { id: semiImplicit.id, options: { order } },
      },
      { registry },
    );
    const x = tf.tensor2d([gaussian(12, 5, 2), gaussian(12, 7, 1)]);
    const target = tf.tensor2d([gaussian(12, 6, 3), gaussian(12, 6, 3)]);
    const report = checkGradients(() => tf.mean(tf.square(tf.sub(model.forward(x), target))) as Scalar, model.trainableVariables, { label: `semi-implicit order ${order}` });
    expect(report.checked).toBeGreaterThanOrEqual(4);
    tf.dispose([x, target]);
    model.dispose();
  });
});
