import type { tf, Scalar, Tensor, Tensor2D, Variable } from '../tensor/tf.js';
import type { Schema } from '../schema/validate.js';
import type { FieldInfo } from './field.js';
import type { StencilActivation, StencilBoundary, StencilGeometry } from '../ops/stencil-relax/config.js';
import type { Registry } from '../registry/registry.js';
import type { KernelMoments } from './moments.js';

/**
 * The seven kinds of plugin npde knows: the five that make up a PDE block
 * (kernel, activation, integrator, reservoir) and train it (optimizer), the
 * tensor backends, and the stages a model is composed of.
 */
export type PluginKind = 'kernel' | 'activation' | 'integrator' | 'reservoir' | 'optimizer' | 'backend' | 'stage';

/**
 * What every plugin has: a namespaced `id` (`<package>/<local name>`, e.g.
 * `@npde/kernels/adr`), a one-line description and an options schema.
 */
export interface PluginBase<K extends PluginKind, O> {
  /** The plugin kind; set by the matching `defineX()` helper. */
  readonly kind: K;
  /** Namespaced id: `<npm package name>/<local name>`. */
  readonly id: string;
  /** One line saying what it is. */
  readonly description: string;
  /** Schema of the options (valibot); its output, defaults applied, is what the plugin receives. */
  readonly options: Schema<O>;
}

/** Any plugin of any kind. */
export type AnyPlugin =
  | KernelFamily<unknown>
  | Activation<unknown>
  | Integrator<unknown>
  | Reservoir<unknown>
  | Optimizer<unknown>
  | Backend<unknown>
  | Stage<unknown>;

/** Map from plugin kind to its interface. */
export interface PluginByKind {
  /** Kernel families: ways of parameterizing W. */
  kernel: KernelFamily<unknown>;
  /** Activations f. */
  activation: Activation<unknown>;
  /** Time integrators. */
  integrator: Integrator<unknown>;
  /** Normalization reservoirs. */
  reservoir: Reservoir<unknown>;
  /** Training methods. */
  optimizer: Optimizer<unknown>;
  /** Tensor backend adapters. */
  backend: Backend<unknown>;
  /** Model stages (pde block, mix, pool, readout, recurrent, ...). */
  stage: Stage<unknown>;
}

/** Named trainable tensors of one plugin instance. Names are local (`U`, `W`); the model prefixes them. */
export type ParamSet = Readonly<Record<string, Variable>>;

// ---------------------------------------------------------------- kernels

/** What a kernel family gets to create its parameters. The field's channels are in `field.realChannels`. */
export interface KernelContext<O> {
  /** Geometry of the field. */
  readonly field: FieldInfo;
  /** Number of relaxation steps (layers) of the model. */
  readonly layers: number;
  /** Validated options. */
  readonly options: O;
  /** Seed for any random initialization (deterministic per model). */
  readonly seed: number;
  /**
   * Where a kernel that wraps another (e.g. `@npde/kernels/quadrature`) resolves
   * the inner kernel's id: the model's registry. Absent when a kernel is created
   * outside a model (tests, the conformance kit); use `globalRegistry()` then.
   */
  readonly registry?: Registry;
}

/** One named physical quantity read from a kernel, per layer and site. */
export interface PhysicalQuantity {
  /** Short symbol, e.g. `U`. */
  readonly name: string;
  /** What it is, e.g. `advection speed`. */
  readonly description: string;
  /** `values[layer][site]`, broadcast to every layer and site even when the parameter is shared. */
  readonly values: readonly (readonly number[])[];
}

/**
 * A created kernel: the parameters of W for every layer, and how to apply it.
 * All methods but {@link KernelInstance.apply} are for analysis and must not be
 * on the training hot path.
 */
