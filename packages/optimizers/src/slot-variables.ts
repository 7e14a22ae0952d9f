import { ErrorCodes, ShapeError, tf, type Tensor, type Variable } from '@npde/core';

/**
 * Per-variable optimizer state ("slots": momentum, moment estimates), created
 * lazily as non-trainable zero variables the first time a variable is seen, and
 * released together by {@link SlotVariables.dispose}. {@link SlotVariables.state}
 * and {@link SlotVariables.restore} turn the slots into named tensors keyed by
 * the variable's position (`m/0`, `v/3`), which is what an optimizer's
 * `getState` / `setState` exchange with a checkpoint.
 *
 * @example
 * ```ts
 * const slots = new SlotVariables(['m', 'v']);  // e.g. Adam's moments
 * const [m, v] = slots.for(variable);           // zeros shaped like `variable`
 * const saved = slots.state(variables);         // { 'm/0': …, 'v/0': … } copies
 * slots.dispose();
 * ```
 */
export class SlotVariables {
  private readonly slots = new Map<Variable, readonly Variable[]>();
  private readonly names: readonly string[];

  /**
   * @param names Name of each state tensor of a variable (`['m', 'v']`), used
   *   as the key prefix in {@link SlotVariables.state}.
   */
  constructor(names: readonly string[]) {
    this.names = [...names];
  }

  /** The state of `variable`, created as zeros of its shape on first use. */
  for(variable: Variable): readonly Variable[] {
    let state = this.slots.get(variable);
    if (!state) {
      state = this.names.map(() => tf.tidy(() => tf.variable(tf.zerosLike(variable), false)));
      this.slots.set(variable, state);
    }
    return state;
  }

  /** Number of variables that have state. */
  get size(): number {
    return this.slots.size;
  }

  /**
   * Copies of the slots of `variables` that have any, keyed `<name>/<position in
   * variables>`. Variables not stepped yet have no entry. Caller disposes.
   */
  state(variables: readonly Variable[]): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    variables.forEach((variable, i) => {
      const state = this.slots.get(variable);
      state?.forEach((s, k) => (out[`${this.names[k]}/${i}`] = s.clone()));
    });
    return out;
  }

  /**
   * Set the slots of `variables` from {@link SlotVariables.state}'s keys (other
   * keys are ignored; a variable without any key keeps or lazily gets zeros).
   * Throws {@link ShapeError} for a variable with only some of its slots or a
   * slot whose shape is not its variable's, before changing anything.
   */
  restore(variables: readonly Variable[], state: Readonly<Record<string, Tensor>>): void {
    const updates: [Variable, Tensor[]][] = [];
    variables.forEach((variable, i) => {
      const keys = this.names.map((n) => `${n}/${i}`);
      const present = keys.filter((k) => state[k] !== undefined);
      if (present.length === 0) return;
      if (present.length !== keys.length) {
        throw new ShapeError(ErrorCodes.SHAPE_MISMATCH, 'optimizer state is incomplete', {
          path: `state.${keys.find((k) => state[k] === undefined)}`,
          expected: `all of ${keys.join(', ')}`,
          received: `only ${present.join(', ')}`,
        });
      }
      const values = keys.map((k) => state[k]!);
      values.forEach((t, k) => {
        if (t.shape.join() !== variable.shape.join()) {
          throw new ShapeError(ErrorCodes.SHAPE_MISMATCH, 'optimizer state does not have the shape of its variable', {
            path: `state.${keys[k]}`,
            expected: `[${variable.shape.join(', ')}] (variable ${i}, '${variable.name}')`,
            received: `[${t.shape.join(', ')}]`,
            hint: 'The state belongs to another model, or its variables are in another order.',
          });
        }
      });
      updates.push([variable, values]);
    });
    for (const [variable, values] of updates) {
      const slots = this.for(variable);
      tf.tidy(() => slots.forEach((s, k) => s.assign(values[k]!.asType('float32'))));
    }
  }

  /** Release every state tensor. */
  dispose(): void {
    for (const state of this.slots.values()) for (const s of state) s.dispose();
    this.slots.clear();
  }
}
