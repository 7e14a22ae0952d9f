/**
 * The fusion contract: a relaxation block whose parts claim they can run as the
 * fused stencil-relaxation op (a kernel with `stencil()`, an activation naming an
 * entry of the op's table, the Euler integrator, an inert reservoir) computes the
 * same states, and the same gradients with respect to every parameter, fused as
 * composed op by op from the parts' own methods. A part that claims fusability
 * wrongly fails it.
 */
import { fusedRelaxStep, fusionBlocker, type RelaxationParts } from '../ops/stencil-relax/fusion.js';
import { siteCount } from '../ops/stencil-relax/config.js';
import { channelStencilSize } from '../ops/channel-stencil/fusion.js';
import { stencilRelaxPath, type StencilRelaxMode } from '../ops/stencil-relax/path.js';
import type { ModelView, PdeBlockView, StepContext } from '../plugins/types.js';
import { tf, type Scalar, type Tensor, type Tensor1D, type Tensor2D, type Variable } from '../tensor/tf.js';
import { ConformanceError } from './conformance-error.js';

/**
 * Tolerances of the fusion checks. The fused op and the op-by-op composition
 * compute the same float32 expression in a different order (and tanh etc. with
 * other approximations on native kernels): ~1e-7 relative per step, a few e-6
 * after a handful of steps and their backward pass. A wrong claim (another f, a
 * tap in the wrong place, a non-Euler scheme, a non-inert reservoir) is off by
 * O(1e-2 … 1).
 */
export const FUSION_TOLERANCES = Object.freeze({
  /** Every state, relative to max(1, max |state|). */
  forward: 1e-5,
  /** Every gradient, relative to max(1, max |gradient|) of the unfused one. */
  gradient: 1e-4,
});

/** Options of {@link checkBlockFusion}. */
export interface BlockFusionOptions {
  /** Number of relaxation steps to run (each with its own layer's W and bias). */
  readonly layers: number;
  /** ω (default 0.6); a variable is used as is (and its gradient compared), a number becomes one. */
  readonly omega?: number | Variable;
  /** The bias b: one `[size]` row per layer (default), one shared row, or none. */
  readonly bias?: 'per-layer' | 'shared' | 'none';
  /** Batch size of the random states (default 3). */
  readonly batch?: number;
  /** Seed of the random states, biases and loss weights (default 1). */
  readonly seed?: number;
  /** Name shown in failures (default `fusion`). */
  readonly label?: string;
}

/** What a fusion check compared. */
export interface FusionCheckReport {
  /** The label of the check. */
  readonly label: string;
  /** How the fused steps ran on the active backend (`fused-cpu`, `fused-zero-copy`, ..., or `op-path`). */
  readonly mode: StencilRelaxMode;
  /** States compared (per path). */
  readonly states: number;
  /** Gradients compared, by variable name. */
  readonly variables: readonly string[];
  /** Largest state difference, relative (see {@link FUSION_TOLERANCES}). */
  readonly forwardError: number;
  /** Largest gradient difference, relative (see {@link FUSION_TOLERANCES}). */
  readonly gradientError: number;
}

interface Run {
  readonly states: Float32Array[];
  readonly grads: Map<string, Float32Array>;
}

function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    diff = Number.isNaN(d) ? Infinity : Math.max(diff, d);
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

/** Compare a fused run with an unfused one; throws a ConformanceError listing what differs. */
function compareRuns(label: string, fused: Run, unfused: Run, mode: StencilRelaxMode): FusionCheckReport {
  const failures: string[] = [];
  let forwardError = 0;
  unfused.states.forEach((want, i) => {
    const err = relativeError(fused.states[i] ?? new Float32Array(0), want);
    forwardError = Math.max(forwardError, err);
    if (!(err <= FUSION_TOLERANCES.forward)) failures.push(`state ${i + 1}: fused and unfused differ by ${err.toExponential(2)} (relative; tolerance ${FUSION_TOLERANCES.forward})`);
  });
  const names = [...unfused.grads.keys()];
  for (const name of fused.grads.keys()) if (!unfused.grads.has(name)) failures.push(`the fused path has a gradient for '${name}', the unfused one none`);
  let gradientError = 0;
  for (const name of names) {
    const got = fused.grads.get(name);
    if (!got) {
      failures.push(`the fused path has no gradient for '${name}' (the unfused one has): the fused step ignores it`);
      continue;
    }
    const err = relativeError(got, unfused.grads.get(name)!);
    gradientError = Math.max(gradientError, err);
    if (!(err <= FUSION_TOLERANCES.gradient)) failures.push(`gradient of '${name}': fused and unfused differ by ${err.toExponential(2)} (relative; tolerance ${FUSION_TOLERANCES.gradient})`);
  }
  if (failures.length) {
    throw new ConformanceError(`${label}: the fused block does not compute what its parts compose (fused steps ran as ${mode}):\n  ${failures.slice(0, 8).join('\n  ')}`);
  }
  return { label, mode, states: unfused.states.length, variables: names, forwardError, gradientError };
}