export interface KernelInstance {
  /** Trainable parameters. */
  readonly params: ParamSet;
  /** Total number of scalar parameters. */
  readonly paramCount: number;
  /** `W_l z` for a batch `z: [batch, size]` (differentiable; no `tidy` needed inside). */
  apply(z: Tensor2D, layer: number): Tensor2D;
  /**
   * The dense matrix `W_l` of shape `[size, size]`, with `(W z)_i = Σ_j W_ij z_j`. Caller disposes.
   * Optional: a stencil family on a large grid need not offer it (a 256 × 256 field
   * would make a 16 GiB W). Call it through `denseKernel()`, which refuses sizes
   * past a limit with a `TooLargeError` instead of exhausting memory.
   */
  dense?(layer: number): Tensor2D;
  /**
   * Discrete moments `W_α(i) = Σ_j (x_j − x_i)^α W_ij` for every multi-index
   * `|α| ≤ maxOrder` (theory §2), per site, in grid units; per channel pair
   * when the kernel mixes channels. Optional: analysis falls back to the
   * rows of {@link KernelInstance.dense} where the field is small enough.
   */
  moments?(layer: number, maxOrder: number): KernelMoments;
  /** The parameters read as physics (e.g. U, D, R profiles). Optional. */
  physics?(): PhysicalQuantity[];
  /**
   * For banded kernels: layer `layer`'s W as per-site stencil taps (a differentiable
   * function of the parameters), so the model can run the fused stencil-relaxation
   * op (`stencilRelax`) instead of apply + activation + integrator. Optional.
   */
  stencil?(layer: number): KernelStencil;
  /**
   * For 2-D multi-channel kernels whose W is per-channel 5/9-point stencils (shared over
   * sites) plus a channel-mixing matrix: layer `layer`'s W in that form, so the model can
   * run the fused multi-channel op (`channelStencilRelax`). Used only when `stencil` is
   * absent. Optional.
   */
  channelStencil?(layer: number): KernelChannelStencil;
  /** Release the parameters. */
  dispose(): void;
}

/**
 * A 2-D multi-channel kernel's W for one layer: `(W z)[s, c] = Σ_k taps[c, k] z[nb(s, k), c]
 * + Σ_c' mixing[c, c'] z[s, c']`, with the tap order of `STENCIL_OFFSETS_2D` (see
 * `docs/design/stencil-relax.md`, "Multi-channel 2-D step").
 */
export interface KernelChannelStencil {
  /** `[channels, points]` per-channel taps (differentiable in the kernel's parameters). */
  readonly taps: Tensor2D;
  /** `[channels, channels]` channel mixing, entries `[out, in]` (differentiable). */
  readonly mixing: Tensor2D;
  /** Rows of the grid. */
  readonly height: number;
  /** Columns of the grid. */
  readonly width: number;
  /** Channels per site. */
  readonly channels: number;
  /** The 5-point cross or the 9-point square. */
  readonly points: 5 | 9;
  /** Boundary condition. */
  readonly boundary: StencilBoundary;
}

/** A kernel's W for one layer as stencil taps; see `docs/design/stencil-relax.md` for the tap order. */
export interface KernelStencil {
  /** `[sites, K]` taps (differentiable in the kernel's parameters). */
  readonly taps: Tensor2D;
  /** Grid and footprint. */
  readonly geometry: StencilGeometry;
  /** Boundary condition. */
  readonly boundary: StencilBoundary;
  /**
   * `true` when every layer's stencil equals this one (the parameters have no layer
   * axis): a block whose steps all fuse then computes the taps once per forward pass
   * and runs the whole trajectory with them. Left out or `false`: asked per layer.
   */
  readonly sameForEveryLayer?: boolean;
}

/**
 * A kernel family: a way of parameterizing W (dense, ADR stencil, convolution,
 * cluster kernel, ...).
 */
export interface KernelFamily<O = unknown> extends PluginBase<'kernel', O> {
  /** Create parameters for a field and a layer count. Throw `UNSUPPORTED_FIELD` for geometries it cannot handle. */
  create(ctx: KernelContext<O>): KernelInstance;
}

// ---------------------------------------------------------------- activations

/**
 * What activations, integrators and reservoirs get to create an instance: the
 * field of the block they serve, its layer count and a seed, so that a plugin
 * may own trainable parameters (per channel, per layer, ...).
 */
