import { ErrorCodes, ShapeError, ValidationError, defineOptimizer, tf, v, type OptimizationProblem, type OptimizerInstance, type PdeBlockView, type Tensor, type Variable } from '@npde/core';
import { Matrix, solve } from 'ml-matrix';

/** Options schema of {@link pseudoinverse}. */
export const PseudoinverseOptionsSchema = v.strictObject({
  /** Ridge k ≥ 0 of W = (HᵀH + kI)⁻¹HᵀT (absolute, in the units of HᵀH). Default 1e-8. */
  ridge: v.optional(v.pipe(v.number(), v.finite(), v.minValue(0)), 1e-8),
  /**
   * How far inside a bounded activation's range the pulled-back targets are
   * clipped before f⁻¹ (tanh: |a| ≤ 1 − margin; sigmoid: margin ≤ a ≤ 1 − margin). Default 1e-6.
   */
  margin: v.optional(v.pipe(v.number(), v.gtValue(0), v.ltValue(0.5)), 1e-6),
});

/** Validated options of {@link pseudoinverse}. */
export type PseudoinverseOptions = v.InferOutput<typeof PseudoinverseOptionsSchema>;

/** f⁻¹ of the activations pseudoinverse learning can pull targets back through, by fused-activation name. */
const INVERSES: Readonly<Record<string, (a: Tensor, margin: number) => Tensor>> = {
  identity: (a) => tf.clone(a),
  tanh: (a, m) => tf.atanh(tf.clipByValue(a, -1 + m, 1 - m)),
  sigmoid: (a, m) => {
    const c = tf.clipByValue(a, m, 1 - m);
    return tf.log(tf.div(c, tf.sub(1, c)));
  },
};

/** The last stage's relaxation block, checked for what the closed form needs. */
function fittableBlock(problem: OptimizationProblem): { block: PdeBlockView; W: Variable; stage: number } {
  const { stages } = problem.model;
  const at = stages.length - 1;
  const path = `model.stages[${Math.max(at, 0)}]`;
  const block = stages[at]?.instance.pde;
  const fail = (what: string, expected: string, received: string, hint: string): never => {
    throw new ValidationError(ErrorCodes.INVALID_SPEC, `pseudoinverse learning needs ${what}`, { path, expected, received, hint });
  };
  if (!block || stages[at]!.output.size !== block.field.size) {
    return fail('a model whose last stage is a relaxation (pde) block', 'a pde stage last', at < 0 ? 'no stages' : `stage '${stages[at]!.id}'`, 'Put the pde block with the dense kernel last.');
  }
  const W = block.kernel.params['W'] as Variable | undefined;
  const n = block.field.size;
  const perLayer = W?.shape.length === 3 && W.shape[0] === block.layers && W.shape[1] === n && W.shape[2] === n;
  const shared = W?.shape.length === 2 && block.layers === 1 && W.shape[0] === n && W.shape[1] === n;
  if (!W || !(perLayer || shared)) {
    return fail('a dense kernel (a W parameter per layer)', `W of shape [${block.layers}, ${n}, ${n}] (or [${n}, ${n}] with one layer)`, W ? `[${W.shape.join(', ')}]` : `kernel '${block.pluginIds.kernel}'`, "Use kernel '@npde/kernels/dense' (not shared unless layers = 1).");
  }
  if (block.integrator.relaxation !== 'euler') {
    return fail('the Euler relaxation step z ← (1 − ω) z + ω f(W z − b)', 'an Euler integrator', `'${block.pluginIds.integrator}'`, 'Train with the Euler integrator; the closed form inverts its step.');
  }
  if (!block.reservoir.inert) {
    return fail('no reservoir term', 'an inert reservoir', `'${block.pluginIds.reservoir}'`, 'Leave the reservoir out (or use the none reservoir).');
  }
  const name = block.activation.stencilActivation;
  if (!name || !INVERSES[name]) {
    return fail('an invertible activation', Object.keys(INVERSES).join(' | '), name ?? `'${block.pluginIds.activation}'`, 'Use tanh, sigmoid or identity.');
  }
  return { block, W, stage: at };
}

