// Shared by trajectory-zero-copy.spec.ts and trajectory-copy.spec.ts (each its own
// process, since the fused kernels choose their mode once per process).
import { expect, it } from 'vitest';
import { stencilRelaxTrajectory, tf, type Scalar, type StencilRelaxConfig, type Tensor2D } from '@npde/core';
import { STENCIL_TRAJECTORY_GRAD_KERNEL, STENCIL_TRAJECTORY_KERNEL, compareStencilTrajectory } from '@npde/core/internal';
import { checkGradients } from '@npde/core/testing';

export const TRAJECTORY_CONFIGS: StencilRelaxConfig[] = [
  { geometry: { dims: 1, sites: 11, radius: 1 }, boundary: 'periodic', activation: 'tanh' },
  { geometry: { dims: 1, sites: 13, radius: 3 }, boundary: 'zero', activation: 'softplus' },
  { geometry: { dims: 2, height: 4, width: 5, points: 5 }, boundary: 'periodic', activation: 'tanh' },
  { geometry: { dims: 2, height: 5, width: 8, points: 9 }, boundary: 'zero', activation: 'relu' },
];

/**
 * Tolerances against L op-path steps differentiated by tfjs (float32 both): the
 * kernel's tanh is a rational approximation within ~1e-7 of Math.tanh, and errors
 * compound over L = 4 steps of O(1) fields; taps' and bias' gradients sum B · L
 * products (and ω's B · S · L), so they get a relative 1e-4.
 */
export function expectTrajectoryAgreement(r: ReturnType<typeof compareStencilTrajectory>): void {
  expect(r.fused).toBe(true);
  expect(r.diff.out).toBeLessThanOrEqual(2e-5 * Math.max(1, r.scale.out));
  expect(r.diff.dz).toBeLessThanOrEqual(5e-5 * Math.max(1, r.scale.dz));
  expect(r.diff.dtaps).toBeLessThanOrEqual(1e-4 * Math.max(1, r.scale.dtaps));
  expect(r.diff.dbias).toBeLessThanOrEqual(1e-4 * Math.max(1, r.scale.dbias));
  expect(r.diff.domega).toBeLessThanOrEqual(1e-4 * Math.max(1, r.scale.domega));
}

/**
 * The trajectory kernels' tests in the active mode: agreement with L op-path steps
 * (every config × shared/per-step taps and bias, L = 1 and odd L), gradients against
 * finite differences, no leaked tensors or backend buffers, guard tensors around the
 * inputs left untouched, and bad inputs rejected before memory is touched.
 */
