import { NeuralPde } from '../model/neural-pde.js';
import type { ModelSpec } from '../model/spec.js';
import { memoryStore } from '../io/memory-store.js';
import { loadModel, saveModel } from '../io/save-load.js';
import { resolveField, type FieldSpec } from '../plugins/field.js';
import { PLUGIN_ID_PATTERN } from '../plugins/define.js';
import { STENCIL_ACTIVATIONS, fusedActivation, isStencilActivation } from '../ops/stencil-relax/activations.js';
import type {
  Activation,
  ActivationInstance,
  AnyPlugin,
  BlockPartContext,
  Integrator,
  KernelFamily,
  ModelView,
  Optimizer,
  OptimizationProblem,
  Reservoir,
  StepContext,
} from '../plugins/types.js';
import type { Registry } from '../registry/registry.js';
import { validate } from '../schema/validate.js';
import { tf, type Scalar, type Tensor2D, type Variable } from '../tensor/tf.js';
import { ConformanceError, ensure } from './conformance-error.js';
import { checkGradients, type GradientCheckOptions } from './gradient-check.js';
import { checkMoments, checkStencilAgainstApply, checkStencilAgainstDense, readStencil, stencilMatrix } from './kernel-forms.js';
import { expectNoLeaks } from './leaks.js';

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Checks every plugin must pass: namespaced id, frozen object, description, usable options schema. */
export function checkPluginShape(plugin: AnyPlugin, sampleOptions: unknown = {}): void {
  ensure(PLUGIN_ID_PATTERN.test(plugin.id), `${plugin.id}: id must be '<package>/<name>'`);
  ensure(Object.isFrozen(plugin), `${plugin.id}: plugin objects must be frozen (use the defineX() helpers)`);
  ensure(typeof plugin.description === 'string' && plugin.description.length > 0, `${plugin.id}: description is empty`);
  ensure(plugin.options && typeof plugin.options === 'object', `${plugin.id}: options schema missing`);
  validate(plugin.options, sampleOptions, { path: 'options', plugin: plugin.id });
}

/** A case for {@link checkKernelFamily}. */
export interface KernelCase {
  /** The field to create the kernel for, e.g. `{ shape: [16] }`. */
  readonly field: FieldSpec;
  /** Number of layers to create parameters for. */
  readonly layers: number;
  /** Raw options for the family's schema (default `{}`). */
  readonly options?: unknown;
  /** Batch size of the random test states (default 3). */
  readonly batch?: number;
  /** Finite-difference settings for the gradient check (e.g. a smaller step for stiff kernels). */
  readonly gradient?: GradientCheckOptions;
}

/**
 * The kernel-family contract: parameters are variables whose sizes add up to
 * `paramCount`; for every layer, `apply` maps `[batch, size]` to `[batch, size]`
 * and, where the kernel offers them,
 * - `dense(l)` is `[size, size]` and `apply(z, l)` equals `z · dense(l)ᵀ`;
 * - `stencil(l)` is a valid stencil whose taps, read with the contract's offsets
 *   and the stencil's boundary (independently of the fused op), act on z as
 *   `apply(z, l)` does, give the same parameter gradients, and equal `dense(l)`;
 * - `moments(l, 2)` is well formed and its W_0 equals the row sums of W (from
 *   `dense(l)`, else from the stencil);
 *
 * `physics()` values are `[layers][sites]`; gradients of a loss through `apply`
 * match finite differences; `apply` and `stencil` leak no tensors; `dispose()`
 * frees the parameters. A kernel that offers `stencil()` thereby has its fusion
 * claim checked: the fused op runs exactly the W its `apply` applies.
 */
