import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes, ShapeError, ValidationError } from '../../errors/errors.js';
import { seededRandom } from '../../random/seeded-random.js';
import { tf, type Scalar, type Tensor, type Tensor2D } from '../../tensor/tf.js';
import { checkGradients } from '../../testing/gradient-check.js';
import { referenceCpuBackend } from '../../testing/reference-plugins.js';
import { maxAbsDifference, stencilRelaxFloat64 } from '../../testing/stencil-conformance.js';
import * as core from '../../index.js';
import * as internal from '../../internal/index.js';
import { siteCount, tapCount, type StencilRelaxConfig } from './config.js';
import { STENCIL_RELAX_GRAD_KERNEL, STENCIL_RELAX_KERNEL, geometryFromAttrs } from './kernel-attrs.js';
import { STENCIL_TRAJECTORY_GRAD_KERNEL, STENCIL_TRAJECTORY_KERNEL, hasFusedStencilTrajectory, stencilRelaxTrajectory, type StencilTrajectoryAttrs } from './trajectory.js';

const cfg1: StencilRelaxConfig = { geometry: { dims: 1, sites: 10, radius: 2 }, boundary: 'zero', activation: 'tanh' };
const cfg2: StencilRelaxConfig = { geometry: { dims: 2, height: 3, width: 4, points: 9 }, boundary: 'periodic', activation: 'softplus' };
const L = 3;
const B = 2;

beforeAll(async () => {
  await referenceCpuBackend.setup({}); // tf.setBackend('cpu'), no fused kernels
});

afterEach(() => {
  for (const name of [STENCIL_RELAX_KERNEL, STENCIL_RELAX_GRAD_KERNEL, STENCIL_TRAJECTORY_KERNEL, STENCIL_TRAJECTORY_GRAD_KERNEL]) {
    if (tf.getKernel(name, 'cpu')) tf.unregisterKernel(name, 'cpu');
  }
});

interface Data {
  z: Float32Array;
  taps: Float32Array;
  omega: number;
  bias: Float32Array;
  dy: Float32Array;
}

function caseData(config: StencilRelaxConfig, shared: boolean, seed: number): Data {
  const S = siteCount(config.geometry);
  const K = tapCount(config.geometry);
  const r = seededRandom(seed);
  const u = (n: number, lo: number, hi: number) => Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
  return {
    z: u(B * S, -1.5, 1.5),
    taps: u((shared ? 1 : L) * S * K, -0.5, 0.5).map((x) => (2 * x) / K),
    omega: Math.fround(0.3 + 0.6 * r()),
    bias: u((shared ? 1 : L) * S, -0.3, 0.3),
    dy: u(B * S, -1, 1),
  };
}

/**
 * The trajectory in float64 from the contract's one-step formulas (stencilRelaxFloat64,
 * which shares no code with the op path or the kernels): forward z_0 … z_L, then the
 * chain rule down the steps, shared taps' and bias' gradients summed over the steps.
 */
function trajectoryFloat64(d: Data, config: StencilRelaxConfig, layers: number, batch: number) {
  const S = siteCount(config.geometry);
  const K = tapCount(config.geometry);
  const tapsOf = (l: number) => (d.taps.length === S * K ? d.taps : d.taps.subarray(l * S * K, (l + 1) * S * K));
  const biasOf = (l: number) => (d.bias.length === S ? d.bias : d.bias.subarray(l * S, (l + 1) * S));
  const states: ArrayLike<number>[] = [d.z];
  for (let l = 0; l < layers; l++) states.push(stencilRelaxFloat64({ z: states[l]!, taps: tapsOf(l), omega: d.omega, bias: biasOf(l) }, config, batch).out);
  const dtaps = new Float64Array(d.taps.length);
  const dbias = new Float64Array(d.bias.length);
  let domega = 0;
  let g: ArrayLike<number> = d.dy;
  for (let l = layers - 1; l >= 0; l--) {
    const r = stencilRelaxFloat64({ z: states[l]!, taps: tapsOf(l), omega: d.omega, bias: biasOf(l) }, config, batch, g).grads;
    const t0 = d.taps.length === S * K ? 0 : l * S * K;
    r.dtaps.forEach((v, i) => (dtaps[t0 + i] += v));
    const b0 = d.bias.length === S ? 0 : l * S;
    r.dbias.forEach((v, i) => (dbias[b0 + i] += v));
    domega += r.domega;
    g = r.dz;
  }
  return { out: states[layers]!, states, dz: g, dtaps, domega, dbias };
}