export interface BlockPartContext<O> {
  /** Validated options. */
  readonly options: O;
  /** Geometry of the block's field. */
  readonly field: FieldInfo;
  /** Number of relaxation steps (layers) of the block. */
  readonly layers: number;
  /** Seed for any random initialization (deterministic per model). */
  readonly seed: number;
}

/** A created activation. */
export interface ActivationInstance {
  /** Trainable parameters of f (e.g. a learned slope), or none. */
  readonly params?: ParamSet;
  /** Elementwise (or field-wise) f at step `layer`, differentiable. */
  apply(x: Tensor, layer?: number): Tensor;
  /** Set when f is exactly one of the fused op's built-in activations, so the model may fuse it. */
  readonly stencilActivation?: StencilActivation;
}

/** The nonlinearity f of the relaxation dynamics. */
export interface Activation<O = unknown> extends PluginBase<'activation', O> {
  /** Create the activation for a block's field. */
  create(ctx: BlockPartContext<O>): ActivationInstance;
}

// ---------------------------------------------------------------- reservoirs

/** A created reservoir (normalization). */
export interface ReservoirInstance {
  /** Trainable parameters (usually none). */
  readonly params: ParamSet;
  /** Release any tensors the reservoir holds (parameters are released by the model). */
  dispose?(): void;
  /** True when `term` is always null and `project` the identity (lets the model fuse steps). */
  readonly inert?: boolean;
  /** Extra term added to the right-hand side dz/dt (in units of γ), or `null` for none. */
  term(z: Tensor2D): Tensor2D | null;
  /** Projection applied after each step (hard constraints), or the identity. Returns a tensor the caller owns (return `tf.clone(z)` rather than `z`). */
  project(z: Tensor2D): Tensor2D;
}

/** A normalization reservoir (theory §3): a soft damping term, a hard projection, or nothing. */
export interface Reservoir<O = unknown> extends PluginBase<'reservoir', O> {
  /** Create the reservoir for a block's field. */
  create(ctx: BlockPartContext<O>): ReservoirInstance;
}

// ---------------------------------------------------------------- integrators

/**
 * Everything an integrator sees to advance the state by one step of
 * dz/dt = γ·F(z), F(z) = −(z − f(W_l z − b_l)) + reservoir term, with ω = γ·dt.
 */
export interface StepContext {
  /** Current state `[batch, size]`. */
  readonly z: Tensor2D;
  /** The state one step before `z` (undefined at the first step), for multistep schemes. */
  readonly previous: Tensor2D | undefined;
  /** Index of this step, `0..layers−1`; selects the layer's W and b. */
  readonly layer: number;
  /** ω = γ·dt as a scalar tensor (may be trainable). */
  readonly omega: Scalar;
  /** The local attractor f(W_l z − b_l). */
  attractor(z: Tensor2D): Tensor2D;
  /** The reservoir term at z, or null when there is none. */
  reservoirTerm(z: Tensor2D): Tensor2D | null;
  /** F(z) = −(z − f(W_l z − b_l)) + reservoir term: the whole right-hand side in units of γ. */
  rhs(z: Tensor2D): Tensor2D;
  /**
   * Layer `layer`'s W as stencil taps (differentiable in the kernel's parameters),
   * for schemes that treat part of W implicitly (`@npde/integrators/semi-implicit`).
   * Absent, or returning undefined, when the kernel has no stencil form (dense kernels).
   */
  stencil?(): KernelStencil | undefined;
}

/**
 * An integrator's stability limit for one layer's kernel: the largest ω = γ·dt at
 * which the scheme, applied to the dynamics linearized with f′ = 1, amplifies no
 * decaying Fourier mode (|R(ωλ)| ≤ 1 for every eigenvalue λ with Re λ ≤ 0; modes the
 * exact dynamics grows are left out).
 */
export interface StabilityLimit {
  /** Largest stable ω: `Infinity` when every ω is stable, `0` when none is. */
  readonly maxOmega: number;
  /** The rule in words, e.g. `explicit diffusion: ω·D/Δ² ≤ 1/2`. */
  readonly rule: string;
}