export async function checkKernelFamily(family: KernelFamily<unknown>, kase: KernelCase): Promise<void> {
  checkPluginShape(family, kase.options ?? {});
  const field = resolveField(kase.field);
  const options = validate(family.options, kase.options ?? {}, { path: 'options', plugin: family.id });
  const before = tf.memory().numTensors;
  const k = family.create({ field, layers: kase.layers, options, seed: 7 });
  try {
    const vars = Object.values(k.params);
    ensure(vars.every((p) => p instanceof tf.Variable), `${family.id}: params must be tf.Variables`);
    const total = vars.reduce((n, p) => n + p.size, 0);
    ensure(total === k.paramCount, `${family.id}: paramCount ${k.paramCount} but parameters hold ${total} values`);
    const B = kase.batch ?? 3;
    const z = tf.randomNormal([B, field.size], 0, 1, 'float32', 11) as Tensor2D;
    for (let l = 0; l < kase.layers; l++) {
      const out = tf.tidy(() => k.apply(z, l));
      ensure(out.shape.join() === `${B},${field.size}`, `${family.id}: apply returned [${out.shape}] for [${B}, ${field.size}]`);
      const applied = out.dataSync();
      out.dispose();
      let W: { readonly W: ArrayLike<number>; readonly from: string } | undefined;
      if (k.dense) {
        const dense = k.dense(l);
        try {
          ensure(dense.shape.join() === `${field.size},${field.size}`, `${family.id}: dense(${l}) has shape [${dense.shape}]`);
          const ref = tf.tidy(() => tf.matMul(z, dense, false, true).dataSync());
          const err = maxAbsDiff(applied, ref);
          const scale = Math.max(1, maxAbsDiff(ref, new Float32Array(ref.length)));
          if (!(err <= 1e-4 * scale)) throw new ConformanceError(`${family.id}: apply(z, ${l}) differs from z·dense(${l})ᵀ by ${err}`);
          W = { W: dense.dataSync(), from: `dense(${l})` };
        } finally {
          dense.dispose();
        }
      }
      if (k.stencil) {
        const st = readStencil(family.id, k, l, field);
        checkStencilAgainstApply(family.id, k, l, z, applied, st);
        if (W) checkStencilAgainstDense(family.id, l, st, W.W);
        else W = { W: stencilMatrix(st), from: `stencil(${l})` };
      }
      if (k.moments) checkMoments(family.id, k.moments(l, 2), l, field, W);
    }
    if (k.physics) {
      for (const q of k.physics()) {
        ensure(q.values.length === kase.layers, `${family.id}: physics '${q.name}' must have one row per layer`);
        ensure(q.values.every((r) => r.length === field.sites), `${family.id}: physics '${q.name}' rows must have one value per site`);
      }
    }
    const target = tf.randomNormal([B, field.size], 0, 1, 'float32', 12) as Tensor2D;
    checkGradients(
      () => tf.mean(tf.square(tf.sub(tf.tanh(k.apply(z, kase.layers - 1)), target))) as Scalar,
      vars,
      { label: `${family.id} gradient`, ...kase.gradient },
    );
    await expectNoLeaks(() => tf.tidy(() => k.apply(z, 0)).dispose(), { label: `${family.id} apply` });
    if (k.stencil) await expectNoLeaks(() => tf.tidy(() => k.stencil!(0).taps).dispose(), { label: `${family.id} stencil` });
    z.dispose();
    target.dispose();
  } finally {
    k.dispose();
  }
  const after = tf.memory().numTensors;
  ensure(after === before, `${family.id}: ${after - before} tensors still live after dispose()`);
}

/** The block every activation, integrator and reservoir is created for in the kit: 13 sites, 2 layers. */
function blockContext<O>(options: O, sites = 13): BlockPartContext<O> {
  return { options, field: resolveField({ shape: [sites] }), layers: 2, seed: 7 };
}

/**
 * The activation contract: shape-preserving, finite on finite input, gradient
 * (with respect to the input and any parameters) matches finite differences, no
 * leaks. An activation that claims a fused-op activation (`stencilActivation`)
 * must name an entry of the fused op's table and compute that entry's f and f′
 * (float64 formulas; within 1e-5 and 1e-4 relative to max(1, |value|)), since the
 * fused op runs the table's f in its place.
 */
export async function checkActivation(plugin: Activation<unknown>, options: unknown = {}): Promise<void> {
  checkPluginShape(plugin, options);
  const act = plugin.create(blockContext(validate(plugin.options, options, { path: 'options', plugin: plugin.id })));
  const params = Object.values(act.params ?? {});
  ensure(params.every((p) => p instanceof tf.Variable), `${plugin.id}: params must be tf.Variables`);
  const x = tf.variable(tf.linspace(-2.9, 3.1, 13).reshape([1, 13]), true);
  try {
    const y = tf.tidy(() => act.apply(x, 0));
    ensure(y.shape.join() === '1,13', `${plugin.id}: apply changed the shape to [${y.shape}]`);
    ensure(Array.from(y.dataSync()).every(Number.isFinite), `${plugin.id}: non-finite output on [-3, 3]`);
    y.dispose();
    if (act.stencilActivation !== undefined) checkStencilActivationClaim(plugin.id, act);
    checkGradients(() => tf.sum(act.apply(x, 0)) as Scalar, [x, ...params.filter((p) => p.trainable)], { label: `${plugin.id} gradient`, step: 1e-3, tolerance: 2e-2 });
    await expectNoLeaks(() => tf.tidy(() => act.apply(x, 0)).dispose(), { label: plugin.id });
  } finally {
    x.dispose();
    params.forEach((p) => p.dispose());
  }
}

