import { beforeAll, describe, expect, it } from 'vitest';
import { cpuBackend } from '../../tensor/cpu-backend.js';
import { tf } from '../../tensor/tf.js';
import { stencilRelaxReference } from './reference.js';
import {
  EDGE_GEOMETRIES,
  GEOMETRIES,
  allConfigs,
  caseData,
  caseTensors,
  denseStencilRelax,
  denseW,
  describeGeometry,
  naiveStencilRelax,
  relError,
} from './stencil-relax.test-util.js';

beforeAll(async () => {
  await cpuBackend.setup({}); // tf.setBackend('cpu'), without tfjs's tfjs-node advice
});

const OMEGAS = [0.5, 1];

describe('stencilRelaxReference', () => {
  it('equals a float64 loop over the offset table (all geometries, boundaries, activations, ω ∈ {0.5, 1})', () => {
    allConfigs([...GEOMETRIES, ...EDGE_GEOMETRIES]).forEach((cfg, c) => {
      for (const omega of OMEGAS) {
        const d = caseData(cfg.geometry, 100 + c);
        const t = caseTensors(cfg.geometry, d, omega);
        const got = stencilRelaxReference(t.z, t.taps, t.omega, t.bias, cfg);
        expect(got.shape).toEqual(t.z.shape);
        const err = relError(got.dataSync(), naiveStencilRelax(cfg, d, omega));
        expect(err, `${describeGeometry(cfg.geometry)} ${cfg.boundary} ${cfg.activation} ω=${omega}`).toBeLessThanOrEqual(1e-5);
        tf.dispose([got, ...Object.values(t)]);
      }
    });
  });

  it('equals (1 − ω) z + ω f(z Wᵀ − b) with W materialized dense (2-D and edge cases)', () => {
    const geometries = [...GEOMETRIES.filter((g) => g.dims === 2), ...EDGE_GEOMETRIES];
    allConfigs(geometries).forEach((cfg, c) => {
      for (const omega of OMEGAS) {
        const d = caseData(cfg.geometry, 300 + c);
        const t = caseTensors(cfg.geometry, d, omega);
        const got = stencilRelaxReference(t.z, t.taps, t.omega, t.bias, cfg);
        const want = denseStencilRelax(cfg, t, denseW(cfg, d.taps));
        const err = relError(got.dataSync(), want.dataSync());
        expect(err, `${describeGeometry(cfg.geometry)} ${cfg.boundary} ${cfg.activation} ω=${omega}`).toBeLessThanOrEqual(1e-5);
        tf.dispose([got, want, ...Object.values(t)]);
      }
    });
  });

  it('leaves no tensors behind, forward and backward', () => {
    const cfg = allConfigs()[16]!;
    const t = caseTensors(cfg.geometry, caseData(cfg.geometry, 7), 0.5);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const out = stencilRelaxReference(t.z, t.taps, t.omega, t.bias, cfg);
      tf.grads((z, taps, omega, bias) => tf.sum(tf.mul(t.w, stencilRelaxReference(z as tf.Tensor2D, taps as tf.Tensor2D, omega as tf.Scalar, bias as tf.Tensor1D, cfg))))([
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
