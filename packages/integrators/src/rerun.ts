import {
  ErrorCodes,
  RelaxationBlock,
  ValidationError,
  globalRegistry,
  tf,
  validate,
  withPluginContext,
  type Integrator,
  type ModelView,
  type Registry,
  type Scalar,
  type StepContext,
  type Tensor2D,
} from '@npde/core';

/** Options of {@link rerunWithIntegrator}. */
export interface RerunOptions {
  /** The integrator to run every relaxation block with: a plugin, or an id resolved in `registry`. */
  readonly integrator: Integrator<unknown> | string;
  /** The integrator's options (validated against its schema); default `{}`. */
  readonly options?: unknown;
  /**
   * Sub-steps per trained layer, a positive integer (default 1): each block runs
   * `refine × layers` steps of ω/refine over the same time ω·layers, layer l's W, b
   * held for the `refine` sub-steps that cover its interval.
   */
  readonly refine?: number;
  /** Where an integrator id is resolved; default `globalRegistry()`. */
  readonly registry?: Registry;
}

function checkRefine(refine: number): void {
  if (!Number.isInteger(refine) || refine < 1) {
    throw new ValidationError(ErrorCodes.INVALID_OPTIONS, 'refine must be a positive integer', {
      path: 'refine',
      expected: 'an integer ≥ 1',
      received: String(refine),
      hint: 'Pass 2 to run at ω/2 with twice the steps, 4 for ω/4.',
    });
  }
}

/** Run one block with another integrator at ω/refine; z_L. */
function runBlock(block: RelaxationBlock, x: Tensor2D, integrator: Integrator<unknown>, options: unknown, refine: number): Tensor2D {
  const inst = withPluginContext(integrator.id, 'create', () =>
    integrator.create({ options, field: block.field, layers: block.layers * refine, seed: 0 }),
  );
  const omega = tf.div(block.omegaTensor, refine) as Scalar;
  let z = x;
  let previous: Tensor2D | undefined;
  for (let layer = 0; layer < block.layers; layer++) {
    const attractor = (u: Tensor2D) => block.activation.apply(block.preactivation(u, layer), layer) as Tensor2D;
    const reservoirTerm = (u: Tensor2D) => block.reservoir.term(u);
    for (let k = 0; k < refine; k++) {
      const ctx: StepContext = {
        z,
        previous,
        layer,
        omega,
        attractor,
        reservoirTerm,
        rhs: (u) => {
          const f = tf.sub(attractor(u), u);
          const r = reservoirTerm(u);
          return (r ? tf.add(f, r) : f) as Tensor2D;
        },
        stencil: () => block.kernel.stencil?.(layer),
      };
      const next = block.reservoir.project(withPluginContext(integrator.id, 'step', () => inst.step(ctx)));
      previous = z;
      z = next;
    }
  }
  return z;
}

/**
 * A trained model's output for `x` `[batch, inputSize]` with every relaxation block
 * run by another integrator, at ω/refine with refine× the steps, its trained
 * parameters unchanged: one call to see whether what the model learned depends on
 * the discretization it was trained with. Stages without a block run as usual; a
 * stage that uses its block otherwise than as a plain pde stage (a recurrent cell)
 * throws a `ValidationError` (`NPDE_INVALID_OPTIONS`). Differentiable; allocates
 * freely: call inside `tf.tidy`.
 *
 * @example
 * ```ts
 * const y = tf.tidy(() => rerunWithIntegrator(model, x, { integrator: rk4, refine: 4 })); // RK4 at ω/4
 * ```
 */
export function rerunWithIntegrator(model: ModelView, x: Tensor2D, opts: RerunOptions): Tensor2D {
  const refine = opts.refine ?? 1;
  checkRefine(refine);
  const integrator = typeof opts.integrator === 'string' ? (opts.registry ?? globalRegistry()).get('integrator', opts.integrator) : opts.integrator;
  const options = validate(integrator.options, opts.options ?? {}, { path: 'options', plugin: integrator.id });
  let z = x;
  model.stages.forEach((s, i) => {
    const block = s.instance.pde;
    if (!block) {
      z = s.instance.forward(z, { training: false });
      return;
    }
    if (!(block instanceof RelaxationBlock) || !s.id.endsWith('/pde')) {
      throw new ValidationError(ErrorCodes.INVALID_OPTIONS, `stage ${i} (${s.id}) runs its relaxation block in its own way and cannot be re-run with another integrator`, {
        path: `stages[${i}]`,
        expected: 'pde stages (and stages without a relaxation block)',
        received: s.id,
        hint: 'Re-run models whose blocks are plain pde stages; a recurrent cell drives its block step by step itself.',
      });
    }
    z = runBlock(block, z, integrator, options, refine);
  });
  return z;
}

/** What {@link observedOrder} measures. */
export interface ObservedOrder {
  /** The refinements run, e.g. `[1, 2, 4]`. */
  readonly refinements: readonly number[];
  /** max |y_{r_k} − y_{r_{k+1}}| over the batch and outputs, for each consecutive pair of refinements. */
  readonly differences: readonly number[];
  /** log(d_k / d_{k+1}) / log(r_{k+1} / r_k) for each consecutive pair of differences: the observed order. */
  readonly orders: readonly number[];
  /** max |y_model − y_finest| / max |y_finest|: how far the model's own (trained) output is from the finest run. */
  readonly discretizationGap: number;
}

/**
 * Re-run a trained model with `integrator` at ω/r for each refinement r (default
 * `[1, 2, 4]`: ω, ω/2, ω/4) and report the observed order of convergence from
 * the successive differences (Richardson: d_k ≈ C (ω/r_k)^p), together with the gap
 * between the model's own output and the finest run. An order near the scheme's
 * means the trained dynamics are resolved; a large gap means what the model
 * learned depends on the discretization it was trained with. Differences near
 * float32 round-off (≈ 1e-6 of the output) make the order meaningless.
 *
 * @example
 * ```ts
 * const report = observedOrder(model, x, { integrator: rk4 });
 * console.log(report.orders, report.discretizationGap);
 * ```
 */
export function observedOrder(model: ModelView, x: Tensor2D, opts: Omit<RerunOptions, 'refine'> & { readonly refinements?: readonly number[] }): ObservedOrder {
  const refinements = opts.refinements ?? [1, 2, 4];
  refinements.forEach(checkRefine);
  const outputs = refinements.map((refine) => tf.tidy(() => rerunWithIntegrator(model, x, { ...opts, refine })));
  const own = tf.tidy(() => model.forward(x));
  const maxAbs = (f: () => tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(f())).dataSync()[0]!);
  const differences = outputs.slice(1).map((y, k) => maxAbs(() => tf.sub(outputs[k]!, y)));
  const orders = differences.slice(1).map((d, k) => Math.log(differences[k]! / d) / Math.log(refinements[k + 2]! / refinements[k + 1]!));
  const finest = outputs.at(-1)!;
  const discretizationGap = maxAbs(() => tf.sub(own, finest)) / maxAbs(() => finest);
  tf.dispose([...outputs, own]);
  return { refinements, differences, orders, discretizationGap };
}