export function trajectoryKernelTests(): void {
  for (const config of TRAJECTORY_CONFIGS) {
    for (const [sharedTaps, sharedBias] of [
      [true, true],
      [false, false],
      [true, false],
    ] as const) {
      it(`z_L and all four gradients agree with L op-path steps: ${JSON.stringify(config.geometry)} ${config.boundary} ${config.activation}, taps ${sharedTaps ? 'shared' : 'per step'}, bias ${sharedBias ? 'shared' : 'per step'}`, () => {
        expectTrajectoryAgreement(compareStencilTrajectory(config, { layers: 4, batch: 3, sharedTaps, sharedBias, seed: 7 }));
      });
    }
  }

  it('one step (L = 1) and an odd L agree too', () => {
    expectTrajectoryAgreement(compareStencilTrajectory(TRAJECTORY_CONFIGS[0]!, { layers: 1, seed: 3 }));
    expectTrajectoryAgreement(compareStencilTrajectory(TRAJECTORY_CONFIGS[2]!, { layers: 5, seed: 4 }));
  });

  it('leaks no tensors and no heap buffers (work and scratch are freed; states are dropped without a tape)', () => {
    const config = TRAJECTORY_CONFIGS[0]!;
    const z = tf.randomNormal([3, 11], 0, 1, 'float32', 1) as tf.Tensor2D;
    const taps = tf.fill([11, 3], 0.3) as tf.Tensor2D;
    const omega = tf.scalar(0.5);
    const bias = tf.zeros([11]);
    const once = () => {
      tf.dispose(stencilRelaxTrajectory(z, taps, omega, bias, 3, config));
      tf.dispose(tf.grads((a: tf.Tensor, b: tf.Tensor) => stencilRelaxTrajectory(a as tf.Tensor2D, b, omega, bias, 3, config))([z, taps]));
    };
    once();
    const tensors = tf.memory().numTensors;
    const dataIds = tf.backend().numDataIds();
    for (let i = 0; i < 3; i++) once();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.backend().numDataIds()).toBe(dataIds);
    tf.dispose([z, taps, omega, bias]);
  });

  it('leaves every other tensor on the heap untouched (guard tensors around the inputs)', () => {
    const attrs = { dims: 1, radius: 2, height: 0, width: 0, points: 0, boundary: 'periodic', activation: 'tanh', layers: 3 };
    const guard = (n: number, v: number) => tf.fill([n], v);
    const guards: tf.Tensor[] = [guard(17, 1.25)];
    const z = tf.randomNormal([2, 9], 0, 1, 'float32', 2);
    guards.push(guard(5, -2.5));
    const taps = tf.randomUniform([3, 9, 5], -0.3, 0.5, 'float32', 3);
    guards.push(guard(3, 7));
    const omega = tf.scalar(0.4);
    guards.push(guard(9, -0.5));
    const bias = tf.randomUniform([9], -0.2, 0.2, 'float32', 4);
    guards.push(guard(31, 3.75));
    const dy = tf.randomNormal([2, 9], 0, 1, 'float32', 5);
    guards.push(guard(64, 0.125));
    const before = [...guards, z, taps, omega, bias, dy].map((g) => Array.from(g.dataSync()));
    const outs: tf.Tensor[] = [];
    for (let i = 0; i < 3; i++) {
      const [out, states, cache] = tf.engine().runKernel(STENCIL_TRAJECTORY_KERNEL, { z, taps, omega, bias }, attrs) as tf.Tensor[];
      outs.push(out!, states!, cache!);
      outs.push(...(tf.engine().runKernel(STENCIL_TRAJECTORY_GRAD_KERNEL, { dy, states: states!, cache: cache!, taps, omega, bias }, attrs) as tf.Tensor[]));
      guards.push(guard(13 + i, i));
      before.push(Array.from(guards[guards.length - 1]!.dataSync()));
    }
    const after = [...guards.slice(0, 6), z, taps, omega, bias, dy, ...guards.slice(6)].map((g) => Array.from(g.dataSync()));
    expect(after).toEqual(before);
    // states[0] is z; tanh keeps f(u_l) for the backward; the shapes follow the inputs (per-step taps → per-step dtaps).
    expect(Array.from(outs[1]!.dataSync().slice(0, 18))).toEqual(Array.from(z.dataSync()));
    expect(outs[2]!.shape).toEqual([3, 2, 9]);
    expect(outs[4]!.shape).toEqual([3, 9, 5]);
    tf.dispose([...guards, z, taps, omega, bias, dy, ...outs]);
  });

  it('saves states and cache for the backward without copying them (their clones share the buffer; other clones copy)', () => {
    const attrs = { dims: 1, radius: 1, height: 0, width: 0, points: 0, boundary: 'periodic', activation: 'tanh', layers: 2 };
    const z = tf.randomNormal([2, 8], 0, 1, 'float32', 6);
    const taps = tf.fill([8, 3], 0.3);
    const omega = tf.scalar(0.5);
    const bias = tf.zeros([8]);
    const [out, states, cache] = tf.engine().runKernel(STENCIL_TRAJECTORY_KERNEL, { z, taps, omega, bias }, attrs) as tf.Tensor[];
    const buffers = tf.backend().numDataIds();
    const savedStates = tf.clone(states!);
    const savedCache = tf.clone(cache!);
    const otherClone = tf.clone(out!);
    expect(savedStates.dataId).toBe(states!.dataId);
    expect(savedCache.dataId).toBe(cache!.dataId);
    expect(otherClone.dataId).not.toBe(out!.dataId);
    expect(tf.backend().numDataIds()).toBe(buffers + 1);
    const want = Array.from(states!.dataSync());
    tf.dispose([states!, cache!]);
    expect(Array.from(savedStates.dataSync())).toEqual(want); // the buffer lives while a clone does
    tf.dispose([savedStates, savedCache, otherClone, out!, z, taps, omega, bias]);
  });

  it('rejects inputs that disagree with the attrs before touching memory', () => {
    const z = tf.zeros([2, 8]);
    const omega = tf.scalar(0.5);
    const bias = tf.zeros([8]);
    const attrs = { dims: 1, radius: 1, height: 0, width: 0, points: 0, boundary: 'zero', activation: 'tanh', layers: 3 };
    expect(() => tf.engine().runKernel(STENCIL_TRAJECTORY_KERNEL, { z, taps: tf.zeros([2, 8, 3]), omega, bias }, attrs)).toThrow(/taps/);
    expect(() => tf.engine().runKernel(STENCIL_TRAJECTORY_KERNEL, { z, taps: tf.zeros([8, 3]), omega, bias: tf.zeros([4, 8]) }, attrs)).toThrow(/bias/);
    expect(() => tf.engine().runKernel(STENCIL_TRAJECTORY_KERNEL, { z, taps: tf.zeros([8, 3]), omega, bias }, { ...attrs, layers: 0 })).toThrow(/layers/);
    const empty = tf.zeros([0]);
    expect(() => tf.engine().runKernel(STENCIL_TRAJECTORY_GRAD_KERNEL, { dy: z, states: tf.zeros([2, 2, 8]), cache: empty, taps: tf.zeros([8, 3]), omega, bias }, attrs)).toThrow(/states/);
    expect(() => tf.engine().runKernel(STENCIL_TRAJECTORY_GRAD_KERNEL, { dy: z, states: tf.zeros([3, 2, 8]), cache: tf.zeros([2, 2, 8]), taps: tf.zeros([8, 3]), omega, bias }, attrs)).toThrow(/cache/);
    expect(() => tf.engine().runKernel(STENCIL_TRAJECTORY_GRAD_KERNEL, { dy: z, states: tf.zeros([3, 2, 8]), taps: tf.zeros([8, 3]), omega, bias }, attrs)).toThrow(/cache/);
  });

  it('the backward from the kept f(u_l) gives the recomputing backward’s bits (identity, tanh, relu, sigmoid; softplus keeps nothing)', () => {
    for (const activation of ['identity', 'tanh', 'relu', 'sigmoid', 'softplus'] as const) {
      for (const [dims, extra] of [
        [1, { radius: 2, height: 0, width: 0, points: 0 }],
        [2, { radius: 0, height: 3, width: 6, points: 9 }],
      ] as const) {
        const S = dims === 1 ? 10 : 18;
        const K = dims === 1 ? 5 : 9;
        const attrs = { dims, ...extra, boundary: 'periodic', activation, layers: 3 };
        const outs = tf.tidy(() => {
          const z = tf.randomNormal([3, S], 0, 1, 'float32', 11);
          const taps = tf.randomUniform([3, S, K], -0.4, 0.6, 'float32', 12);
          const omega = tf.scalar(0.6);
          const bias = tf.randomUniform([S], -0.2, 0.2, 'float32', 13);
          const dy = tf.randomNormal([3, S], 0, 1, 'float32', 14);
          const [, states, cache] = tf.engine().runKernel(STENCIL_TRAJECTORY_KERNEL, { z, taps, omega, bias }, attrs) as tf.Tensor[];
          const grads = (c: tf.Tensor) => tf.engine().runKernel(STENCIL_TRAJECTORY_GRAD_KERNEL, { dy, states: states!, cache: c, taps, omega, bias }, attrs) as tf.Tensor[];
          return { cacheShape: cache!.shape, cached: grads(cache!).map((g) => Array.from(g.dataSync())), recomputed: grads(tf.zeros([0])).map((g) => Array.from(g.dataSync())) };
        });
        expect(outs.cacheShape, activation).toEqual(activation === 'softplus' ? [0] : [3, 3, S]);
        expect(outs.cached, `${activation} ${dims}-D`).toEqual(outs.recomputed);
      }
    }
  });

  it('gradients pass the finite-difference check (shared and per-step taps and bias)', () => {
    const L = 3;
    TRAJECTORY_CONFIGS.slice(0, 3).forEach((config, c) => {
      const shared = c % 2 === 0;
      const S = config.geometry.dims === 1 ? config.geometry.sites : config.geometry.height * config.geometry.width;
      const K = config.geometry.dims === 1 ? 2 * config.geometry.radius + 1 : config.geometry.points;
      const z = tf.variable(tf.randomUniform([2, S], -1.5, 1.5, 'float32', 10 + c));
      const taps = tf.variable(tf.tidy(() => tf.randomUniform(shared ? [S, K] : [L, S, K], -0.5, 0.8, 'float32', 20 + c).div(K / 2)));
      const omega = tf.variable(tf.scalar(0.7));
      const bias = tf.variable(tf.randomUniform(shared ? [S] : [L, S], -0.3, 0.3, 'float32', 30 + c));
      const dy = tf.randomUniform([2, S], -1, 1, 'float32', 40 + c);
      const loss = () => tf.sum(tf.mul(dy, stencilRelaxTrajectory(z as unknown as Tensor2D, taps, omega as unknown as Scalar, bias, L, config))) as Scalar;
      // Central differences at step 1e-2 in float32 against 2e-2 of the largest gradient (checkGradients'
      // defaults); the kernels' rational tanh (within ~1e-7 of Math.tanh) is smooth, so it does not matter at that scale.
      // relu: a difference straddling the kink is off by the jump in slope; none of these configs is relu.
      expect(checkGradients(loss, [z, taps, omega, bias], { label: `${JSON.stringify(config.geometry)} ${shared ? 'shared' : 'per step'}` }).checked).toBeGreaterThan(30);
      tf.dispose([z, taps, omega, bias, dy]);
    });
  });
}
