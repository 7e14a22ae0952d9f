import { withPluginContext } from '../errors/errors.js';
import { fusedRelaxStep, fusionBlocker } from '../ops/stencil-relax/fusion.js';
import { hasFusedStencilTrajectory, stencilRelaxTrajectory } from '../ops/stencil-relax/trajectory.js';
import type { FieldInfo } from '../plugins/field.js';
import type {
  ActivationInstance,
  BlockPluginIds,
  IntegratorInstance,
  KernelInstance,
  LayerRecord,
  PdeBlockView,
  ReservoirInstance,
  StabilityLimit,
  StageContext,
  StageInstance,
  StepContext,
} from '../plugins/types.js';
import type { Registry } from '../registry/registry.js';
import { tf, type Scalar, type Tensor1D, type Tensor2D, type Variable } from '../tensor/tf.js';
import type { BlockSpec } from './spec.js';


/** A block's stability limit ({@link RelaxationBlock.stability}): the smallest over the layers checked. */
export interface BlockStabilityLimit extends StabilityLimit {
  /** The layer whose kernel gives the smallest limit. */
  readonly layer: number;
}

/** What a {@link RelaxationBlock} is built from. */
export interface RelaxationBlockContext {
  /** The block's options (validated against `BlockSpecSchema`). */
  readonly spec: Required<Pick<BlockSpec, 'layers' | 'kernel' | 'activation'>> & BlockSpec;
  /** The field the block evolves. */
  readonly field: FieldInfo;
  /** Where plugin ids are resolved (and the default integrator and reservoir found). */
  readonly registry: Registry;
  /** Seed for the parts' initialization. */
  readonly seed: number;
  /** Path of the block's options in the model spec, for error messages (`''` at the root). */
  readonly path: string;
}

/**
 * A relaxation block: `layers` steps of dz/dt = −γ (z − f(W_l z − b_l)) +
 * reservoir term, advanced by an integrator with ω = γ·dt. Steps run as one
 * fused stencil-relaxation op each when the parts allow
 * ({@link fusionBlocker}) and {@link RelaxationBlock.fusion} is `auto`.
 * The `pde` and `recurrent` stages are built on it.
 */
export class RelaxationBlock implements PdeBlockView {
  /** The field the block evolves. */
  readonly field: FieldInfo;
  /** Number of relaxation steps. */
  readonly layers: number;
  /** The kernel instance (W of every layer). */
  readonly kernel: KernelInstance;
  /** The activation f. */
  readonly activation: ActivationInstance;
  /** The time integrator. */
  readonly integrator: IntegratorInstance;
  /** The normalization reservoir. */
  readonly reservoir: ReservoirInstance;
  /** Plugin ids of the parts. */
  readonly pluginIds: BlockPluginIds;
  /** Every parameter by local name (`kernel/U`, `activation/…`, `bias`, `omega`). */
  readonly params: Readonly<Record<string, Variable>>;
  /** `auto`: fuse steps where the parts allow; `off`: op by op (the reference). */
  fusion: 'auto' | 'off' = 'auto';
  /**
   * The path the last forward pass took: `trajectory` (all steps in one fused
   * kernel call, and one for the backward), `step` (one fused op per step) or
   * `unfused` (op by op); undefined before the first.
   */
  lastPath: 'trajectory' | 'step' | 'unfused' | undefined;
  private readonly omegaVar: Variable;
  private readonly registry: Registry;
  private readonly path: string;
  private readonly biasVar: Variable | undefined;
  private readonly biasMode: 'none' | 'shared' | 'per-layer';

  constructor(ctx: RelaxationBlockContext) {
    const { spec, field, registry, seed } = ctx;
    const at = (p: string) => (ctx.path ? `${ctx.path}.${p}` : p);
    this.field = field;
    this.layers = spec.layers;
    const kernel = registry.resolve('kernel', spec.kernel, at('kernel'));
    const activation = registry.resolve('activation', spec.activation, at('activation'));
    const integrator = registry.resolve('integrator', spec.integrator ?? registry.defaultId('integrator', at('integrator')), at('integrator'));
    const reservoir = registry.resolve('reservoir', spec.reservoir ?? registry.defaultId('reservoir', at('reservoir')), at('reservoir'));
    this.pluginIds = Object.freeze({
      kernel: kernel.plugin.id,
      activation: activation.plugin.id,
      integrator: integrator.plugin.id,
      reservoir: reservoir.plugin.id,
    });
    const part = { field, layers: spec.layers, seed };
    this.kernel = withPluginContext(kernel.plugin.id, 'create', () => kernel.plugin.create({ ...part, options: kernel.options, registry }));
    this.activation = withPluginContext(activation.plugin.id, 'create', () => activation.plugin.create({ ...part, options: activation.options }));
    this.integrator = withPluginContext(integrator.plugin.id, 'create', () => integrator.plugin.create({ ...part, options: integrator.options }));
    this.reservoir = withPluginContext(reservoir.plugin.id, 'create', () => reservoir.plugin.create({ ...part, options: reservoir.options }));
    const omega = typeof spec.omega === 'object' ? spec.omega : { value: spec.omega ?? 1, trainable: false };
    this.omegaVar = tf.tidy(() => tf.variable(tf.scalar(omega.value), omega.trainable ?? false));
    this.biasMode = spec.bias ?? 'none';
    this.biasVar =
      this.biasMode === 'none'
        ? undefined
        : tf.tidy(() => tf.variable(tf.zeros(this.biasMode === 'shared' ? [field.size] : [spec.layers, field.size]), true));
    const params: Record<string, Variable> = {};
    for (const [k, p] of Object.entries(this.kernel.params)) params[`kernel/${k}`] = p;
    for (const [k, p] of Object.entries(this.activation.params ?? {})) params[`activation/${k}`] = p;
    for (const [k, p] of Object.entries(this.integrator.params ?? {})) params[`integrator/${k}`] = p;
    for (const [k, p] of Object.entries(this.reservoir.params)) params[`reservoir/${k}`] = p;
    if (this.biasVar) params['bias'] = this.biasVar;
    params['omega'] = this.omegaVar;
    this.params = params;
    this.registry = registry;
    this.path = ctx.path;
    // The check reads the taps back and scans their spectrum: only worth it when someone listens.
    if (registry.observed) this.checkStability();
  }

