import { beforeAll, describe, expect, it } from 'vitest';
import { referenceCpuBackend as cpuBackend } from '../../testing/reference-plugins.js';
import { tf, type Tensor } from '../../tensor/tf.js';
import {
  STENCIL_EDGE_GEOMETRIES,
  STENCIL_GEOMETRIES,
  describeStencilConfig,
  maxRelativeDifference,
  stencilCaseData,
  stencilCaseSizes,
  stencilCaseTensors,
  stencilConfigs,
  stencilReferenceNeighbours,
  stencilRelaxFloat64,
  type StencilCaseTensors,
} from '../../testing/stencil-conformance.js';
import type { StencilRelaxConfig } from './config.js';
import { fusedActivation } from './activations.js';
import { stencilRelaxReference } from './reference.js';

beforeAll(async () => {
  await cpuBackend.setup({}); // tf.setBackend('cpu'), without tfjs's tfjs-node advice
});

const OMEGAS = [0.5, 1];

/** W as a dense [S, S] matrix: W[s, n] = Σ of the taps of site s that read site n. */
function denseW(cfg: StencilRelaxConfig, taps: ArrayLike<number>): Float32Array {
  const { S, K } = stencilCaseSizes(cfg.geometry);
  const table = stencilReferenceNeighbours(cfg);
  const m = new Float64Array(S * S);
  for (let s = 0; s < S; s++) {
    for (let k = 0; k < K; k++) {
      const n = table[s * K + k]!;
      if (n >= 0) m[s * S + n] += taps[s * K + k]!;
    }
  }
  return new Float32Array(m);
}

/** (1 − ω) z + ω f(z Wᵀ − b) with tfjs ops on the dense W. */
function denseStencilRelax(cfg: StencilRelaxConfig, t: StencilCaseTensors, wDense: Float32Array): Tensor {
  return tf.tidy(() => {
    const S = t.z.shape[1];
    const Wm = tf.tensor2d(wDense, [S, S]);
    const u = tf.sub(tf.matMul(t.z, Wm, false, true), t.bias);
    // The activation's tfjs op from the table (this test is about W; the float64 test covers f).
    const a = fusedActivation(cfg.activation).op(u);
    return tf.add(tf.mul(tf.sub(1, t.omega), t.z), tf.mul(t.omega, a));
  });
}

describe('stencilRelaxReference', () => {
  it('equals a float64 loop over the offset table (all geometries, boundaries, activations, ω ∈ {0.5, 1})', () => {
    stencilConfigs([...STENCIL_GEOMETRIES, ...STENCIL_EDGE_GEOMETRIES]).forEach((cfg, c) => {
      for (const omega of OMEGAS) {
        const d = stencilCaseData(cfg.geometry, 100 + c);
        const t = stencilCaseTensors(cfg.geometry, d, { omega });
        const got = stencilRelaxReference(t.z, t.taps, t.omega, t.bias, cfg);
        expect(got.shape).toEqual(t.z.shape);
        const err = maxRelativeDifference(got.dataSync(), stencilRelaxFloat64({ ...d, omega }, cfg, t.z.shape[0]).out);
        expect(err, `${describeStencilConfig(cfg)} ω=${omega}`).toBeLessThanOrEqual(1e-5);
        tf.dispose([got, ...Object.values(t)]);
      }
    });
  });

  it('equals (1 − ω) z + ω f(z Wᵀ − b) with W materialized dense (2-D and edge cases)', () => {
    const geometries = [...STENCIL_GEOMETRIES.filter((g) => g.dims === 2), ...STENCIL_EDGE_GEOMETRIES];
    stencilConfigs(geometries).forEach((cfg, c) => {
      for (const omega of OMEGAS) {
        const d = stencilCaseData(cfg.geometry, 300 + c);
        const t = stencilCaseTensors(cfg.geometry, d, { omega });
        const got = stencilRelaxReference(t.z, t.taps, t.omega, t.bias, cfg);
        const want = denseStencilRelax(cfg, t, denseW(cfg, d.taps));
        const err = maxRelativeDifference(got.dataSync(), want.dataSync());
        expect(err, `${describeStencilConfig(cfg)} ω=${omega}`).toBeLessThanOrEqual(1e-5);
        tf.dispose([got, want, ...Object.values(t)]);
      }
    });
  });

  it('leaves no tensors behind, forward and backward', () => {
    const cfg = stencilConfigs(STENCIL_GEOMETRIES)[16]!;
    const t = stencilCaseTensors(cfg.geometry, stencilCaseData(cfg.geometry, 7), { omega: 0.5 });
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const out = stencilRelaxReference(t.z, t.taps, t.omega, t.bias, cfg);
      tf.grads((z, taps, omega, bias) => tf.sum(tf.mul(t.dy, stencilRelaxReference(z as tf.Tensor2D, taps as tf.Tensor2D, omega as tf.Scalar, bias as tf.Tensor1D, cfg))))([
        t.z,
        t.taps,
        t.omega,
        t.bias,
      ]);
      return out;
    }).dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(Object.values(t));
  });
});
