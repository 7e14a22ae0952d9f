import { ErrorCodes, NeuralPde, NpdeError, Registry, globalRegistry, resolveField, tf, validate, type FieldSpec, type BlockModelSpec, type KernelInstance } from '@npde/core';
import { checkKernelFamily, referencePlugins, withReferenceDefaults } from '@npde/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { adr } from '../adr/adr.js';
import { dense } from '../dense/dense.js';
import {
  GRADIENT_TOLERANCE,
  finiteDifferences,
  flatParams,
  gradientError,
  mse64,
  randomMatrix,
  relax64,
  seededRandom,
  tfGradient,
  type Matrix64,
} from '../testing/relaxation-reference.test-util.js';
import type { QuadratureOptionsInput } from './options.js';
import { quadrature } from './quadrature.js';
import { gaussLegendreCell, quadratureTaps, type QuadratureBasis, type QuadratureOrder } from './rule.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  globalRegistry().register([dense, adr]);
});

function create(options: QuadratureOptionsInput, field: FieldSpec, layers = 2, seed = 5): KernelInstance {
  return quadrature.create({ field: resolveField(field), layers, options: validate(quadrature.options, options, { path: 'kernel.options' }), seed });
}

/**
 * Eq. 24 taken literally (linear f), float64: Σ_k Σ_l Φ^k Φ^l W(q_i + d_k, q_j + d_l) with
 * W(q, q') = Σ_ab φ(q − q_a) W_ab φ(q' − q_b) and tensor-product nodes, built as dense matrices
 * S_k (no taps, no shifts). Periodic grids wrap the basis functions (sum over images).
 */
function eq24Matrix(
  W: Matrix64,
  shape: readonly number[],
  order: QuadratureOrder,
  basis: QuadratureBasis,
  width: number,
  normalize: boolean,
  boundary: 'zero' | 'periodic',
): Matrix64 {
  const phi1 = (r: number): number => {
    if (basis === 'delta') return Math.abs(r) < 1e-12 ? 1 : 0;
    if (basis === 'hat') return Math.max(0, 1 - Math.abs(r) / width);
    return Math.abs(r) > 4 * width ? 0 : Math.exp(-(r * r) / (2 * width * width));
  };
  const phiAxis = (r: number, n: number): number => (boundary === 'zero' ? phi1(r) : [-2, -1, 0, 1, 2].reduce((s, t) => s + phi1(r + t * n), 0));
  const rule = gaussLegendreCell(order);
  const dims = shape.length;
  const S = shape.reduce((a, b) => a * b, 1);
  const coord = (s: number): number[] => (dims === 1 ? [s] : [Math.floor(s / shape[1]!), s % shape[1]!]);
  // tensor-product nodes
  let nodes: { d: number[]; p: number }[] = [{ d: [], p: 1 }];
  for (let a = 0; a < dims; a++) nodes = nodes.flatMap((n) => rule.nodes.map((d, k) => ({ d: [...n.d, d], p: n.p * rule.weights[k]! })));
  const Phi = nodes.map((n) => n.p * n.d.reduce((v, d) => v * phi1(d), 1));
  const Sk = nodes.map((n) =>
    Array.from({ length: S }, (_, i) =>
      Array.from({ length: S }, (_, a) => coord(i).reduce((v, qi, ax) => v * phiAxis(qi + n.d[ax]! - coord(a)[ax]!, shape[ax]!), 1)),
    ),
  );
  const mul = (A: Matrix64, B: Matrix64, transposeB = false): Matrix64 =>
    A.map((row) => Array.from({ length: S }, (_, j) => row.reduce((s, x, k) => s + x * (transposeB ? B[j]![k]! : B[k]![j]!), 0)));
  const out: Matrix64 = Array.from({ length: S }, () => new Array<number>(S).fill(0));
  nodes.forEach((_, k) =>
    nodes.forEach((__, l) => {
      const Wkl = mul(mul(Sk[k]!, W), Sk[l]!, true);
      for (let i = 0; i < S; i++) for (let j = 0; j < S; j++) out[i]![j]! += Phi[k]! * Phi[l]! * Wkl[i]![j]!;
    }),
  );
  if (!normalize) return out;
  // Σ_k p_k φ(d_k) Σ_{m ∈ Z} φ(d_k − m): the row sum of the one-axis operator
  const norm = rule.nodes.reduce((s, d, k) => s + rule.weights[k]! * phi1(d) * [-4, -3, -2, -1, 0, 1, 2, 3, 4].reduce((t, m) => t + phi1(d - m), 0), 0);
  return out.map((row) => row.map((x) => x / norm ** (2 * dims)));
}

/** The inner dense kernel's W_l as a float64 matrix. */
function innerDense(k: KernelInstance, layer: number, S: number, values = Array.from(k.params['W']!.dataSync())): Matrix64 {
  return Array.from({ length: S }, (_, i) => values.slice(layer * S * S + i * S, layer * S * S + (i + 1) * S));
}

