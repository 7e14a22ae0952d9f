import { ErrorCodes, ShapeError, ValidationError, describeValue, withPluginContext } from '../errors/errors.js';
import { resolveField, type FieldInfo } from '../plugins/field.js';
import type {
  ActivationInstance,
  IntegratorInstance,
  KernelInstance,
  ReservoirInstance,
  StepContext,
} from '../plugins/types.js';
import { globalRegistry, type Registry } from '../registry/registry.js';
import { validate } from '../schema/validate.js';
import { tf, type Scalar, type Tensor, type Tensor2D, type Variable } from '../tensor/tf.js';
import { ModelSpecSchema, type ModelSpec, type NormalizedModelSpec } from './spec.js';
import { stencilRelax } from '../ops/stencil-relax/stencil-relax.js';

/** Options of {@link NeuralPde.create}. */
export interface CreateModelOptions {
  /** Where plugin ids are resolved (default: {@link globalRegistry}). */
  readonly registry?: Registry;
  /** Path of the spec inside a larger document (e.g. `model` in a training config), prefixed to error paths. */
  readonly path?: string;
}

/** Input accepted by {@link NeuralPde.predict}: a tensor or nested arrays. */
export type FieldInput = Tensor | number[][] | number[][][] | number[][][][] | number[][][][][];

let modelCounter = 0;

/**
 * A neural PDE: `layers` steps of the relaxation dynamics
 * dz/dt = −γ (z − f(W z − b)) + reservoir term, advanced by an integrator with
 * ω = γ·dt, from z₀ = x. With the Euler integrator and ω = 1 this is exactly an
 * MLP with `layers` layers of width `field.size`.
 *
 * @example
 * ```ts
 * const model = NeuralPde.create({
 *   field: { shape: [64] }, layers: 8, omega: 0.5,
 *   kernel: { id: '@npde/kernels/adr', options: { family: 'heterogeneous' } },
 *   activation: '@npde/activations/tanh',
 * }, { registry });
 * const y = model.predict(x);          // same shape as x
 * const states = model.trajectory(x);  // layers + 1 tensors
 * ```
 */
export class NeuralPde {
  /** The spec, defaults filled in (what {@link saveModel} writes). */
  readonly spec: NormalizedModelSpec;
  /** Resolved field geometry. */
  readonly field: FieldInfo;
  /** The kernel instance (W of every layer). */
  readonly kernel: KernelInstance;
  /** The activation f. */
  readonly activation: ActivationInstance;
  /** The time integrator. */
  readonly integrator: IntegratorInstance;
  /** The normalization reservoir. */
  readonly reservoir: ReservoirInstance;
  /** Plugin ids in use, for error messages and reports. */
  readonly pluginIds: {
    /** Id of the kernel family. */
    kernel: string;
    /** Id of the activation. */
    activation: string;
    /** Id of the integrator. */
    integrator: string;
    /** Id of the reservoir. */
    reservoir: string;
  };
  private readonly omegaVar: Variable;
  private readonly biasVar: Variable | undefined;
  private readonly params: Record<string, Variable>;
  private disposed = false;
  /**
   * `auto` (default): run each step as one fused stencil-relaxation op
   * ({@link stencilRelax}) when the kernel has a stencil form, the activation is a
   * built-in one, the integrator is the Euler relaxation and the reservoir is inert;
   * `off`: always compose kernel, activation and integrator op by op (the reference).
   */
  fusion: 'auto' | 'off' = 'auto';

  private constructor(spec: NormalizedModelSpec, registry: Registry, prefix: string) {
    const at = (p: string) => (prefix ? `${prefix}.${p}` : p);
    this.spec = spec;
    this.field = resolveField(spec.field, at('field'));
    const layers = spec.layers;
    const kernel = registry.resolve('kernel', spec.kernel, at('kernel'));
    const activation = registry.resolve('activation', spec.activation, at('activation'));
    const integrator = registry.resolve('integrator', spec.integrator, at('integrator'));
    const reservoir = registry.resolve('reservoir', spec.reservoir, at('reservoir'));
    this.pluginIds = {
      kernel: kernel.plugin.id,
      activation: activation.plugin.id,
      integrator: integrator.plugin.id,
      reservoir: reservoir.plugin.id,
    };
    const uid = ++modelCounter;
    this.kernel = withPluginContext(kernel.plugin.id, 'create', () =>
      kernel.plugin.create({ field: this.field, layers, options: kernel.options, seed: spec.seed }),
    );
    this.activation = withPluginContext(activation.plugin.id, 'create', () => activation.plugin.create({ options: activation.options }));
    this.integrator = withPluginContext(integrator.plugin.id, 'create', () => integrator.plugin.create({ options: integrator.options }));
    this.reservoir = withPluginContext(reservoir.plugin.id, 'create', () =>
      reservoir.plugin.create({ options: reservoir.options, field: this.field }),
    );
    const omega = typeof spec.omega === 'number' ? { value: spec.omega, trainable: false } : spec.omega;
    this.omegaVar = tf.tidy(() => tf.variable(tf.scalar(omega.value), omega.trainable ?? false, `npde${uid}/omega`));
    this.biasVar =
      spec.bias === 'none'
        ? undefined
        : tf.tidy(() =>
            tf.variable(tf.zeros(spec.bias === 'shared' ? [this.field.size] : [layers, this.field.size]), true, `npde${uid}/bias`),
          );
    const params: Record<string, Variable> = {};
    for (const [k, p] of Object.entries(this.kernel.params)) params[`kernel/${k}`] = p;
    for (const [k, p] of Object.entries(this.reservoir.params)) params[`reservoir/${k}`] = p;
    if (this.biasVar) params['bias'] = this.biasVar;
    params['omega'] = this.omegaVar;
    this.params = params;
  }