function checkStencilActivationClaim(id: string, act: ActivationInstance): void {
  const claimed: unknown = act.stencilActivation;
  if (!isStencilActivation(claimed)) {
    throw new ConformanceError(`${id}: claims stencilActivation '${String(claimed)}', which is not in the fused op's activation table (${STENCIL_ACTIVATIONS.join(', ')})`);
  }
  const { f, df } = fusedActivation(claimed);
  // Points on both sides of 0 (relu's kink is not sampled) and into the tails.
  const points = Array.from({ length: 41 }, (_, i) => Math.fround(-6.05 + 0.3 * i));
  const { y, dy } = tf.tidy(() => {
    const x = tf.tensor2d(points, [1, points.length]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(act.apply(t, 0)))(x);
    return { y: act.apply(x, 0).dataSync(), dy: g.dataSync() };
  });
  points.forEach((p, i) => {
    const want = f(p);
    if (!(Math.abs(y[i]! - want) <= 1e-5 * Math.max(1, Math.abs(want)))) {
      throw new ConformanceError(`${id}: claims stencilActivation '${claimed}' but apply(${p}) = ${y[i]}, while '${claimed}' is ${want}: the fused op would compute another f`);
    }
    const slope = df(p, want);
    if (!(Math.abs(dy[i]! - slope) <= 1e-4 * Math.max(1, Math.abs(slope)))) {
      throw new ConformanceError(`${id}: claims stencilActivation '${claimed}' but its derivative at ${p} is ${dy[i]}, while that of '${claimed}' is ${slope}`);
    }
  });
}

function linearContext(z: Tensor2D, omega: Scalar, a: number, b: number, layer: number, previous?: Tensor2D): StepContext {
  const attractor = (u: Tensor2D) => tf.sub(tf.mul(u, a), b) as Tensor2D;
  return {
    z,
    previous,
    layer,
    omega,
    attractor,
    reservoirTerm: () => null,
    rhs: (u) => tf.sub(attractor(u), u) as Tensor2D,
  };
}

/**
 * The integrator contract, on dz/dt = −(z − (a z − b)) whose exact solution is
 * known: a step keeps the shape, small steps converge to the exact solution
 * (error shrinks when ω is halved), gradients flow to ω, and no tensors leak.
 */
export async function checkIntegrator(plugin: Integrator<unknown>, options: unknown = {}): Promise<void> {
  checkPluginShape(plugin, options);
  const integ = plugin.create(blockContext(validate(plugin.options, options, { path: 'options', plugin: plugin.id }), 3));
  ensure(integ.evaluationsPerStep >= 1, `${plugin.id}: evaluationsPerStep must be ≥ 1`);
  const a = 0.5;
  const b = 0.2;
  const z0 = 1.3;
  const T = 1;
  const zStar = -b / (1 - a);
  const exact = zStar + (z0 - zStar) * Math.exp(-(1 - a) * T);
  const solve = (steps: number) =>
    tf.tidy(() => {
      const omega = tf.scalar(T / steps);
      let prev: Tensor2D | undefined;
      let z = tf.fill([2, 3], z0) as Tensor2D;
      for (let l = 0; l < steps; l++) {
        const next = integ.step(linearContext(z, omega, a, b, l, prev));
        ensure(next.shape.join() === '2,3', `${plugin.id}: step returned shape [${next.shape}]`);
        prev = z;
        z = next;
      }
      return Math.abs(z.dataSync()[0]! - exact);
    });
  const e1 = solve(16);
  const e2 = solve(32);
  ensure(e2 < e1 || e2 < 1e-6, `${plugin.id}: error did not shrink when the step was halved (${e1} → ${e2})`);
  ensure(e2 < 0.05, `${plugin.id}: error ${e2} too large at ω = 1/32`);
  const omega = tf.variable(tf.scalar(0.25), true);
  const z = tf.fill([1, 3], z0) as Tensor2D;
  checkGradients(() => tf.sum(integ.step(linearContext(z, omega as unknown as Scalar, a, b, 0))) as Scalar, [omega], {
    label: `${plugin.id} gradient wrt ω`,
    step: 1e-2,
  });
  await expectNoLeaks(() => tf.tidy(() => integ.step(linearContext(z, omega as unknown as Scalar, a, b, 0))).dispose(), { label: plugin.id });
  omega.dispose();
  z.dispose();
}

