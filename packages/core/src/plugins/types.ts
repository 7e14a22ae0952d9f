import type { tf, Scalar, Tensor, Tensor2D, Variable } from '../tensor/tf.js';
import type { Schema } from '../schema/validate.js';
import type { FieldInfo } from './field.js';
import type { StencilActivation, StencilBoundary, StencilGeometry } from '../ops/stencil-relax/config.js';

/** The six kinds of plugin npde knows. */
export type PluginKind = 'kernel' | 'activation' | 'integrator' | 'reservoir' | 'optimizer' | 'backend';

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
  | Backend<unknown>;

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
}

/** Named trainable tensors of one plugin instance. Names are local (`U`, `W`); the model prefixes them. */
export type ParamSet = Readonly<Record<string, Variable>>;

// ---------------------------------------------------------------- kernels

/** What a kernel family gets to create its parameters. */
export interface KernelContext<O> {
  /** Geometry of the field. */
  readonly field: FieldInfo;
  /** Number of relaxation steps (layers) of the model. */
  readonly layers: number;
  /** Validated options. */
  readonly options: O;
  /** Seed for any random initialization (deterministic per model). */
  readonly seed: number;
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
  /** The dense matrix `W_l` of shape `[size, size]`, with `(W z)_i = Σ_j W_ij z_j`. Caller disposes. */
  dense(layer: number): Tensor2D;
  /**
   * Discrete moments `W_k(i) = Σ_j (j − i)^k W_ij` for `k = 0..maxOrder` (theory §2),
   * `result[k][site]`, in grid units. Optional: analysis falls back to {@link KernelInstance.dense}.
   */
  moments?(layer: number, maxOrder: number): number[][];
  /** The parameters read as physics (e.g. U, D, R profiles). Optional. */
  physics?(): PhysicalQuantity[];
  /**
   * For banded kernels: layer `layer`'s W as per-site stencil taps (a differentiable
   * function of the parameters), so the model can run the fused stencil-relaxation
   * op (`stencilRelax`) instead of apply + activation + integrator. Optional.
   */
  stencil?(layer: number): KernelStencil;
  /** Release the parameters. */
  dispose(): void;
}

/** A kernel's W for one layer as stencil taps; see `docs/design/stencil-relax.md` for the tap order. */
export interface KernelStencil {
  /** `[sites, K]` taps (differentiable in the kernel's parameters). */
  readonly taps: Tensor2D;
  /** Grid and footprint. */
  readonly geometry: StencilGeometry;
  /** Boundary condition. */
  readonly boundary: StencilBoundary;
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

/** A created activation. */
export interface ActivationInstance {
  /** Elementwise (or field-wise) f, differentiable. */
  apply(x: Tensor): Tensor;
  /** Set when f is exactly one of the fused op's built-in activations, so the model may fuse it. */
  readonly stencilActivation?: StencilActivation;
}

/** The nonlinearity f of the relaxation dynamics. */
export interface Activation<O = unknown> extends PluginBase<'activation', O> {
  /** Create the activation for validated options. */
  create(ctx: { readonly options: O }): ActivationInstance;
}

// ---------------------------------------------------------------- reservoirs

/** A created reservoir (normalization). */
export interface ReservoirInstance {
  /** Trainable parameters (usually none). */
  readonly params: ParamSet;
  /** True when `term` is always null and `project` the identity (lets the model fuse steps). */
  readonly inert?: boolean;
  /** Extra term added to the right-hand side dz/dt (in units of γ), or `null` for none. */
  term(z: Tensor2D): Tensor2D | null;
  /** Projection applied after each step (hard constraints), or the identity. Returns a tensor the caller owns (return `tf.clone(z)` rather than `z`). */
  project(z: Tensor2D): Tensor2D;
}

/** A normalization reservoir (theory §3): a soft damping term, a hard projection, or nothing. */
export interface Reservoir<O = unknown> extends PluginBase<'reservoir', O> {
  /** Create the reservoir for a field. */
  create(ctx: { readonly options: O; readonly field: FieldInfo }): ReservoirInstance;
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
}

/** A created integrator. */
export interface IntegratorInstance {
  /** Number of right-hand-side evaluations per step (for cost reports). */
  readonly evaluationsPerStep: number;
  /**
   * `'euler'` when `step` is exactly z ← (1 − ω) z + ω (attractor(z) + reservoir term):
   * the model may then run a whole step as one fused stencil-relaxation op.
   */
  readonly relaxation?: 'euler';
  /** Advance the state by one step; must be differentiable. */
  step(ctx: StepContext): Tensor2D;
}

/** A time-integration scheme for the relaxation dynamics. */
export interface Integrator<O = unknown> extends PluginBase<'integrator', O> {
  /** Create the integrator. */
  create(ctx: { readonly options: O }): IntegratorInstance;
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
  /** The batch being fitted (`[batch, size]` each). */
  readonly batch: {
    /** Inputs `[batch, size]`. */
    readonly x: Tensor2D;
    /** Targets `[batch, size]`. */
    readonly y: Tensor2D;
  };
  /** The model being trained (for optimizers that need its structure, e.g. pseudoinverse learning). */
  readonly model: unknown;
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

/** Re-exported for plugin authors' convenience. */
export type { tf, Tensor };