  /**
   * Build a model from a spec: validates it (errors name the path, e.g.
   * `kernel.options.dx`), resolves every plugin id through the registry, and
   * creates the parameters.
   */
  static create(spec: ModelSpec, options: CreateModelOptions = {}): NeuralPde {
    const prefix = options.path ?? '';
    const normalized = validate(ModelSpecSchema, spec, { what: 'model spec', code: ErrorCodes.INVALID_SPEC, path: prefix }) as NormalizedModelSpec;
    return new NeuralPde(normalized, options.registry ?? globalRegistry(), prefix);
  }

  /** Number of relaxation steps. */
  get layers(): number {
    return this.spec.layers;
  }

  /** Every parameter by name (`kernel/U`, `bias`, `omega`, ...), trainable or not. */
  get parameters(): Readonly<Record<string, Variable>> {
    return this.params;
  }

  /** The trainable variables, in a stable order (sorted by name). */
  get trainableVariables(): Variable[] {
    return Object.keys(this.params)
      .sort()
      .map((k) => this.params[k]!)
      .filter((p) => p.trainable);
  }

  /** Number of trainable scalar parameters. */
  get paramCount(): number {
    return this.trainableVariables.reduce((n, p) => n + p.size, 0);
  }

  /** The current ω. */
  get omega(): number {
    return this.omegaVar.dataSync()[0]!;
  }

  /**
   * Bring an input to the internal layout `[batch, size]`. Accepts
   * `[batch, size]`, `[batch, ...shape]` (one real channel) or
   * `[batch, ...shape, realChannels]`. Throws {@link ShapeError} otherwise.
   */
  toState(x: FieldInput, path = 'x'): Tensor2D {
    const t = x instanceof tf.Tensor ? x : tf.tensor(x as number[][]);
    try {
      const s = t.shape;
      const f = this.field;
      const fieldShape = [...f.shape, ...(f.realChannels > 1 ? [f.realChannels] : [])];
      const ok =
        s.length >= 2 &&
        ((s.length === 2 && s[1] === f.size) ||
          (s.length === fieldShape.length + 1 && fieldShape.every((d, i) => s[i + 1] === d)));
      if (!ok) {
        throw new ShapeError(ErrorCodes.SHAPE_MISMATCH, 'input does not match the model field', {
          path,
          expected: `[batch, ${f.size}] or [batch, ${fieldShape.join(', ')}]`,
          received: `[${s.join(', ')}]`,
          hint: 'The first axis is the batch; the rest must match `field.shape` (and channels).',
        });
      }
      if (t.dtype !== 'float32') {
        throw new ShapeError(ErrorCodes.SHAPE_MISMATCH, 'input must be float32', { path, expected: 'float32', received: t.dtype });
      }
      return t.reshape([s[0]!, f.size]) as Tensor2D;
    } finally {
      if (t !== x) t.dispose();
    }
  }

  private stepContext(z: Tensor2D, previous: Tensor2D | undefined, layer: number): StepContext {
    const attractor = (u: Tensor2D): Tensor2D => {
      let wz = this.kernel.apply(u, layer);
      if (this.biasVar) {
        const b = this.spec.bias === 'shared' ? this.biasVar : tf.gather(this.biasVar, layer);
        wz = tf.sub(wz, b);
      }
      return this.activation.apply(wz) as Tensor2D;
    };
    const reservoirTerm = (u: Tensor2D) => this.reservoir.term(u);
    return {
      z,
      previous,
      layer,
      omega: this.omegaVar as unknown as Scalar,
      attractor,
      reservoirTerm,
      rhs: (u) => {
        const f = tf.sub(attractor(u), u);
        const r = reservoirTerm(u);
        return (r ? tf.add(f, r) : f) as Tensor2D;
      },
    };
  }