/** A created integrator. */
export interface IntegratorInstance {
  /** Trainable parameters of the scheme (e.g. a learned step weight), or none. */
  readonly params?: ParamSet;
  /** Number of right-hand-side evaluations per step (for cost reports). */
  readonly evaluationsPerStep: number;
  /**
   * `'euler'` when `step` is exactly z ← (1 − ω) z + ω (attractor(z) + reservoir term):
   * the model may then run a whole step as one fused stencil-relaxation op.
   */
  readonly relaxation?: 'euler';
  /** Advance the state by one step; must be differentiable. */
  step(ctx: StepContext): Tensor2D;
  /**
   * The scheme's stability limit for a kernel given as stencil taps (a frozen-coefficient
   * von Neumann bound). Optional; the relaxation block uses it to emit an
   * `integrator:unstable` registry event when its ω exceeds the limit.
   */
  stabilityLimit?(stencil: KernelStencil): StabilityLimit;
}

/** A time-integration scheme for the relaxation dynamics. */
export interface Integrator<O = unknown> extends PluginBase<'integrator', O> {
  /** Create the integrator for a block's field. */
  create(ctx: BlockPartContext<O>): IntegratorInstance;
}

// ---------------------------------------------------------------- optimizers

/**
 * One optimization problem, posed afresh for every batch. Closures evaluate the
 * loss at the current values of `variables`, so optimizers that are not plain
 * gradient steps (L-BFGS line searches, closed-form solves) can use them freely.
 */
export interface OptimizationProblem {
  /** The trainable variables, in a fixed order. */
  readonly variables: readonly Variable[];
  /** Loss at the current variables (forward only). Caller disposes. */
  loss(): Scalar;
  /** Loss and its gradient with respect to each variable (same order). Caller disposes. */
  lossAndGrads(): {
    /** The loss at the current variables. */
    loss: Scalar;
    /** d loss / d variable, one tensor per entry of `variables`, same order. */
    grads: Tensor[];
  };
  /**
   * The batch's loss as a function of the model's prediction for `batch.x`
   * (differentiable in the prediction; allocates freely, the caller tidies).
   * Optional: the trainer sets it; optimizers that run the model themselves
   * (checkpointed adjoint gradients, on-the-fly training) need it.
   */
  objective?(prediction: Tensor2D): Scalar;
  /** The batch being fitted. */
  readonly batch: {
    /** Inputs `[batch, inputSize]`. */
    readonly x: Tensor2D;
    /** Targets: `[batch, outputSize]`, or int32 class labels `[batch]` for a cross-entropy loss. */
    readonly y: Tensor;
  };
  /**
   * The model being trained, as a typed view (stages, their fields and
   * parameters, and a recording forward pass that yields each stage's input
   * and each layer's pre-activation, what pseudoinverse learning needs).
   */
  readonly model: ModelView;
  /** 0-based global step count. */
  readonly iteration: number;
}

/** A created optimizer with its state. */
export interface OptimizerInstance {
  /**
   * Take one step. Returns the loss at the variables *before* the step (as a
   * number), which is what the trainer reports.
   */
  step(problem: OptimizationProblem): number | Promise<number>;
  /** Current learning rate, if the method has one (for progress reports). */
  learningRate?(): number;
  /**
   * The optimizer's state (moments, step counts, ...) as named tensors, for
   * checkpoints; `variables` are the trainable variables in problem order, so
   * state can be keyed by position. Caller disposes the returned tensors.
   */
  getState?(variables: readonly Variable[]): Record<string, Tensor>;
  /** Restore state written by {@link OptimizerInstance.getState} (resume from a checkpoint). */
  setState?(variables: readonly Variable[], state: Readonly<Record<string, Tensor>>): void;
  /** Release optimizer state. */
  dispose(): void;
}

/** A training method: gradient steps, quasi-Newton, or closed-form. */
export interface Optimizer<O = unknown> extends PluginBase<'optimizer', O> {
  /** Create the optimizer for validated options. */
  create(ctx: { readonly options: O }): OptimizerInstance;
}