  /** The current ω. */
  omega(): number {
    return this.omegaVar.dataSync()[0]!;
  }

  /** ω as a scalar tensor (the variable itself). */
  get omegaTensor(): Scalar {
    return this.omegaVar as unknown as Scalar;
  }

  /** Whether steps currently run fused. */
  get fused(): boolean {
    return this.fusion === 'auto' && fusionBlocker(this) === undefined;
  }

  /**
   * The path the next forward pass without a recorder takes: `trajectory` when the
   * steps fuse and the active backend has the whole-trajectory kernels, `step` when
   * they fuse one op per step, `unfused` otherwise.
   */
  get fusionPath(): 'trajectory' | 'step' | 'unfused' {
    if (!this.fused) return 'unfused';
    if (typeof this.kernel.stencil !== 'function') return 'step'; // channel-stencil kernels: one fused op per step
    return hasFusedStencilTrajectory(tf.getBackend(), this.activation.stencilActivation) ? 'trajectory' : 'step';
  }

  /**
   * z_L for a state batch `[batch, size]` (differentiable; no tidy): the whole
   * trajectory in one fused op when {@link RelaxationBlock.fusionPath} is `trajectory`
   * (a kernel whose stencil is `sameForEveryLayer` gives its taps once, else its L
   * stencils are stacked), else the last state of {@link RelaxationBlock.run}. Sets
   * {@link RelaxationBlock.lastPath}.
   */
  final(x: Tensor2D): Tensor2D {
    if (this.fusionPath !== 'trajectory') return this.run(x).at(-1)!;
    this.lastPath = 'trajectory';
    const first = this.kernel.stencil!(0);
    const taps =
      first.sameForEveryLayer === true || this.layers === 1
        ? first.taps
        : tf.stack([first.taps, ...Array.from({ length: this.layers - 1 }, (_, l) => this.kernel.stencil!(l + 1).taps)]);
    const bias = this.biasVar ?? tf.zeros([this.field.size]);
    const config = { geometry: first.geometry, boundary: first.boundary, activation: this.activation.stencilActivation! };
    return stencilRelaxTrajectory(x, taps, this.omegaTensor, bias, this.layers, config);
  }

  /** b of layer `layer` (`[size]`), or undefined without a bias. */
  bias(layer: number): Tensor1D | undefined {
    if (!this.biasVar) return undefined;
    return (this.biasMode === 'shared' ? this.biasVar : tf.gather(this.biasVar, layer)) as Tensor1D;
  }

  /** The pre-activation `W_l z − b_l` (differentiable). */
  preactivation(z: Tensor2D, layer: number, source?: Tensor2D): Tensor2D {
    let wz = withPluginContext(this.pluginIds.kernel, 'apply', () => this.kernel.apply(z, layer));
    const b = this.bias(layer);
    if (b) wz = tf.sub(wz, b);
    return source ? tf.add(wz, source) : wz;
  }

  private stepContext(z: Tensor2D, previous: Tensor2D | undefined, layer: number, source: Tensor2D | undefined, record?: (s: LayerRecord) => void): StepContext {
    const attractor = (u: Tensor2D): Tensor2D => {
      const pre = this.preactivation(u, layer, source);
      if (record && u === z) record({ layer, input: z, preactivation: pre });
      return withPluginContext(this.pluginIds.activation, 'apply', () => this.activation.apply(pre, layer)) as Tensor2D;
    };
    const reservoirTerm = (u: Tensor2D) => withPluginContext(this.pluginIds.reservoir, 'term', () => this.reservoir.term(u));
    return {
      z,
      previous,
      layer,
      omega: this.omegaTensor,
      attractor,
      reservoirTerm,
      rhs: (u) => {
        const f = tf.sub(attractor(u), u);
        const r = reservoirTerm(u);
        return (r ? tf.add(f, r) : f) as Tensor2D;
      },
      stencil: () => (this.kernel.stencil ? withPluginContext(this.pluginIds.kernel, 'stencil', () => this.kernel.stencil!(layer)) : undefined),
    };
  }