/** Run `states(...)` under `tf.variableGrads` of `Σ_i sum(w_i ⊙ state_i)`, reading back states and named gradients. */
function record(states: () => Tensor2D[], weights: readonly Tensor[], vars?: Variable[]): Run {
  const out: Float32Array[] = [];
  const grads = new Map<string, Float32Array>();
  tf.tidy(() => {
    const r = tf.variableGrads(() => {
      const s = states();
      s.forEach((t) => out.push(t.dataSync().slice() as Float32Array));
      return tf.addN(s.map((t, i) => tf.sum(tf.mul(t, weights[i]!)))) as Scalar;
    }, vars);
    for (const [name, g] of Object.entries(r.grads)) grads.set(name, g.dataSync().slice() as Float32Array);
  });
  return { states: out, grads };
}

/**
 * The fusion contract of a block's parts, without a model: runs `layers` steps from
 * random states twice — fused (`fusedRelaxStep`, what a model runs when
 * `fusionBlocker(parts)` allows) and composed from the parts' own methods
 * (`reservoir.project(integrator.step(ctx))` with the attractor
 * `activation.apply(kernel.apply(z, l) − b_l, l)`) — and requires every state, and
 * the gradient of a random linear functional of the states with respect to z₀, ω,
 * b and every trainable parameter of the parts, to agree within
 * {@link FUSION_TOLERANCES}.
 *
 * Throws a {@link ConformanceError} when the parts do not fuse (naming the
 * blocker) or when fused and composed steps differ: a kernel whose `stencil()` is
 * not its `apply()`, an activation whose `stencilActivation` is not its `apply`,
 * an integrator that claims `relaxation: 'euler'` but steps otherwise, a reservoir
 * that claims `inert` but is not.
 *
 * @example
 * ```ts
 * const kernel = adr.create({ field, layers: 3, options, seed: 1 });
 * checkBlockFusion({ kernel, activation, integrator, reservoir }, { layers: 3 });
 * ```
 */
export function checkBlockFusion(parts: RelaxationParts, options: BlockFusionOptions): FusionCheckReport {
  const label = options.label ?? 'fusion';
  const blocker = fusionBlocker(parts);
  if (blocker !== undefined) throw new ConformanceError(`${label}: the block does not fuse: ${blocker}`);
  const L = options.layers;
  const B = options.batch ?? 3;
  const seed = options.seed ?? 1;
  const S = tf.tidy(() => (parts.kernel.stencil ? siteCount(parts.kernel.stencil(0).geometry) : channelStencilSize(parts.kernel.channelStencil!(0))));
  const owned: Variable[] = [];
  const own = (t: Tensor, name: string): Variable => {
    const v = tf.variable(t, true, `${name}-${Math.random().toString(36).slice(2)}`);
    t.dispose();
    owned.push(v);
    return v;
  };
  try {
    const z0 = own(tf.randomNormal([B, S], 0, 1, 'float32', seed), 'z0');
    const omega = typeof options.omega === 'object' ? options.omega : own(tf.scalar(options.omega ?? 0.6), 'omega');
    const biasMode = options.bias ?? 'per-layer';
    const bias = biasMode === 'none' ? undefined : own(tf.randomNormal(biasMode === 'shared' ? [S] : [L, S], 0, 0.2, 'float32', seed + 1), 'bias');
    const biasAt = (l: number): Tensor1D | undefined => (bias === undefined ? undefined : ((biasMode === 'shared' ? bias : tf.gather(bias, l)) as Tensor1D));
    const params = [parts.kernel.params, parts.activation.params, parts.integrator.params, parts.reservoir.params]
      .flatMap((p) => Object.values(p ?? {}))
      .filter((p) => p.trainable);
    const vars = [z0, omega, ...(bias ? [bias] : []), ...params] as Variable[];
    const weights = Array.from({ length: L }, (_, l) => tf.randomNormal([B, S], 0, 1, 'float32', seed + 2 + l));
    try {
      const composed = (z: Tensor2D, previous: Tensor2D | undefined, l: number): Tensor2D => {
        const b = biasAt(l);
        const attractor = (u: Tensor2D) => {
          const wz = parts.kernel.apply(u, l);
          return parts.activation.apply(b ? tf.sub(wz, b) : wz, l) as Tensor2D;
        };
        const ctx: StepContext = {
          z,
          previous,
          layer: l,
          omega: omega as unknown as Scalar,
          attractor,
          reservoirTerm: (u) => parts.reservoir.term(u),
          rhs: (u) => {
            const f = tf.sub(attractor(u), u);
            const r = parts.reservoir.term(u);
            return (r ? tf.add(f, r) : f) as Tensor2D;
          },
        };
        return parts.reservoir.project(parts.integrator.step(ctx));
      };
      const trajectory = (step: (z: Tensor2D, previous: Tensor2D | undefined, l: number) => Tensor2D) => () => {
        const states: Tensor2D[] = [];
        let previous: Tensor2D | undefined;
        let z = z0 as unknown as Tensor2D;
        for (let l = 0; l < L; l++) {
          const next = step(z, previous, l);
          previous = z;
          z = next;
          states.push(z);
        }
        return states;
      };
      const fused = record(trajectory((z, _previous, l) => fusedRelaxStep(parts, z, l, omega as unknown as Scalar, biasAt(l))), weights, vars);
      const unfused = record(trajectory(composed), weights, vars);
      return compareRuns(label, fused, unfused, stencilRelaxPath(parts.activation.stencilActivation).mode);
    } finally {
      tf.dispose(weights);
    }
  } finally {
    owned.forEach((v) => v.dispose());
  }
}