// ---------------------------------------------------------------- backends

/** Whether a backend can run here, and if not, why. */
export interface BackendAvailability {
  /** True when {@link Backend.setup} is expected to succeed. */
  readonly available: boolean;
  /** Why not (missing package, no GPU, ...), with what to install. */
  readonly reason?: string;
}

/**
 * A tensor backend adapter: a lazy async factory, as in tfjs's
 * `registerBackend(name, factory, priority)`.
 */
export interface Backend<O = unknown> extends PluginBase<'backend', O> {
  /** The tfjs backend name it provides (`wasm`, `cpu`, `tensorflow`). */
  readonly name: string;
  /** Other names users may ask for it by (e.g. `cuda` for tfjs's `tensorflow`). */
  readonly aliases?: readonly string[];
  /** Higher is preferred when no backend is asked for. */
  readonly priority: number;
  /** Load and register the tfjs backend so that `tf.setBackend(name)` works. Throw with a helpful message when it cannot. */
  setup(options: O): Promise<void>;
  /** Cheap check for `npde doctor`-style reports, without initializing. */
  probe?(): Promise<BackendAvailability>;
}

// ---------------------------------------------------------------- stages

/** What a stage gets to create itself. */
export interface StageContext<O> {
  /** Validated options. */
  readonly options: O;
  /** Geometry of one sample of the stage's input (the previous stage's output). */
  readonly input: FieldInfo;
  /** Seed for any random initialization (deterministic per model and stage). */
  readonly seed: number;
  /** Where nested plugin ids (a pde stage's kernel, activation, ...) are resolved. */
  readonly registry: Registry;
  /** Path of the stage's options in the model spec (e.g. `stages[1].options`), for error messages. */
  readonly path: string;
}

/** One relaxation step recorded by a recording forward pass ({@link ModelView.record}). */
export interface LayerRecord {
  /** Step index within its stage, `0..layers−1`. */
  readonly layer: number;
  /** The state entering the step, `z_l`, `[batch, size]`. */
  readonly input: Tensor2D;
  /** The pre-activation `W_l z_l − b_l`, `[batch, size]`. */
  readonly preactivation: Tensor2D;
}

/** How a stage's forward pass is run. */
export interface StageRunContext {
  /** True inside training (a stage may behave differently, e.g. dropout). */
  readonly training: boolean;
  /**
   * When set, the stage must run step by step (unfused) and report each
   * relaxation step. Tensors passed are owned by the caller's `tidy` scope.
   */
  readonly record?: (step: LayerRecord) => void;
}

/**
 * The registry ids a relaxation block resolved its four parts to, after
 * defaults were filled in (so `integrator` and `reservoir` are set even when
 * the spec left them out). These are the ids errors and plugin contexts name.
 */
export interface BlockPluginIds {
  /** Id of the kernel plugin that supplies W (e.g. `@npde/kernels/adr`). */
  readonly kernel: string;
  /** Id of the activation plugin that supplies f. */
  readonly activation: string;
  /** Id of the integrator plugin that advances a step (the registry default when the spec named none). */
  readonly integrator: string;
  /** Id of the reservoir plugin that adds the normalization term and projection (the registry default when the spec named none). */
  readonly reservoir: string;
}

/**
 * A stage read as a relaxation PDE block: its field, kernel and the parts of
 * the dynamics, for analysis (`npde inspect`, moments, physics reports).
 */