/** The reservoir contract: term is null or shape-preserving, projection is shape-preserving and idempotent, no leaks. */
export async function checkReservoir(plugin: Reservoir<unknown>, options: unknown = {}): Promise<void> {
  checkPluginShape(plugin, options);
  const r = plugin.create(blockContext(validate(plugin.options, options, { path: 'options', plugin: plugin.id }), 8));
  const z = tf.randomNormal([2, 8], 0, 1, 'float32', 3) as Tensor2D;
  tf.tidy(() => {
    const t = r.term(z);
    if (t) ensure(t.shape.join() === '2,8', `${plugin.id}: term has shape [${t.shape}]`);
    const p1 = r.project(z);
    ensure(p1.shape.join() === '2,8', `${plugin.id}: project has shape [${p1.shape}]`);
    const p2 = r.project(p1);
    ensure(maxAbsDiff(p1.dataSync(), p2.dataSync()) < 1e-5, `${plugin.id}: project is not idempotent`);
  });
  await expectNoLeaks(
    () => tf.tidy(() => [r.term(z) ?? tf.zeros([1]), r.project(z)]).forEach((t) => t.dispose()),
    { label: plugin.id },
  );
  z.dispose();
}

/**
 * The optimizer contract, on the least-squares problem ½‖Aθ − c‖²: the loss
 * falls by at least 10× within `steps` steps, `step` returns the loss before
 * the step, and no tensors leak.
 */
export async function checkOptimizer(plugin: Optimizer<unknown>, options: unknown = {}, steps = 200): Promise<void> {
  checkPluginShape(plugin, options);
  const opt = plugin.create({ options: validate(plugin.options, options, { path: 'options', plugin: plugin.id }) });
  const A = tf.tensor2d([[2, 0.3], [0.1, 1], [0.5, -0.4]]);
  const c = tf.tensor2d([[1], [-2], [0.5]]);
  const theta = tf.variable(tf.zeros([2, 1]), true, `conformance-theta-${Math.random()}`);
  const lossFn = () => tf.tidy(() => tf.mul(0.5, tf.sum(tf.square(tf.sub(tf.matMul(A, theta), c))))) as Scalar;
  const x = tf.zeros([1, 1]) as Tensor2D;
  const one = resolveField({ shape: [1] });
  const noModel = (): never => {
    throw new ConformanceError(`${plugin.id}: checkOptimizer poses a least-squares problem, which has no model to run; check optimizers that need one on a real model`);
  };
  // The problem as a model view with no stages: its only parameter is θ.
  const leastSquaresModel: ModelView = {
    stages: [],
    input: one,
    output: one,
    parameters: { theta: theta as Variable },
    trainableVariables: [theta as Variable],
    forward: noModel,
    record: noModel,
  };
  const problem = (iteration: number): OptimizationProblem => ({
    variables: [theta],
    loss: lossFn,
    lossAndGrads: () => {
      const { value, grads } = tf.variableGrads(lossFn, [theta as Variable]);
      return { loss: value, grads: [grads[theta.name]!] };
    },
    batch: { x, y: x },
    model: leastSquaresModel,
    iteration,
  });
  try {
    const initial = tf.tidy(() => lossFn().dataSync()[0]!);
    const reported = await opt.step(problem(0));
    ensure(Math.abs(reported - initial) < 1e-5 * Math.max(1, initial), `${plugin.id}: step must return the loss before the step (${reported} vs ${initial})`);
    const live = tf.memory().numTensors;
    for (let i = 1; i < steps; i++) await opt.step(problem(i));
    ensure(tf.memory().numTensors === live, `${plugin.id}: ${tf.memory().numTensors - live} tensors leaked over ${steps - 1} steps`);
    const final = tf.tidy(() => lossFn().dataSync()[0]!);
    ensure(final < initial / 10, `${plugin.id}: loss only fell from ${initial} to ${final} in ${steps} steps`);
  } finally {
    opt.dispose();
    [A, c, theta, x].forEach((t) => t.dispose());
  }
}

/**
 * Save → load round trip of a model built from `spec`, through an in-memory
 * store (so the check runs in a browser too): the loaded model's predictions
 * equal the original's bit for bit.
 */
export async function checkRoundTrip(spec: ModelSpec, registry: Registry): Promise<void> {
  const model = NeuralPde.create(spec, { registry });
  const store = memoryStore();
  try {
    const x = tf.randomNormal([4, model.field.size], 0, 1, 'float32', 5);
    await saveModel(model, store);
    const loaded = await loadModel(store, { registry });
    const a = model.predict(x);
    const b = loaded.predict(x);
    const da = a.dataSync();
    const db = b.dataSync();
    for (let i = 0; i < da.length; i++) {
      if (!Object.is(da[i], db[i])) throw new ConformanceError(`round trip changed prediction ${i}: ${da[i]} → ${db[i]}`);
    }
    [x, a, b].forEach((t) => t.dispose());
    loaded.dispose();
  } finally {
    model.dispose();
  }
}
