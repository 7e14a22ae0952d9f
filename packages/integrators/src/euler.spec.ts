import { Registry, globalRegistry, resolveField, tf, validate, type Scalar, type StepContext, type Tensor2D } from '@npde/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { euler, plugins } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const integrator = () => euler.create({ options: validate(euler.options, {}), field: resolveField({ shape: [4] }), layers: 1, seed: 0 });

/** A StepContext built by hand, as the model builds it (see `NeuralPde.stepContext`). */
function context(
  z: Tensor2D,
  omega: Scalar,
  attractor: (u: Tensor2D) => Tensor2D,
  reservoirTerm: (u: Tensor2D) => Tensor2D | null = () => null,
): StepContext {
  return {
    z,
    previous: undefined,
    layer: 0,
    omega,
    attractor,
    reservoirTerm,
    rhs: (u) => {
      const f = tf.sub(attractor(u), u);
      const r = reservoirTerm(u);
      return (r ? tf.add(f, r) : f) as Tensor2D;
    },
  };
}

/**
 * The linear relaxation dz/dt = −γ (z − (a z − b)), i.e. attractor(z) = a z − b
 * with a scalar a < 1: z(T) = z* + (z0 − z*) e^{−(1−a)γT}, z* = −b / (1 − a).
 */
const a = 0.5;
const b = [0.2, -0.4, 1.0];
const z0 = [
  [1.0, -0.5, 2.0],
  [-1.5, 0.25, 0.0],
];
const gammaT = 2;
const zStar = b.map((bi) => -bi / (1 - a));
const exact = (i: number, j: number) => zStar[j]! + (z0[i]![j]! - zStar[j]!) * Math.exp(-(1 - a) * gammaT);
/** The Euler iterates in closed form, float64: z_n = z* + (1 − (1−a)ω)^n (z0 − z*). */
const discrete = (i: number, j: number, omega: number, n: number) => zStar[j]! + (1 - (1 - a) * omega) ** n * (z0[i]![j]! - zStar[j]!);

/** Run `n` Euler steps of size ω on the linear relaxation; returns z_n as rows. */
function relax(omega: number, n: number): number[][] {
  const inst = integrator();
  return tf.tidy(() => {
    const bias = tf.tensor1d(b);
    const attractor = (u: Tensor2D) => tf.sub(tf.mul(a, u), bias) as Tensor2D;
    const w = tf.scalar(omega);
    let z = tf.tensor2d(z0);
    for (let l = 0; l < n; l++) z = inst.step(context(z, w, attractor));
    return z.arraySync();
  });
}

function maxError(z: number[][], ref: (i: number, j: number) => number): number {
  return Math.max(...z.flatMap((row, i) => row.map((zij, j) => Math.abs(zij - ref(i, j)))));
}