function tensorsOf(d: Data, config: StencilRelaxConfig, shared: boolean) {
  const S = siteCount(config.geometry);
  const K = tapCount(config.geometry);
  return {
    z: tf.tensor2d(d.z, [B, S]),
    taps: tf.tensor(d.taps, shared ? [S, K] : [L, S, K]),
    omega: tf.scalar(d.omega),
    bias: tf.tensor(d.bias, shared ? [S] : [L, S]),
    dy: tf.tensor2d(d.dy, [B, S]),
  };
}

function gradsOf(t: ReturnType<typeof tensorsOf>, config: StencilRelaxConfig): Float32Array[] {
  return tf.tidy(() =>
    tf
      .grads((z: Tensor, w: Tensor, o: Tensor, b: Tensor) => stencilRelaxTrajectory(z as Tensor2D, w, o as Scalar, b, L, config))([t.z, t.taps, t.omega, t.bias], t.dy)
      .map((g) => g.dataSync().slice() as Float32Array),
  );
}

type CpuLike = { readSync(id: object): Float32Array; makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo };

/**
 * Stand-in trajectory kernels for `cpu` (core ships none): the float64 trajectory
 * behind the kernel interface, counting calls, so that these tests see the path
 * `stencilRelaxTrajectory` takes and what it hands the kernels. The step kernels are
 * registered as well (the trajectory path needs them: it is built on them).
 */
function registerStandInKernels(): { forward: number; backward: number; step: number } {
  const calls = { forward: 0, backward: 0, step: 0 };
  const stepKernel = (kernelName: string) =>
    tf.registerKernel({
      kernelName,
      backendName: 'cpu',
      kernelFunc: () => {
        calls.step++;
        throw new Error('the trajectory path must not run the step kernels');
      },
    });
  stepKernel(STENCIL_RELAX_KERNEL);
  stepKernel(STENCIL_RELAX_GRAD_KERNEL);
  const read = (inputs: tf.NamedTensorInfoMap, be: CpuLike, attrs: StencilTrajectoryAttrs, field: string) => {
    const [b, S] = inputs[field]!.shape as [number, number];
    const config: StencilRelaxConfig = { geometry: geometryFromAttrs(attrs, S), boundary: attrs.boundary, activation: attrs.activation };
    return { b, config, get: (name: string) => be.readSync(inputs[name]!.dataId) };
  };
  tf.registerKernel({
    kernelName: STENCIL_TRAJECTORY_KERNEL,
    backendName: 'cpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      calls.forward++;
      const be = backend as unknown as CpuLike;
      const a = attrs as unknown as StencilTrajectoryAttrs;
      const { b, config, get } = read(inputs, be, a, 'z');
      const S = siteCount(config.geometry);
      const r = trajectoryFloat64({ z: get('z'), taps: get('taps'), omega: get('omega')[0]!, bias: get('bias'), dy: new Float32Array(b * S) }, config, a.layers, b);
      const states = new Float32Array(a.layers * b * S);
      for (let l = 0; l < a.layers; l++) states.set(r.states[l]!, l * b * S);
      // A backend-defined cache: core must hand it to the backward kernel unchanged.
      return [be.makeTensorInfo([b, S], 'float32', Float32Array.from(r.out)), be.makeTensorInfo([a.layers, b, S], 'float32', states), be.makeTensorInfo([2], 'float32', Float32Array.of(a.layers, 42))];
    },
  });
  tf.registerKernel({
    kernelName: STENCIL_TRAJECTORY_GRAD_KERNEL,
    backendName: 'cpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      calls.backward++;
      const be = backend as unknown as CpuLike;
      const a = attrs as unknown as StencilTrajectoryAttrs;
      const { b, config, get } = read(inputs, be, a, 'dy');
      const S = siteCount(config.geometry);
      if (Array.from(get('cache')).join() !== `${a.layers},42`) throw new Error('the backward did not get the forward’s cache');
      // z_0 from the saved states: the stand-in recomputes the trajectory from it.
      const r = trajectoryFloat64({ z: get('states').slice(0, b * S), taps: get('taps'), omega: get('omega')[0]!, bias: get('bias'), dy: get('dy') }, config, a.layers, b);
      return [
        be.makeTensorInfo([b, S], 'float32', Float32Array.from(r.dz)),
        be.makeTensorInfo([...inputs['taps']!.shape], 'float32', Float32Array.from(r.dtaps)),
        be.makeTensorInfo([], 'float32', Float32Array.of(r.domega)),
        be.makeTensorInfo([...inputs['bias']!.shape], 'float32', Float32Array.from(r.dbias)),
      ];
    },
  });
  return calls;
}

