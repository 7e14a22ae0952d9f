import { ErrorCodes, ShapeError, ValidationError, describeValue, withPluginContext } from '../errors/errors.js';
import { resolveField, type FieldInfo } from '../plugins/field.js';
import type { KernelInstance, ModelRecording, ModelView, PdeBlockView, StageView } from '../plugins/types.js';
import { globalRegistry, type Registry } from '../registry/registry.js';
import { tf, type Tensor, type Tensor2D, type Variable } from '../tensor/tf.js';
import { normalizeModelSpec, type ModelSpec, type NormalizedModelSpec } from './spec.js';

/** Options of {@link NeuralPde.create}. */
export interface CreateModelOptions {
  /** Where plugin ids are resolved (default: {@link globalRegistry}). */
  readonly registry?: Registry;
  /** Path of the spec inside a larger document (e.g. `model` in a training config), prefixed to error paths. */
  readonly path?: string;
}

/** Input accepted by {@link NeuralPde.predict}: a tensor or nested arrays. */
export type FieldInput = Tensor | number[] | number[][] | number[][][] | number[][][][] | number[][][][][];

/** The per-sample shape of a field as an array, channels last when there is more than one real channel. */
function sampleShape(f: FieldInfo): number[] {
  return [...f.shape, ...(f.realChannels > 1 ? [f.realChannels] : [])];
}

/** The qualified name of a stage's parameter: `<stage>/<local>`, or `<local>` for the unnamed stage. */
function qualified(stage: string, local: string): string {
  return stage === '' ? local : `${stage}/${local}`;
}

/**
 * A neural PDE model: a chain of **stages** (a relaxation block, channel
 * mixing, pooling, a readout, a recurrence, …), each a plugin resolved through
 * the registry and each receiving the previous one's output geometry. A
 * one-block spec (`{ field, layers, kernel, activation, … }`) is a model of
 * one `pde` stage: `layers` steps of dz/dt = −γ (z − f(W z − b)), advanced by
 * an integrator with ω = γ·dt from z₀ = x; with the Euler integrator and ω = 1
 * it is exactly an MLP of `layers` layers.
 *
 * States are `[batch, size]` tensors, sites row-major and channels last.
 *
 * @example
 * ```ts
 * const model = NeuralPde.create({
 *   input: { shape: [16, 16] },
 *   stages: [
 *     { id: '@npde/stages/mix', options: { channels: 4 } },
 *     { id: '@npde/stages/pde', options: { layers: 2, omega: 0.5, activation: '@npde/activations/tanh',
 *       kernel: { id: '@npde/kernels/adr', options: { family: 'homogeneous' } } } },
 *     { id: '@npde/stages/readout', options: { outputs: 3, average: true } },
 *   ],
 * }, { registry });
 * const logits = model.predict(images);   // [batch, 3]
 * ```
 */
export class NeuralPde implements ModelView {
  /** The spec in its composite form, defaults filled in (what {@link saveModel} writes). */
  readonly spec: NormalizedModelSpec;
  /** Geometry of one input sample. */
  readonly input: FieldInfo;
  /** Geometry of one output sample (for a classifier, `output.size` classes). */
  readonly output: FieldInfo;
  /** The stages in order. */
  readonly stages: readonly StageView[];
  private readonly params: Record<string, Variable>;
  private disposed = false;

  private constructor(spec: NormalizedModelSpec, registry: Registry, optionPaths: readonly string[], prefix: string) {
    this.spec = spec;
    this.input = resolveField(spec.input, prefix ? `${prefix}.input` : 'input');
    const stages: StageView[] = [];
    const params: Record<string, Variable> = {};
    let input = this.input;
    try {
      spec.stages.forEach((s, i) => {
        const path = optionPaths[i]!;
        // The stage's own path (`stages[1]`): resolve() reports `stages[1].id` and `stages[1].options…` under it.
        const stagePath = path === prefix ? (prefix ? `${prefix}.stages[${i}]` : `stages[${i}]`) : path.replace(/\.options$/, '');
        const { plugin, options } = registry.resolve('stage', { id: s.id, options: s.options }, stagePath);
        const instance = withPluginContext(plugin.id, 'create', () =>
          plugin.create({ options, input, seed: spec.seed * 1009 + i, registry, path }),
        );
        stages.push({ id: plugin.id, name: s.name, input, output: instance.output, instance });
        for (const [k, p] of Object.entries(instance.params)) params[qualified(s.name, k)] = p;
        input = instance.output;
      });
    } catch (err) {
      stages.forEach((s) => s.instance.dispose());
      throw err;
    }
    this.stages = stages;
    this.output = input;
    this.params = params;
  }

