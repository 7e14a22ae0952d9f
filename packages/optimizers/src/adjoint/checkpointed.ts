import { ErrorCodes, ValidationError, tf, type ModelView, type Scalar, type Tensor, type Tensor2D, type Variable } from '@npde/core';

/** One unit of a model's forward pass: a relaxation step, or a whole stage that is not one block. */
export interface Unit {
  /** The unit's map; `previous` is the state before `z` when the unit is a step that may use it. */
  run(z: Tensor2D, previous: Tensor2D | undefined): Tensor2D;
  /** Whether `run` reads `previous` (a relaxation step after a block's first). */
  readonly usesPrevious: boolean;
}

/**
 * The model's forward pass as a chain of units: every step of each stage that
 * is one relaxation block on its own input (as `NeuralPde.trajectory` reads
 * stages), and each other stage as one unit. Composing the units is the
 * model's forward pass.
 */
export function unitsOf(model: ModelView): Unit[] {
  const units: Unit[] = [];
  for (const s of model.stages) {
    const pde = s.instance.pde;
    const step = pde?.step?.bind(pde);
    if (pde && step && pde.field === s.input) {
      for (let l = 0; l < pde.layers; l++) units.push({ run: (z, previous) => step(z, l === 0 ? undefined : previous, l), usesPrevious: l > 0 });
    } else {
      units.push({ run: (z) => s.instance.forward(z, { training: true }), usesPrevious: false });
    }
  }
  return units;
}

/** The number of units the checkpointed pass chains for `model` (relaxation steps plus other stages). */
export function chainLength(model: ModelView): number {
  return unitsOf(model).length;
}

/** What {@link checkpointedLossAndGrads} returns. */
export interface CheckpointedGradients {
  /** The loss at the current variables. Caller disposes. */
  readonly loss: Scalar;
  /** d loss / d variable, one per entry of `variables` (zeros where the loss does not depend on it). Caller disposes. */
  readonly grads: Tensor[];
  /** Units (steps) per segment that was used. */
  readonly segment: number;
  /** Checkpoints kept during the forward pass. */
  readonly checkpoints: number;
}

let tempId = 0;

/**
 * Loss and gradients of `objective(model.forward(x))` by checkpointed
 * backpropagation (the discrete adjoint method with recomputation): the
 * forward pass keeps only every `segment`-th state (no tape); the backward
 * pass walks the segments from the last, re-runs each one from its checkpoint
 * under a gradient tape, and pulls the adjoint λ = ∂loss/∂z back through it
 * while accumulating the variables' gradients. With K steps and
 * segment s the live activations are about K/s checkpoints plus one
 * segment's tape of s steps: s = ⌈√K⌉ (the default) gives memory ∝ √K at
 * the price of one extra forward pass. The result equals ordinary
 * backpropagation up to float32 rounding of the sums over segments.
 *
 * @param segment - steps per segment, ≥ 1 (default ⌈√K⌉).
 * @example
 * ```ts
 * const { loss, grads } = checkpointedLossAndGrads(model, vars, x, (p) => tf.losses.meanSquaredError(y, p));
 * ```
 */