describe('quadrature: the rule and the taps', () => {
  it('Q = 1 with the delta or the hat basis is the identity (the plain update)', () => {
    expect(quadratureTaps(gaussLegendreCell(1), 'delta', 1, true)).toEqual({ offsets: [0], taps: [1] });
    expect(quadratureTaps(gaussLegendreCell(1), 'hat', 1, false)).toEqual({ offsets: [0], taps: [1] });
  });

  it('Q = 2 hat taps by hand: c_0 = φ(d)², c_±1 = ½ φ(d)(1 − φ(d)), d = 1/(2√3)', () => {
    const phi = 1 - 1 / (2 * Math.sqrt(3));
    const t = quadratureTaps(gaussLegendreCell(2), 'hat', 1, false);
    expect(t.offsets).toEqual([-1, 0, 1]);
    [0.5 * phi * (1 - phi), phi * phi, 0.5 * phi * (1 - phi)].forEach((c, i) => expect(t.taps[i]).toBeCloseTo(c, 14));
    const n = quadratureTaps(gaussLegendreCell(2), 'hat', 1, true);
    expect(n.taps.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
  });

  it('Gauss–Legendre cells integrate polynomials of degree 2Q − 1 over [−½, ½] exactly', () => {
    for (const Q of [1, 2, 3] as const) {
      const { nodes, weights } = gaussLegendreCell(Q);
      for (let deg = 0; deg <= 2 * Q - 1; deg++) {
        const exact = deg % 2 === 1 ? 0 : 2 * 0.5 ** (deg + 1) / (deg + 1);
        expect(nodes.reduce((s, d, k) => s + weights[k]! * d ** deg, 0)).toBeCloseTo(exact, 14);
      }
    }
  });
});

describe('quadrature: apply is eq. 24 (linear f) built literally in float64', () => {
  it.each([
    { shape: [7], order: 2, basis: 'hat', width: 1, normalize: true, boundary: 'zero' },
    { shape: [7], order: 3, basis: 'hat', width: 1.5, normalize: false, boundary: 'periodic' },
    { shape: [9], order: 3, basis: 'gaussian', width: 0.5, normalize: true, boundary: 'zero' },
    { shape: [8], order: 2, basis: 'gaussian', width: 0.7, normalize: false, boundary: 'periodic' },
    { shape: [3, 4], order: 2, basis: 'hat', width: 1, normalize: true, boundary: 'zero' },
    { shape: [4, 3], order: 3, basis: 'gaussian', width: 0.6, normalize: true, boundary: 'periodic' },
  ] as const)('$shape Q = $order $basis(width $width) normalize = $normalize $boundary', ({ shape, ...o }) => {
    const S = shape.reduce((a, b) => a * b, 1);
    const k = create({ ...o, inner: { id: '@npde/kernels/dense', options: { init: 'glorot' } } }, { shape: [...shape] });
    const W = eq24Matrix(innerDense(k, 1, S), shape, o.order, o.basis, o.width, o.normalize, o.boundary);
    const z = randomMatrix(3, S, seededRandom(3));
    const got = tf.tidy(() => Array.from(k.apply(tf.tensor2d(z), 1).dataSync()));
    let err = 0;
    let scale = 0;
    z.forEach((row, b) =>
      W.forEach((wi, i) => {
        const ref = wi.reduce((s, w, j) => s + w * row[j]!, 0);
        scale = Math.max(scale, Math.abs(ref));
        err = Math.max(err, Math.abs(got[b * S + i]! - ref));
      }),
    );
    k.dispose();
    expect(scale).toBeGreaterThan(0.05);
    // float32 apply: a few shifted sums of O(1) terms, ~1e-7 relative; 1e-5 leaves a wide margin while a wrong tap is O(0.1).
    expect(err).toBeLessThan(1e-5 * Math.max(1, scale));
  });

  it('acts on every channel alike', () => {
    const k = create({ order: 3, basis: 'hat', inner: { id: '@npde/kernels/dense', options: { init: 'identity', noise: 0 } } }, { shape: [6], channels: 2 });
    const one = create({ order: 3, basis: 'hat', inner: { id: '@npde/kernels/dense', options: { init: 'identity', noise: 0 } } }, { shape: [6] });
    const z = randomMatrix(2, 12, seededRandom(8));
    const [two, a, b] = tf.tidy(() => {
      const zt = tf.tensor2d(z).reshape([2, 6, 2]);
      const ch = (c: number) => tf.slice(zt, [0, 0, c], [2, 6, 1]).reshape([2, 6]) as tf.Tensor2D;
      return [Array.from(k.apply(tf.tensor2d(z), 0).dataSync()), Array.from(one.apply(ch(0), 0).dataSync()), Array.from(one.apply(ch(1), 0).dataSync())];
    });
    for (let b_ = 0; b_ < 2; b_++) {
      for (let i = 0; i < 6; i++) {
        expect(two![b_ * 12 + i * 2]).toBeCloseTo(a![b_ * 6 + i]!, 6);
        expect(two![b_ * 12 + i * 2 + 1]).toBeCloseTo(b![b_ * 6 + i]!, 6);
      }
    }
    k.dispose();
    one.dispose();
  });
});

describe('quadrature: Q = 1 is the plain update', () => {
  const registry = () => withReferenceDefaults(new Registry().register([dense, adr, quadrature], referencePlugins));
  const base: Omit<BlockModelSpec, 'kernel'> = {
    field: { shape: [10] }, layers: 4, activation: '@npde/core/testing/tanh', integrator: '@npde/core/testing/euler',
    reservoir: '@npde/core/testing/none', omega: 0.6, seed: 4,
  };
  const inner = { id: '@npde/kernels/adr', options: { family: 'heterogeneous', init: { U: 0.1, D: 0.05, noise: 0.05 } } };

  it.each(['delta', 'hat'] as const)('φ = %s: predictions equal the inner kernel\'s own model bit for bit', (basis) => {
    const plain = NeuralPde.create({ ...base, kernel: inner }, { registry: registry() });
    const quad = NeuralPde.create({ ...base, kernel: { id: '@npde/kernels/quadrature', options: { inner, order: 1, basis } } }, { registry: registry() });
    expect(Object.keys(quad.parameters)).toEqual(Object.keys(plain.parameters));
    const x = tf.randomNormal([3, 10], 0, 1, 'float32', 1);
    const a = plain.predict(x);
    const b = quad.predict(x);
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    [x, a, b].forEach((t) => t.dispose());
    plain.dispose();
    quad.dispose();
  });

  it('while Q = 2 changes the prediction', () => {
    const plain = NeuralPde.create({ ...base, kernel: inner }, { registry: registry() });
    const quad = NeuralPde.create({ ...base, kernel: { id: '@npde/kernels/quadrature', options: { inner, order: 2 } } }, { registry: registry() });
    const x = tf.randomNormal([3, 10], 0, 1, 'float32', 1);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(plain.predict(x), quad.predict(x)))).dataSync()[0]!);
    expect(diff).toBeGreaterThan(1e-3);
    x.dispose();
    plain.dispose();
    quad.dispose();
  });
});