  /**
   * Build a model from a spec (composite or one-block): validates it (errors
   * name the path, e.g. `stages[1].options.kernel.options.dx`), resolves every
   * plugin id through the registry, and creates the parameters.
   */
  static create(spec: ModelSpec, options: CreateModelOptions = {}): NeuralPde {
    const prefix = options.path ?? '';
    const registry = options.registry ?? globalRegistry();
    const { spec: normalized, optionPaths } = normalizeModelSpec(spec, registry, prefix);
    return new NeuralPde(normalized, registry, optionPaths, prefix);
  }

  /** Plugin ids in use: each stage's id under its name (`stage` for the unnamed one), and each block part's as `<name>.kernel`, …. */
  get pluginIds(): Readonly<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const s of this.stages) {
      out[s.name === '' ? 'stage' : s.name] = s.id;
      const ids = s.instance.pde?.pluginIds;
      if (ids) for (const [role, id] of Object.entries(ids)) out[s.name === '' ? role : `${s.name}.${role}`] = id;
    }
    return out;
  }

  /** Every relaxation block of the model (stages that are or contain one), in order. */
  get blocks(): PdeBlockView[] {
    return this.stages.flatMap((s) => (s.instance.pde ? [s.instance.pde] : []));
  }

  /** The model's first relaxation block; throws when it has none. */
  get pde(): PdeBlockView {
    const b = this.blocks[0];
    if (!b) {
      throw new ValidationError(ErrorCodes.INVALID_SPEC, 'the model has no relaxation (pde) stage', {
        path: 'stages',
        expected: 'at least one pde stage',
        received: this.stages.map((s) => s.id).join(', '),
      });
    }
    return b;
  }

  /** Geometry of the input (the field of a one-block model). */
  get field(): FieldInfo {
    return this.input;
  }

  /** The first block's kernel (a one-block model's W). */
  get kernel(): KernelInstance {
    return this.pde.kernel;
  }

  /** Number of relaxation steps of the first block. */
  get layers(): number {
    return this.pde.layers;
  }

  /** The current ω of the first block. */
  get omega(): number {
    return this.pde.omega();
  }

  /**
   * `auto` (default): blocks fuse their steps where their parts allow; `off`:
   * every block composes kernel, activation and integrator op by op. Setting
   * it sets every block; reading it gives `auto` unless a block is `off`.
   */
  get fusion(): 'auto' | 'off' {
    return this.blocks.some((b) => b.fusion === 'off') ? 'off' : 'auto';
  }
  /** Sets `fusion` on every block at once; a block whose parts cannot fuse stays unfused under `auto` (see {@link NeuralPde.fused}). */
  set fusion(mode: 'auto' | 'off') {
    for (const b of this.blocks) b.fusion = mode;
  }

  /** Whether every block of the model currently runs fused (false without blocks). */
  get fused(): boolean {
    const b = this.blocks;
    return b.length > 0 && b.every((x) => x.fused);
  }

  /** Every parameter by qualified name (`<stage>/kernel/U`; a one-block model: `kernel/U`, `bias`, `omega`). */
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

  private toLayout(x: FieldInput, f: FieldInfo, path: string, what: string): Tensor2D {
    const t = x instanceof tf.Tensor ? x : tf.tensor(x as number[][]);
    try {
      const s = t.shape;
      const shape = sampleShape(f);
      const ok =
        s.length >= 2 &&
        ((s.length === 2 && s[1] === f.size) || (s.length === shape.length + 1 && shape.every((d, i) => s[i + 1] === d)));
      if (!ok) {
        throw new ShapeError(ErrorCodes.SHAPE_MISMATCH, `${what} does not match the model`, {
          path,
          expected: `[batch, ${f.size}] or [batch, ${shape.join(', ')}]`,
          received: `[${s.join(', ')}]`,
          hint: `The first axis is the batch; the rest must match the model's ${what === 'input' ? 'input field' : 'output'} (and channels).`,
        });
      }
      if (t.dtype !== 'float32') {
        throw new ShapeError(ErrorCodes.SHAPE_MISMATCH, `${what} must be float32`, { path, expected: 'float32', received: t.dtype });
      }
      return t.reshape([s[0]!, f.size]) as Tensor2D;
    } finally {
      if (t !== x) t.dispose();
    }
  }

  /**
   * Bring an input to the internal layout `[batch, inputSize]`. Accepts
   * `[batch, inputSize]`, `[batch, ...shape]` (one real channel) or
   * `[batch, ...shape, realChannels]`. Throws {@link ShapeError} otherwise.
   */
  toState(x: FieldInput, path = 'x'): Tensor2D {
    return this.toLayout(x, this.input, path, 'input');
  }

  /** Bring regression targets to `[batch, outputSize]` (same rules as {@link NeuralPde.toState}, for the output). */
  toTarget(y: FieldInput, path = 'y'): Tensor2D {
    return this.toLayout(y, this.output, path, 'target');
  }

  private runStages(x: Tensor2D, record?: ModelRecording['stages'][number][]): Tensor2D {
    this.assertAlive();
    let z = x;
    for (const s of this.stages) {
      const layers: ModelRecording['stages'][number]['layers'][number][] = [];
      const input = z;
      z = withPluginContext(s.id, 'forward', () =>
        s.instance.forward(input, record ? { training: true, record: (step) => layers.push(step) } : { training: true }),
      );
      record?.push({ input, layers });
    }
    return z;
  }

  /** Output `[batch, outputSize]` for a state batch `[batch, inputSize]` (differentiable; no tidy). */
  forward(x: Tensor2D): Tensor2D {
    return this.runStages(x);
  }

  /** Forward pass, unfused, keeping each stage's input and each relaxation step's input and pre-activation. Call inside `tf.tidy`. */
  record(x: Tensor2D): ModelRecording {
    const stages: ModelRecording['stages'][number][] = [];
    const output = this.runStages(x, stages);
    return { output, stages };
  }

  /**
   * The output for input `x`: for a tensor or nested array of shape
   * `[batch, ...input shape]`, a tensor `[batch, ...output shape]` (the output
   * field's grid shape, channels last when it has several; a readout's
   * `[batch, outputs]`); for `[batch, inputSize]`, `[batch, outputSize]`.
   */
  predict(x: FieldInput): Tensor {
    return tf.tidy(() => {
      const z = this.toState(x);
      const y = this.forward(z);
      const t = x instanceof tf.Tensor ? x : undefined;
      const rank = t ? t.rank : Array.isArray(x) ? depth(x) : 2;
      return rank === 2 ? y : y.reshape([z.shape[0], ...sampleShape(this.output)]);
    });
  }

  /**
   * Every state of the model for input `x`, each `[batch, size]`: the input,
   * then every step of each relaxation block (z₁ … z_L) and the output of
   * every other stage. For a one-block model: z₀ = x, z₁, …, z_L. Caller disposes.
   */
  trajectory(x: FieldInput): Tensor2D[] {
    const z0 = this.toState(x);
    const states = tf.tidy(() => {
      const out: Tensor2D[] = [z0.clone()];
      let z: Tensor2D = z0;
      for (const s of this.stages) {
        const pde = s.instance.pde;
        // A stage that is one block on its own input shows every step; others (a recurrence) show their output.
        if (pde && pde.field === s.input) {
          const run = withPluginContext(s.id, 'forward', () => pde.run(z));
          out.push(...run.slice(1));
          z = run[run.length - 1]!;
        } else {
          z = withPluginContext(s.id, 'forward', () => s.instance.forward(z, { training: false }));
          out.push(z);
        }
      }
      return out;
    });
    z0.dispose();
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
    for (const s of this.stages) s.instance.dispose();
  }

  private assertAlive(): void {
    if (this.disposed) throw new Error('NeuralPde: the model has been disposed');
  }
}

function depth(x: unknown): number {
  let d = 0;
  let v = x;
  while (Array.isArray(v)) {
    d++;
    v = v[0];
  }
  return d;
}