describe('stencilRelaxTrajectory', () => {
  it('is public API of @npde/core; its kernel names and gradient config are in @npde/core/internal only', () => {
    expect(core.stencilRelaxTrajectory).toBe(stencilRelaxTrajectory);
    expect(core.hasFusedStencilTrajectory).toBe(hasFusedStencilTrajectory);
    for (const name of ['STENCIL_TRAJECTORY_KERNEL', 'STENCIL_TRAJECTORY_GRAD_KERNEL', 'registerStencilTrajectoryGradient', 'stencilTrajectoryGradConfig', 'compareStencilTrajectory']) {
      expect(core, name).not.toHaveProperty(name);
      expect(internal, name).toHaveProperty(name);
    }
  });

  for (const [config, shared] of [
    [cfg1, true],
    [cfg1, false],
    [cfg2, true],
    [cfg2, false],
  ] as const) {
    it(`without trajectory kernels runs L steps and equals the float64 trajectory, forward and backward (${config.geometry.dims}-D ${config.activation}, taps and bias ${shared ? 'shared' : 'per step'})`, () => {
      expect(hasFusedStencilTrajectory('cpu', config.activation)).toBe(false);
      const d = caseData(config, shared, shared ? 5 : 6);
      const t = tensorsOf(d, config, shared);
      const want = trajectoryFloat64(d, config, L, B);
      const before = tf.memory().numTensors;
      const out = stencilRelaxTrajectory(t.z, t.taps, t.omega, t.bias, L, config);
      // float32 arithmetic over 3 steps of O(1) values: within 2e-6 of float64 (a tap read from the wrong step is off by O(0.1)).
      expect(maxAbsDifference(out.dataSync(), want.out)).toBeLessThanOrEqual(2e-6);
      const [dz, dtaps, domega, dbias] = gradsOf(t, config);
      expect(maxAbsDifference(dz!, want.dz)).toBeLessThanOrEqual(1e-5);
      expect(maxAbsDifference(dtaps!, want.dtaps)).toBeLessThanOrEqual(1e-5);
      expect(Math.abs(domega![0]! - want.domega)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want.domega)));
      expect(maxAbsDifference(dbias!, want.dbias)).toBeLessThanOrEqual(1e-5);
      out.dispose();
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose(Object.values(t));
    });
  }

  it('runs one trajectory kernel call each way where both are registered (with the step kernels), registers its gradient, and drops the saved states without a tape', async () => {
    expect(hasFusedStencilTrajectory('cpu')).toBe(false);
    const calls = registerStandInKernels();
    expect(hasFusedStencilTrajectory('cpu', 'softplus')).toBe(true);
    const d = caseData(cfg2, false, 8);
    const t = tensorsOf(d, cfg2, false);
    const want = trajectoryFloat64(d, cfg2, L, B);
    const before = tf.memory().numTensors;
    const out = stencilRelaxTrajectory(t.z, t.taps, t.omega, t.bias, L, cfg2);
    expect(tf.memory().numTensors).toBe(before + 1); // z_L only: the states output is disposed
    expect(maxAbsDifference(out.dataSync(), want.out)).toBeLessThanOrEqual(1e-6);
    out.dispose();
    const info = await tf.profile(() => {
      const [dz, dtaps, domega, dbias] = gradsOf(t, cfg2);
      expect(maxAbsDifference(dz!, want.dz)).toBeLessThanOrEqual(1e-6);
      expect(maxAbsDifference(dtaps!, want.dtaps)).toBeLessThanOrEqual(1e-6);
      expect(Math.abs(domega![0]! - want.domega)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(want.domega)));
      expect(maxAbsDifference(dbias!, want.dbias)).toBeLessThanOrEqual(1e-6);
    });
    expect(info.kernelNames).toContain(STENCIL_TRAJECTORY_KERNEL);
    expect(info.kernelNames).toContain(STENCIL_TRAJECTORY_GRAD_KERNEL);
    expect(info.kernelNames).not.toContain('Softplus');
    expect(calls).toEqual({ forward: 2, backward: 1, step: 0 });
    expect(tf.getGradient(STENCIL_TRAJECTORY_KERNEL)).toBeDefined();
    expect(tf.memory().numTensors).toBe(before);
    // Without the step kernels the trajectory path is off too.
    tf.unregisterKernel(STENCIL_RELAX_GRAD_KERNEL, 'cpu');
    expect(hasFusedStencilTrajectory('cpu')).toBe(false);
    tf.dispose(Object.values(t));
  });

  it('op-path gradients pass the finite-difference check (shared and per-step taps and bias)', () => {
    for (const shared of [true, false]) {
      const d = caseData(cfg1, shared, 11);
      const t = tensorsOf(d, cfg1, shared);
      const vars = [tf.variable(t.z), tf.variable(t.taps), tf.variable(t.omega), tf.variable(t.bias)] as const;
      const loss = () => tf.sum(tf.mul(t.dy, stencilRelaxTrajectory(vars[0] as Tensor2D, vars[1], vars[2] as Scalar, vars[3], L, cfg1))) as Scalar;
      expect(checkGradients(loss, vars, { label: `trajectory ${shared ? 'shared' : 'per step'}` }).checked).toBeGreaterThan(20);
      tf.dispose([...vars, ...Object.values(t)]);
    }
  });

  it('throws typed errors with a path for a bad step count and for shapes that fit neither shared nor per-step', () => {
    const d = caseData(cfg1, true, 2);
    const t = tensorsOf(d, cfg1, true);
    expect(() => stencilRelaxTrajectory(t.z, t.taps, t.omega, t.bias, 0, cfg1)).toThrow(ValidationError);
    expect(() => stencilRelaxTrajectory(t.z, t.taps, t.omega, t.bias, 1.5, cfg1)).toThrow(expect.objectContaining({ code: ErrorCodes.INVALID_OPTIONS, path: 'layers' }));
    const wrongL = tf.zeros([L + 1, 10, 5]);
    expect(() => stencilRelaxTrajectory(t.z, wrongL, t.omega, t.bias, L, cfg1)).toThrow(ShapeError);
    expect(() => stencilRelaxTrajectory(t.z, wrongL, t.omega, t.bias, L, cfg1)).toThrow(expect.objectContaining({ code: ErrorCodes.SHAPE_MISMATCH, path: 'taps', expected: '[10, 5] or [3, 10, 5]' }));
    const wrongBias = tf.zeros([2, 10]);
    expect(() => stencilRelaxTrajectory(t.z, t.taps, t.omega, wrongBias, L, cfg1)).toThrow(expect.objectContaining({ path: 'bias' }));
    expect(() => stencilRelaxTrajectory(t.z, t.taps, t.omega, t.bias, L, { ...cfg1, activation: 'gelu' } as unknown as StencilRelaxConfig)).toThrow(
      expect.objectContaining({ path: 'config.activation' }),
    );
    tf.dispose([wrongL, wrongBias, ...Object.values(t)]);
  });
});