/** Options of {@link checkFusion}. */
export interface FusionOptions {
  /** Batch size of the random input (default 3). */
  readonly batch?: number;
  /** Seed of the random input and loss weights (default 1). */
  readonly seed?: number;
  /** Name shown in failures (default `fusion`). */
  readonly label?: string;
}

function isBlockView(target: PdeBlockView | ModelView): target is PdeBlockView {
  return typeof (target as PdeBlockView).run === 'function';
}

/**
 * The fusion contract of a built block or model: run it with `fusion = 'auto'` and
 * with `fusion = 'off'` (every relaxation block of a model switched together; the
 * settings are restored afterwards) on the same random input, and require the
 * outputs (a block: every state z₁ … z_L) and the gradients of a random linear
 * functional of them with respect to the input and every trainable variable they
 * reach to agree within {@link FUSION_TOLERANCES}. At least one block must fuse
 * under `auto` (else the check would compare the unfused path with itself).
 *
 * Throws a {@link ConformanceError} naming what differs.
 *
 * @example
 * ```ts
 * const model = NeuralPde.create(spec, { registry });
 * for (const stage of model.stages) if (stage.instance.pde) checkFusion(stage.instance.pde);
 * ```
 */
export function checkFusion(target: PdeBlockView | ModelView, options: FusionOptions = {}): FusionCheckReport {
  const label = options.label ?? 'fusion';
  const blocks = isBlockView(target) ? [target] : target.stages.flatMap((s) => (s.instance.pde ? [s.instance.pde] : []));
  if (blocks.length === 0) throw new ConformanceError(`${label}: the model has no relaxation block to fuse`);
  const saved = blocks.map((b) => b.fusion);
  const B = options.batch ?? 3;
  const seed = options.seed ?? 1;
  const size = isBlockView(target) ? target.field.size : target.input.size;
  const x = tf.variable(tf.randomNormal([B, size], 0, 1, 'float32', seed), true, `fusion-x-${Math.random().toString(36).slice(2)}`);
  const weights: Tensor[] = [];
  try {
    const states = (): Tensor2D[] => {
      const out = isBlockView(target) ? target.run(x as unknown as Tensor2D).slice(1) : [target.forward(x as unknown as Tensor2D)];
      while (weights.length < out.length) weights.push(tf.keep(tf.randomNormal(out[weights.length]!.shape, 0, 1, 'float32', seed + 1 + weights.length)));
      return out;
    };
    blocks.forEach((b) => (b.fusion = 'auto'));
    const notFused = blocks.filter((b) => !b.fused);
    if (notFused.length === blocks.length) {
      const why = blocks.map((b) => fusionBlocker(b) ?? 'its fused flag is false').join('; ');
      throw new ConformanceError(`${label}: no block fuses under fusion 'auto' (${why})`);
    }
    const mode = stencilRelaxPath(blocks.find((b) => b.fused)!.activation.stencilActivation).mode;
    const fused = record(states, weights);
    blocks.forEach((b) => (b.fusion = 'off'));
    const unfused = record(states, weights);
    return compareRuns(label, fused, unfused, mode);
  } finally {
    blocks.forEach((b, i) => (b.fusion = saved[i]!));
    tf.dispose(weights);
    x.dispose();
  }
}