/**
 * Pseudoinverse learning (Guo and Lyu's PIL): the last layer's weights in
 * closed form instead of gradient steps. With H the layer's inputs
 * `[batch, n]` (from a recording forward pass), the targets y are pulled back
 * through the Euler step and the activation,
 *
 *     T = f⁻¹((y − (1 − ω) H) / ω) + b,
 *
 * and W solves the ridge least-squares problem min ‖H Wᵀ − T‖² + k‖W‖², i.e.
 * Wᵀ = (HᵀH + kI)⁻¹HᵀT — solved in float64 by ml-matrix's QR on the stacked
 * system [H; √k I] Wᵀ = [T; 0], which is that formula without forming HᵀH.
 *
 * Needs a model whose last stage is a pde block with a dense kernel, the Euler
 * integrator, no reservoir term and an invertible activation (identity, tanh,
 * sigmoid; bounded ones clip the pulled-back targets by `margin`); anything
 * else is a {@link ValidationError} naming the stage. Earlier layers are left
 * as they are (train them first, or keep them fixed as a random feature map).
 * The loss is the trainer's: the closed form is exact for MSE. One `step()`
 * is one solve on the batch (use the full data as one batch) and returns the
 * loss before it.
 *
 * @example
 * ```ts
 * await trainer.fit(model, { x, y }, { optimizer: { id: '@npde/optimizers/pseudoinverse',
 *   options: { ridge: 1e-6 } }, batchSize: x.shape[0], epochs: 1 });
 * ```
 */
export const pseudoinverse = defineOptimizer<PseudoinverseOptions>({
  id: '@npde/optimizers/pseudoinverse',
  description: 'pseudoinverse learning: the last dense layer in closed form, W = (HᵀH + kI)⁻¹HᵀT',
  options: PseudoinverseOptionsSchema,
  create: ({ options }) => createPseudoinverse(options),
});

/**
 * Create a pseudoinverse-learning instance directly (what the plugin's
 * `create` does).
 *
 * @example
 * ```ts
 * const opt = createPseudoinverse(validate(PseudoinverseOptionsSchema, { ridge: 0 }));
 * opt.step(problem); // the last layer's W now solves the least-squares problem
 * ```
 */
export function createPseudoinverse(options: PseudoinverseOptions): OptimizerInstance {
  return {
    step(problem) {
      const { block, W, stage } = fittableBlock(problem);
      const { x, y } = problem.batch;
      const n = block.field.size;
      if (y.rank !== 2 || y.shape[1] !== n || y.shape[0] !== x.shape[0] || y.dtype !== 'float32') {
        throw new ShapeError(ErrorCodes.SHAPE_MISMATCH, 'pseudoinverse learning fits float regression targets', {
          path: 'batch.y',
          expected: `float32 [${x.shape[0]}, ${n}]`,
          received: `${y.dtype} [${y.shape.join(', ')}]`,
          hint: 'Closed-form learning needs one target value per output site (no class labels).',
        });
      }
      const before = problem.loss();
      const lossBefore = before.dataSync()[0]!;
      before.dispose();
      const last = block.layers - 1;
      const [Hdata, Tdata] = tf.tidy(() => {
        const rec = problem.model.record(x);
        const layer = rec.stages[stage]!.layers[last]!;
        const H = layer.input;
        const omega = block.omega();
        // b = W z − (W z − b): whatever bias the block adds, read back from the recording.
        const bias = tf.sub(block.kernel.apply(H, last), layer.preactivation);
        const a = tf.div(tf.sub(y, tf.mul(1 - omega, H)), omega);
        const T = tf.add(INVERSES[block.activation.stencilActivation!]!(a, options.margin), bias);
        return [H.dataSync(), T.dataSync()];
      });
      const rows = x.shape[0];
      const k = Math.sqrt(options.ridge);
      const A = new Matrix(rows + n, n);
      const B = new Matrix(rows + n, n);
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < n; j++) {
          A.set(i, j, Hdata[i * n + j]!);
          B.set(i, j, Tdata[i * n + j]!);
        }
      }
      for (let j = 0; j < n; j++) A.set(rows + j, j, k);
      let Wt: Matrix; // [n, n] = Wᵀ
      try {
        Wt = solve(A, B);
      } catch (err) {
        throw new ValidationError(ErrorCodes.INVALID_OPTIONS, 'the least-squares system is singular', {
          path: 'options.ridge',
          expected: 'a ridge k > 0 when the layer inputs are rank-deficient',
          received: `${options.ridge} (${err instanceof Error ? err.message : String(err)})`,
          hint: 'Raise `ridge` (e.g. 1e-6) or give more samples than sites.',
        });
      }
      const Wl = new Float32Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Wl[i * n + j] = Wt.get(j, i);
      const all = W.dataSync().slice() as Float32Array;
      all.set(Wl, W.shape.length === 3 ? last * n * n : 0);
      tf.tidy(() => W.assign(tf.tensor(all, W.shape, 'float32')));
      return lossBefore;
    },
    dispose: () => undefined,
  };
}