export function checkpointedLossAndGrads(
  model: ModelView,
  variables: readonly Variable[],
  x: Tensor2D,
  objective: (prediction: Tensor2D) => Scalar,
  segment?: number,
): CheckpointedGradients {
  if (segment !== undefined && !(Number.isInteger(segment) && segment >= 1)) {
    throw new ValidationError(ErrorCodes.INVALID_OPTIONS, 'the checkpoint segment must be a whole number of steps', {
      path: 'segment',
      expected: 'an integer ≥ 1',
      received: String(segment),
      hint: 'Leave it out for ⌈√L⌉.',
    });
  }
  const units = unitsOf(model);
  const K = units.length;
  const s = Math.min(Math.max(K, 1), segment ?? Math.ceil(Math.sqrt(K)));
  // Forward: keep (z_a, z_{a−1}) at every segment start a = 0, s, 2s, …; nothing else survives.
  const checkpoints: { z: Tensor2D; previous: Tensor2D | undefined }[] = [];
  const held = new Set<Tensor>();
  const release = (t: Tensor | undefined) => {
    if (t && !held.has(t)) t.dispose();
  };
  let z: Tensor2D = x.clone();
  let previous: Tensor2D | undefined;
  const grads: (Tensor | undefined)[] = variables.map(() => undefined);
  let lossValue: Tensor | undefined;
  try {
    for (let i = 0; i < K; i++) {
      if (i % s === 0) {
        checkpoints.push({ z, previous: units[i]!.usesPrevious ? previous : undefined });
        held.add(z);
        if (units[i]!.usesPrevious && previous) held.add(previous);
      }
      const unit = units[i]!;
      const zi = z;
      const pi = previous;
      const next = tf.tidy(() => unit.run(zi, unit.usesPrevious ? pi : undefined));
      release(previous);
      previous = z;
      z = next;
    }
    // The adjoint at the output: λ_K = ∂loss/∂z_K.
    const zK = z;
    const { value: loss, grad } = tf.tidy(() => tf.valueAndGrad((p: Tensor) => objective(p as Tensor2D))(zK));
    lossValue = loss;
    let lambda: Tensor2D = grad as Tensor2D;
    let lambdaPrevious: Tensor2D | undefined;
    release(previous);
    release(zK);
    // Backward, one segment at a time from the last.
    for (let j = checkpoints.length - 1; j >= 0; j--) {
      const a = j * s;
      const b = Math.min(a + s, K);
      const start = checkpoints[j]!;
      const zVar = tf.variable(start.z, true, `npde-adjoint-z-${tempId++}`);
      const pVar = start.previous ? tf.variable(start.previous!, true, `npde-adjoint-p-${tempId++}`) : undefined;
      const lam = lambda;
      const lamP = lambdaPrevious;
      const { value, grads: g } = tf.tidy(() =>
        tf.variableGrads(() => {
          let zz: Tensor2D = zVar as unknown as Tensor2D;
          let pp: Tensor2D | undefined = pVar as unknown as Tensor2D | undefined;
          for (let i = a; i < b; i++) {
            const next = units[i]!.run(zz, units[i]!.usesPrevious ? pp : undefined);
            pp = zz;
            zz = next;
          }
          // ⟨λ_b, z_b⟩ + ⟨λ'_b, z_{b−1}⟩: its gradient is the vector–Jacobian product of the segment.
          let inner = tf.sum(tf.mul(zz, lam));
          if (lamP && pp) inner = tf.add(inner, tf.sum(tf.mul(pp, lamP)));
          return inner as Scalar;
        }, [...variables, zVar, ...(pVar ? [pVar] : [])]),
      );
      tf.dispose([value, lam, lamP ?? []]);
      lambda = (g[zVar.name] as Tensor2D | undefined) ?? (tf.zerosLike(zVar) as Tensor2D);
      lambdaPrevious = pVar ? (g[pVar.name] as Tensor2D | undefined) : undefined;
      variables.forEach((v, k) => {
        const gv = g[v.name];
        if (!gv) return;
        const acc = grads[k];
        grads[k] = acc ? tf.tidy(() => tf.add(acc, gv)) : gv;
        if (acc) tf.dispose([acc, gv]);
      });
      zVar.dispose();
      pVar?.dispose();
    }
    tf.dispose([lambda, lambdaPrevious ?? []]);
    return {
      loss: loss as Scalar,
      grads: variables.map((v, k) => grads[k] ?? tf.zerosLike(v)),
      segment: s,
      checkpoints: checkpoints.length,
    };
  } catch (err) {
    tf.dispose(grads.filter((g): g is Tensor => g !== undefined));
    release(z);
    release(previous);
    lossValue?.dispose();
    throw err;
  } finally {
    tf.dispose([...held]);
  }
}