  /**
   * The integrator's stability limit (`IntegratorInstance.stabilityLimit`) for the
   * kernel, the smallest over the layers (layer 0 only when the stencil is the same for
   * every layer; at most 8 evenly spaced layers otherwise), or undefined when the
   * integrator reports none or the kernel has no stencil form.
   */
  stability(): BlockStabilityLimit | undefined {
    const limitOf = this.integrator.stabilityLimit?.bind(this.integrator);
    const stencilOf = this.kernel.stencil?.bind(this.kernel);
    if (!limitOf || !stencilOf) return undefined;
    let worst: BlockStabilityLimit | undefined;
    let sameForAll = false;
    const check = (layer: number): void =>
      tf.tidy(() => {
        const stencil = withPluginContext(this.pluginIds.kernel, 'stencil', () => stencilOf(layer));
        if (layer === 0) sameForAll = stencil.sameForEveryLayer === true;
        const limit = withPluginContext(this.pluginIds.integrator, 'stabilityLimit', () => limitOf(stencil));
        if (!worst || limit.maxOmega < worst.maxOmega) worst = { maxOmega: limit.maxOmega, rule: limit.rule, layer };
      });
    check(0);
    if (!sameForAll) {
      const n = Math.min(this.layers, 8);
      for (let k = 1; k < n; k++) check(Math.round((k * (this.layers - 1)) / (n - 1)));
    }
    return worst;
  }

  /**
   * Compare ω with {@link RelaxationBlock.stability} and emit an `integrator:unstable`
   * event on the block's registry when ω exceeds the limit (the block calls it once when
   * created, if anything subscribes to the registry's events then; call it again after
   * training changed ω or the kernel). Returns the limit.
   */
  checkStability(): BlockStabilityLimit | undefined {
    const limit = this.stability();
    const omega = this.omega();
    if (limit && omega > limit.maxOmega * (1 + 1e-6)) {
      this.registry.emit({ type: 'integrator:unstable', integrator: this.pluginIds.integrator, path: this.path, layer: limit.layer, omega, maxOmega: limit.maxOmega, rule: limit.rule });
    }
    return limit;
  }

  /**
   * One step from `z` (and the state before it, for multistep schemes). A
   * `source` `[batch, size]` is added to the pre-activation (the recurrent
   * stage's input term U x_t); a step with a source or a recorder runs unfused.
   */
  step(z: Tensor2D, previous: Tensor2D | undefined, layer: number, source?: Tensor2D, record?: (s: LayerRecord) => void): Tensor2D {
    if (!source && !record && this.fused) return fusedRelaxStep(this, z, layer, this.omegaTensor, this.bias(layer));
    const next = withPluginContext(this.pluginIds.integrator, 'step', () =>
      this.integrator.step(this.stepContext(z, previous, layer, source, record)),
    );
    return withPluginContext(this.pluginIds.reservoir, 'project', () => this.reservoir.project(next));
  }

  /** Every state z₀ … z_L for a state batch `[batch, size]` (differentiable; no tidy). */
  run(x: Tensor2D, record?: (s: LayerRecord) => void): Tensor2D[] {
    const states: Tensor2D[] = [x];
    this.lastPath = this.fused && !record ? 'step' : 'unfused';
    let previous: Tensor2D | undefined;
    let z = x;
    for (let l = 0; l < this.layers; l++) {
      const next = this.step(z, previous, l, undefined, record);
      previous = z;
      z = next;
      states.push(z);
    }
    return states;
  }

  /** Release every tensor the block holds. */
  dispose(): void {
    this.kernel.dispose();
    this.reservoir.dispose?.();
    for (const [k, p] of Object.entries(this.params)) if (!k.startsWith('kernel/')) p.dispose();
  }
}

/**
 * A stage that is one {@link RelaxationBlock} on its input field (output =
 * input geometry): what `@npde/stages/pde` and the conformance kit's
 * reference pde stage create, from options validated by `BlockSpecSchema`.
 */
export function createRelaxationStage(ctx: StageContext<RelaxationBlockContext['spec']>): StageInstance {
  const block = new RelaxationBlock({ spec: ctx.options, field: ctx.input, registry: ctx.registry, seed: ctx.seed, path: ctx.path });
  return {
    output: ctx.input,
    params: block.params,
    pde: block,
    forward: (x, run) => (run.record ? block.run(x, run.record).at(-1)! : block.final(x)),
    describe: () =>
      `pde: ${block.layers} steps of ${block.pluginIds.kernel} with ${block.pluginIds.activation}, ω = ${block.omega().toPrecision(3)}${block.fused ? ' (fused)' : ''}`,
    dispose: () => block.dispose(),
  };
}