describe('@npde/integrators/euler', () => {
  it('is a frozen integrator with one evaluation per step', () => {
    expect(euler.kind).toBe('integrator');
    expect(euler.id).toBe('@npde/integrators/euler');
    expect(Object.isFrozen(euler)).toBe(true);
    expect(integrator().evaluationsPerStep).toBe(1);
  });

  // float32 rounding of n ≤ 80 steps of |z| ≤ 2: well under 1e-5.
  it('reproduces the float64 Euler iterates z* + (1 − (1−a)ω)^n (z0 − z*) to float32 accuracy', () => {
    for (const [omega, n] of [
      [0.2, 10],
      [0.05, 40],
      [1, 3],
      [1.5, 4],
    ] as const) {
      expect(maxError(relax(omega, n), (i, j) => discrete(i, j, omega, n)), `ω = ${omega}`).toBeLessThan(1e-5);
    }
  });

  // Global error of a first-order scheme: e(ω) = C ω (1 + O((1−a)ω)). Halving ω (and
  // doubling the steps to the same γT = 2) halves the error: the ratio is 2 ± 0.1, since
  // (1−a)ω ≤ 0.1 moves it by ~(1−a)ω/2 ≤ 5% (measured 2.04, 2.02, 2.01), and float32
  // round-off (~1e-6) is < 1e-3 of the smallest error (~9e-3).
  it('converges to the exact solution with observed order 1', () => {
    const omegas = [0.2, 0.1, 0.05, 0.025];
    const errors = omegas.map((omega) => maxError(relax(omega, Math.round(gammaT / omega)), exact));
    for (let k = 1; k < errors.length; k++) {
      const ratio = errors[k - 1]! / errors[k]!;
      expect(Math.abs(ratio - 2), `e(${omegas[k - 1]}) / e(${omegas[k]}) = ${ratio}`).toBeLessThan(0.1);
    }
    // Leading-order error constant: e(ω)/ω → max|z0 − z*| · e^{−(1−a)γT} · (1−a)² γT / 2.
    const C = Math.max(...z0.flat().map((z, k) => Math.abs(z - zStar[k % 3]!))) * Math.exp(-(1 - a) * gammaT) * ((1 - a) ** 2 * gammaT) / 2;
    expect(errors.at(-1)! / omegas.at(-1)! / C).toBeCloseTo(1, 1);
  });

  it('gives the attractor f(W z − b) bit for bit at ω = 1', () => {
    tf.tidy(() => {
      const W = tf.randomNormal([5, 5], 0, 1, 'float32', 3);
      const bias = tf.randomNormal([5], 0, 1, 'float32', 4);
      const z = tf.randomNormal([4, 5], 0, 1, 'float32', 5) as Tensor2D;
      const attractor = (u: Tensor2D) => tf.tanh(tf.sub(tf.matMul(u, W, false, true), bias)) as Tensor2D;
      const next = integrator().step(context(z, tf.scalar(1), attractor));
      expect(next.shape).toEqual([4, 5]);
      expect(next.dataSync()).toEqual(attractor(z).dataSync());
    });
  });

  // One step, one float32 rounding per operation: 1e-6 relative to values of order 1.
  it('adds ω times the reservoir term', () => {
    const omega = 0.3;
    const zs = [
      [0.5, -1.0, 2.0],
      [1.5, 0.0, -0.25],
    ];
    const r = [
      [0.1, 0.2, -0.3],
      [-0.4, 0.5, 0.6],
    ];
    const got = tf.tidy(() => {
      const term = tf.tensor2d(r);
      const attractor = (u: Tensor2D) => tf.tanh(u) as Tensor2D;
      return integrator()
        .step(context(tf.tensor2d(zs), tf.scalar(omega), attractor, () => term))
        .arraySync();
    });
    got.forEach((row, i) =>
      row.forEach((g, j) => {
        const z = zs[i]![j]!;
        expect(Math.abs(g - ((1 - omega) * z + omega * (Math.tanh(z) + r[i]![j]!)))).toBeLessThan(1e-6);
      }),
    );
  });

  it('is differentiable in ω: d/dω Σ step = Σ (f(W z − b) + R − z)', () => {
    tf.tidy(() => {
      const z = tf.tensor2d(z0);
      const bias = tf.tensor1d(b);
      const attractor = (u: Tensor2D) => tf.sub(tf.mul(a, u), bias) as Tensor2D;
      const inst = integrator();
      const dOmega = tf.grad((w: tf.Tensor) => tf.sum(inst.step(context(z, w as Scalar, attractor))))(tf.scalar(0.4));
      const expected = z0.flatMap((row) => row.map((zij, j) => a * zij - b[j]! - zij)).reduce((s, x) => s + x, 0);
      expect(dOmega.dataSync()[0]).toBeCloseTo(expected, 5);
    });
  });

  it('leaks no tensors', () => {
    const z = tf.tensor2d(z0);
    const w = tf.scalar(0.5);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      integrator().step(context(z, w, (u) => tf.tanh(u) as Tensor2D, (u) => tf.neg(u) as Tensor2D));
    });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([z, w]);
  });
});

describe('package entries', () => {
  it('exports the integrators in `plugins`', () => {
    expect(plugins.map((p) => p.id)).toEqual([
      euler.id,
      '@npde/integrators/heun',
      "@npde/integrators/rk4",
      '@npde/integrators/semi-implicit',
      '@npde/integrators/leapfrog',
      '@npde/integrators/symplectic',
    ]);
    expect(() => new Registry().register(plugins)).not.toThrow();
  });

  it('`./register` adds them to the global registry', async () => {
    await import('./register.js');
    expect(globalRegistry().get('integrator', euler.id)).toBe(euler);
  });
});