describe('quadrature: gradients and conformance', () => {
  it('gradient through 3 relaxation steps matches float64 finite differences of the literal eq. 24', () => {
    const layers = 3;
    const S = 6;
    const k = create({ order: 2, basis: 'gaussian', inner: { id: '@npde/kernels/dense', options: { init: 'glorot' } } }, { shape: [S] }, layers);
    const rand = seededRandom(13);
    const x = randomMatrix(4, S, rand);
    const y = randomMatrix(4, S, rand, 0.5);
    const p = flatParams(k, ['W']);
    const loss = (q: number[]): number => mse64(relax64((l) => eq24Matrix(innerDense(k, l, S, q), [S], 2, 'gaussian', 0.5, true, 'zero'), x, 0.75, layers), y);
    const expected = finiteDifferences(p, loss);
    const actual = tfGradient(k, ['W'], x, y, 0.75, layers);
    k.dispose();
    expect(Math.max(...expected.map(Math.abs))).toBeGreaterThan(1e-3);
    const err = gradientError(actual, expected);
    expect(err.normwise).toBeLessThan(GRADIENT_TOLERANCE.normwise);
    expect(err.entrywise).toBeLessThan(GRADIENT_TOLERANCE.entrywise);
  });

  it.each([
    { field: { shape: [9] }, options: { order: 2, inner: { id: '@npde/kernels/adr', options: { family: 'heterogeneous', boundary: 'zero', dx: 2 } } } },
    { field: { shape: [4, 3], channels: 2 }, options: { order: 3, basis: 'gaussian', boundary: 'periodic', inner: { id: '@npde/kernels/dense', options: { noise: 0.1 } } } },
    { field: { shape: [8] }, options: { order: 1, basis: 'delta' } },
  ])('conforms on $field with $options', async ({ field, options }) => {
    await checkKernelFamily(quadrature, { field, layers: 2, options });
  });

  it('errors: scattered points, delta with Q > 1, an unknown inner kernel', () => {
    const caught = (fn: () => unknown): NpdeError => {
      try {
        fn();
      } catch (e) {
        expect(e).toBeInstanceOf(NpdeError);
        return e as NpdeError;
      }
      throw new Error('expected a throw');
    };
    expect(caught(() => create({}, { points: [[0], [1]] })).code).toBe(ErrorCodes.UNSUPPORTED_FIELD);
    const bad = caught(() => validate(quadrature.options, { basis: 'delta', order: 2 }, { path: 'kernel.options' }));
    expect([bad.code, bad.path]).toEqual([ErrorCodes.INVALID_OPTIONS, 'kernel.options.order']);
    expect(caught(() => create({ inner: '@npde/kernels/nope' }, { shape: [4] })).code).toBe(ErrorCodes.UNKNOWN_PLUGIN);
  });
});