export interface PdeBlockView {
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
  /** Plugin ids of the block's parts. */
  readonly pluginIds: BlockPluginIds;
  /** The current ω = γ·dt. */
  omega(): number;
  /** `auto` fuses steps where the parts allow; `off` composes them op by op (the reference). */
  fusion: 'auto' | 'off';
  /** Whether steps currently run through the fused stencil-relaxation op. */
  readonly fused: boolean;
  /**
   * How the next forward pass without a recorder runs the steps: `trajectory` (all L
   * in one fused kernel call, and one for the backward), `step` (one fused op per
   * step) or `unfused` (op by op). Left out by views that do not say.
   */
  readonly fusionPath?: 'trajectory' | 'step' | 'unfused';
  /** The path the last forward pass took (as {@link PdeBlockView.fusionPath}); undefined before the first. */
  readonly lastPath?: 'trajectory' | 'step' | 'unfused' | undefined;
  /** Every state z₀ … z_L for a state batch `[batch, size]` (differentiable; no tidy). */
  run(x: Tensor2D): Tensor2D[];
  /**
   * One step z_l → z_{l+1} of layer `layer` (`previous`: z_{l−1}, undefined at
   * the first step, for multistep integrators); differentiable, no tidy. What
   * memory-bounded (checkpointed) gradients re-run a segment at a time.
   */
  step?(z: Tensor2D, previous: Tensor2D | undefined, layer: number): Tensor2D;
}

/**
 * A created stage: a differentiable map from `[batch, input.size]` to
 * `[batch, output.size]`, with its parameters.
 */
export interface StageInstance {
  /** Geometry of one sample of the stage's output. */
  readonly output: FieldInfo;
  /** Trainable (and fixed) parameters by local name; the model prefixes them with the stage's name. */
  readonly params: ParamSet;
  /** The stage's map (differentiable; allocates freely: the caller tidies). */
  forward(x: Tensor2D, run: StageRunContext): Tensor2D;
  /** Set when the stage is (or contains) a relaxation PDE block, for analysis. */
  readonly pde?: PdeBlockView;
  /** One line describing the stage (`npde inspect`), e.g. `mix 1 → 8 channels`. */
  describe?(): string;
  /** Release every tensor the stage holds. */
  dispose(): void;
}

/**
 * A model stage: one step of a composite model (a pde block, channel mixing,
 * pooling, a readout, a recurrence, ...). The model chains stages, each
 * receiving the previous one's output geometry.
 */
export interface Stage<O = unknown> extends PluginBase<'stage', O> {
  /** Create the stage for its input geometry. Throw `UnsupportedFieldError` for inputs it cannot take. */
  create(ctx: StageContext<O>): StageInstance;
}

/** One stage of a model as {@link ModelView} shows it. */
export interface StageView {
  /** The stage plugin's id. */
  readonly id: string;
  /** The stage's name (prefix of its parameters' names). */
  readonly name: string;
  /** Input geometry. */
  readonly input: FieldInfo;
  /** Output geometry. */
  readonly output: FieldInfo;
  /** The created stage. */
  readonly instance: StageInstance;
}

/** What a recording forward pass returns ({@link ModelView.record}). */
export interface ModelRecording {
  /** The model's output `[batch, outputSize]`. */
  readonly output: Tensor2D;
  /** Per stage, in order: its input and each relaxation step it ran. */
  readonly stages: readonly {
    /** The stage's input `[batch, input.size]`. */
    readonly input: Tensor2D;
    /** Each relaxation step (empty for stages without one). */
    readonly layers: readonly LayerRecord[];
  }[];
}

/** The typed view of a model that optimizers and analysis receive. */
export interface ModelView {
  /** The stages in order. */
  readonly stages: readonly StageView[];
  /** Geometry of one input sample. */
  readonly input: FieldInfo;
  /** Geometry of one output sample. */
  readonly output: FieldInfo;
  /** Every parameter by qualified name (`<stage>/<local>`). */
  readonly parameters: Readonly<Record<string, Variable>>;
  /** The trainable variables, in the order optimizers see them. */
  readonly trainableVariables: readonly Variable[];
  /** Differentiable forward pass of a state batch `[batch, inputSize]` → `[batch, outputSize]`. */
  forward(x: Tensor2D): Tensor2D;
  /**
   * Forward pass that runs every step unfused and keeps each stage's input and
   * each layer's input and pre-activation. Call inside `tf.tidy`.
   */
  record(x: Tensor2D): ModelRecording;
}

/** Re-exported for plugin authors' convenience. */
export type { tf, Tensor };