  /** Whether {@link NeuralPde.run} uses the fused stencil-relaxation op (see {@link NeuralPde.fusion}). */
  get fused(): boolean {
    return (
      this.fusion === 'auto' &&
      this.activation.stencilActivation !== undefined &&
      this.integrator.relaxation === 'euler' &&
      this.reservoir.inert === true &&
      typeof this.kernel.stencil === 'function'
    );
  }

  private fusedStep(z: Tensor2D, layer: number): Tensor2D {
    const { taps, geometry, boundary } = this.kernel.stencil!(layer);
    const bias = this.biasVar
      ? ((this.spec.bias === 'shared' ? this.biasVar : tf.gather(this.biasVar, layer)) as tf.Tensor1D)
      : tf.zeros([this.field.size]) as tf.Tensor1D;
    return stencilRelax(z, taps, this.omegaVar as unknown as Scalar, bias, { geometry, boundary, activation: this.activation.stencilActivation! });
  }

  /**
   * Run the dynamics on a state `[batch, size]`; returns every state
   * z₀ … z_L. Differentiable, allocates freely: call inside `tf.tidy` or
   * `tf.variableGrads`. This is what training differentiates.
   */
  run(x: Tensor2D, keepTrajectory = false): Tensor2D[] {
    this.assertAlive();
    const states: Tensor2D[] = [x];
    let previous: Tensor2D | undefined;
    let z = x;
    const fused = this.fused;
    for (let l = 0; l < this.spec.layers; l++) {
      const next = fused ? this.fusedStep(z, l) : this.reservoir.project(this.integrator.step(this.stepContext(z, previous, l)));
      previous = z;
      z = next;
      if (keepTrajectory) states.push(z);
    }
    return keepTrajectory ? states : [z];
  }

  /** Final state for a state batch `[batch, size]` (differentiable; no tidy). */
  forward(x: Tensor2D): Tensor2D {
    return this.run(x, false)[0]!;
  }

  /** The output for input `x` (same shape as `x`). */
  predict(x: FieldInput): Tensor {
    const shape = x instanceof tf.Tensor ? x.shape : undefined;
    return tf.tidy(() => {
      const z = this.toState(x);
      const y = this.forward(z);
      return shape ? y.reshape(shape) : y;
    });
  }

  /** Every state z₀ = x, z₁, …, z_L, each `[batch, size]`. Caller disposes. */
  trajectory(x: FieldInput): Tensor2D[] {
    const z = this.toState(x);
    const states = tf.tidy(() => this.run(z, true).map((s) => (s === z ? s.clone() : s)));
    z.dispose();
    return states;
  }

  /** Copies of every parameter, by name. Caller disposes. */
  getWeights(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [k, p] of Object.entries(this.params)) out[k] = p.clone();
    return out;
  }

  /**
   * Assign parameters by name (tensors or flat arrays). Unknown names or
   * shape mismatches throw {@link ShapeError}/{@link ValidationError} naming the parameter.
   */
  setWeights(weights: Readonly<Record<string, Tensor | ArrayLike<number>>>, opts: { partial?: boolean } = {}): void {
    for (const name of Object.keys(weights)) {
      if (!(name in this.params)) {
        throw new ValidationError(ErrorCodes.INVALID_SPEC, 'unknown parameter name', {
          path: `weights.${name}`,
          expected: `one of ${Object.keys(this.params).join(', ')}`,
          received: describeValue(name),
        });
      }
    }
    if (!opts.partial) {
      const missing = Object.keys(this.params).filter((k) => !(k in weights));
      if (missing.length) {
        throw new ValidationError(ErrorCodes.INVALID_SPEC, 'missing parameters', {
          path: `weights.${missing[0]}`,
          expected: 'every parameter of the model',
          received: `no value for ${missing.join(', ')}`,
          hint: 'Pass { partial: true } to set only some parameters.',
        });
      }
    }
    for (const [name, value] of Object.entries(weights)) {
      const p = this.params[name]!;
      const isTensor = value instanceof tf.Tensor;
      const size = isTensor ? value.size : value.length;
      if (size !== p.size || (isTensor && value.shape.join() !== p.shape.join())) {
        throw new ShapeError(ErrorCodes.SHAPE_MISMATCH, 'parameter has the wrong shape', {
          path: `weights.${name}`,
          expected: `[${p.shape.join(', ')}] (${p.size} values)`,
          received: isTensor ? `[${value.shape.join(', ')}]` : `${size} values`,
        });
      }
      const t = isTensor ? value : tf.tensor(Array.from(value), p.shape, 'float32');
      try {
        tf.tidy(() => p.assign(t.reshape(p.shape).asType('float32')));
      } finally {
        if (t !== value) t.dispose();
      }
    }
  }

  /** Release every tensor the model holds. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.kernel.dispose();
    for (const [k, p] of Object.entries(this.params)) if (!k.startsWith('kernel/')) p.dispose();
  }

  private assertAlive(): void {
    if (this.disposed) throw new Error('NeuralPde: the model has been disposed');
  }
}
