import { beforeAll, describe, expect, it } from 'vitest';
import { cpuBackend } from '../../tensor/cpu-backend.js';
import { tf, type Scalar, type Tensor, type Tensor2D } from '../../tensor/tf.js';
import { checkGradients } from '../../testing/gradient-check.js';
import type { StencilRelaxConfig } from './config.js';
import { stencilRelaxPath } from './path.js';
import { stencilRelaxReference } from './reference.js';
import { stencilRelax } from './stencil-relax.js';
import { EDGE_GEOMETRIES, GEOMETRIES, absError, allConfigs, caseData, caseTensors, describeGeometry, relError, type CaseTensors } from './stencil-relax.test-util.js';

beforeAll(async () => {
  await cpuBackend.setup({}); // tf.setBackend('cpu'), without tfjs's tfjs-node advice
  expect(stencilRelaxPath().path).toBe('fused');
});

const OMEGAS = [0.5, 1];
const CONFIGS = allConfigs([...GEOMETRIES, ...EDGE_GEOMETRIES]);
const label = (cfg: StencilRelaxConfig, omega: number) => `${describeGeometry(cfg.geometry)} ${cfg.boundary} ${cfg.activation} ω=${omega}`;

type Op = typeof stencilRelax;

/** Gradients of sum(w ⊙ op(z, taps, ω, b)) with respect to z, taps, ω, b. */
function gradsOf(op: Op, cfg: StencilRelaxConfig, t: CaseTensors): Tensor[] {
  return tf.grads((z: Tensor, taps: Tensor, omega: Tensor, bias: Tensor) =>
    tf.sum(tf.mul(t.w, op(z as Tensor2D, taps as Tensor2D, omega as Scalar, bias as tf.Tensor1D, cfg))),
  )([t.z, t.taps, t.omega, t.bias]);
}

describe('cpu NpdeStencilRelax / NpdeStencilRelaxGrad', () => {
  it('forward equals the op path to float32 accuracy (≤ 1e-6 absolute)', () => {
    CONFIGS.forEach((cfg, c) => {
      for (const omega of OMEGAS) {
        const t = caseTensors(cfg.geometry, caseData(cfg.geometry, 500 + c), omega);
        const fused = stencilRelax(t.z, t.taps, t.omega, t.bias, cfg);
        const ref = stencilRelaxReference(t.z, t.taps, t.omega, t.bias, cfg);
        expect(fused.shape).toEqual(ref.shape);
        const err = absError(fused.dataSync(), ref.dataSync());
        expect(err, label(cfg, omega)).toBeLessThanOrEqual(1e-6);
        tf.dispose([fused, ref, ...Object.values(t)]);
      }
    });
  });

  it('gradients (z, taps, ω, b) equal the op path autodiff gradients (≤ 1e-5 relative)', () => {
    CONFIGS.forEach((cfg, c) => {
      for (const omega of OMEGAS) {
        const t = caseTensors(cfg.geometry, caseData(cfg.geometry, 700 + c), omega);
        const fused = gradsOf(stencilRelax, cfg, t);
        const ref = gradsOf(stencilRelaxReference, cfg, t);
        fused.forEach((g, i) => {
          expect(g.shape, `${label(cfg, omega)} grad ${i}`).toEqual(ref[i]!.shape);
          const err = relError(g.dataSync(), ref[i]!.dataSync());
          expect(err, `${label(cfg, omega)} grad ${['z', 'taps', 'omega', 'bias'][i]}`).toBeLessThanOrEqual(1e-5);
        });
        tf.dispose([...fused, ...ref, ...Object.values(t)]);
      }
    });
  });

  it('gradients pass the finite-difference check', () => {
    CONFIGS.forEach((cfg, c) => {
      const t = caseTensors(cfg.geometry, caseData(cfg.geometry, 900 + c), 0.7);
      const vars = [tf.variable(t.z), tf.variable(t.taps), tf.variable(t.omega), tf.variable(t.bias)] as const;
      const loss = () => tf.sum(tf.mul(t.w, stencilRelax(vars[0] as Tensor2D, vars[1] as Tensor2D, vars[2] as Scalar, vars[3] as tf.Tensor1D, cfg))) as Scalar;
      // relu: a central difference straddling its kink at u = 0 is off by up to the jump in
      // slope; step 1e-3 (not 1e-2) makes that 10× less likely, and its float32 rounding
      // error (~6e-8·|L|/h ≈ 1e-4 of the largest gradient here) stays far below 2e-2.
      const step = cfg.activation === 'relu' ? 1e-3 : 1e-2;
      checkGradients(loss, vars, { label: label(cfg, 0.7), step });
      tf.dispose([...vars, ...Object.values(t)]);
    });
  });

  it('leaves no tensors behind, forward and backward', () => {
    const cfg = CONFIGS[23]!;
    const t = caseTensors(cfg.geometry, caseData(cfg.geometry, 11), 0.5);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      stencilRelax(t.z, t.taps, t.omega, t.bias, cfg);
      gradsOf(stencilRelax, cfg, t);
    });
    expect(tf.memory().numTensors).toBe(before);
    // Outside tidy: only the four returned gradients survive the backward pass.
    const g = gradsOf(stencilRelax, cfg, t);
    expect(tf.memory().numTensors).toBe(before + 4);
    tf.dispose(g);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(Object.values(t));
  });
});
