import { resolveField, tf, type Scalar, type StepContext, type Tensor2D } from '@npde/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { euler, heun, rk4, symplectic } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * The harmonic oscillator q' = p, p' = −q on one site with two channels (q, p):
 * H = (q² + p²)/2, a separable Hamiltonian (F_q depends on p only, F_p on q only).
 */
const field = resolveField({ shape: [1], channels: 2 });
const oscillator = (u: Tensor2D): Tensor2D => tf.matMul(u, tf.tensor2d([[0, -1], [1, 0]])) as Tensor2D;
const context = (z: Tensor2D, omega: Scalar): StepContext => ({
  z,
  previous: undefined,
  layer: 0,
  omega,
  attractor: (u) => tf.add(u, oscillator(u)) as Tensor2D,
  reservoirTerm: () => null,
  rhs: oscillator,
});

/** Energies H(z_n) for n = 0..steps from (q, p) = (1, 0). */
function energies(integrator: typeof euler, omega: number, steps: number): number[] {
  const inst = integrator.create({ options: {}, field, layers: steps, seed: 0 });
  return tf.tidy(() => {
    const w = tf.scalar(omega);
    let z = tf.tensor2d([[1, 0]]);
    const zs: Tensor2D[] = [z];
    for (let n = 0; n < steps; n++) zs.push((z = inst.step(context(z, w))));
    return Array.from(tf.stack(zs).dataSync()).reduce<number[]>((h, x, i) => (i % 2 ? (h[h.length - 1]! += x * x / 2, h) : [...h, (x * x) / 2]), []);
  });
}

describe('@npde/integrators/symplectic (Störmer–Verlet)', () => {
  // For the oscillator Verlet conserves exactly the modified energy q²/2 + p²/(2(1 − ω²/4)),
  // so |H − H0| ≤ ω²/8 / (1 − ω²/4) ≈ 1.26e-3 at ω = 0.1, with no drift over 1000 steps
  // (T = 100); Heun's energy grows by (1 + ω⁴/4)^n (+1.3% here), Euler's by (1 + ω²)^n.
  it('keeps the energy of the harmonic oscillator bounded over a long rollout, without drift', () => {
    const h = energies(symplectic, 0.1, 1000);
    const dev = h.map((e) => Math.abs(e - 0.5));
    expect(Math.max(...dev)).toBeLessThan(1.3e-3);
    const firstHalf = Math.max(...dev.slice(0, 500));
    const secondHalf = Math.max(...dev.slice(500));
    expect(secondHalf).toBeLessThan(1.1 * firstHalf);
    expect(energies(heun, 0.1, 1000).at(-1)! / 0.5).toBeGreaterThan(1.01);
    expect(energies(euler, 0.1, 200).at(-1)! / 0.5).toBeGreaterThan(5);
  });

  // A linear one-step map z ↦ M z is symplectic in 2-D iff det M = 1. Verlet's M for the
  // oscillator is [[1 − ω²/2, ω], [−ω(1 − ω²/4), 1 − ω²/2]]: det 1 for every ω. Heun's and
  // RK4's determinants are 1 + ω⁴/4 and 1 − ω⁶/72 + ω⁸/576, not 1.
  it.each([0.3, 1, 1.9])('its one-step map has determinant 1 (area preserving) at ω = %d', (omega) => {
    const map = (integrator: typeof euler) =>
      tf.tidy(() => integrator.create({ options: {}, field, layers: 1, seed: 0 }).step(context(tf.eye(2) as Tensor2D, tf.scalar(omega))).arraySync());
    const det = (m: number[][]) => m[0]![0]! * m[1]![1]! - m[0]![1]! * m[1]![0]!;
    const m = map(symplectic);
    expect(det(m)).toBeCloseTo(1, 5);
    // rows are the images of the unit vectors: row q = (1 − ω²/2, ω) with our (q, p) ordering
    expect(m[0]![0]).toBeCloseTo(1 - omega ** 2 / 2, 5);
    expect(det(map(heun))).toBeCloseTo(1 + omega ** 4 / 4, 4);
    expect(det(map(rk4))).toBeCloseTo(1 - omega ** 6 / 72 + omega ** 8 / 576, 4);
  });
});
