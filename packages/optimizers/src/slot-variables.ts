import { tf, type Variable } from '@npde/core';

/**
 * Per-variable optimizer state ("slots": momentum, moment estimates), created
 * lazily as non-trainable zero variables the first time a variable is seen, and
 * released together by {@link SlotVariables.dispose}.
 *
 * @example
 * ```ts
 * const slots = new SlotVariables(2);      // e.g. Adam's m and v
 * const [m, v] = slots.for(variable);      // zeros shaped like `variable`
 * slots.dispose();
 * ```
 */
export class SlotVariables {
  private readonly slots = new Map<Variable, readonly Variable[]>();

  /** @param count Number of state tensors per variable. */
  constructor(private readonly count: number) {}

  /** The state of `variable`, created as zeros of its shape on first use. */
  for(variable: Variable): readonly Variable[] {
    let state = this.slots.get(variable);
    if (!state) {
      state = Array.from({ length: this.count }, () => tf.tidy(() => tf.variable(tf.zerosLike(variable), false)));
      this.slots.set(variable, state);
    }
    return state;
  }

  /** Number of variables that have state. */
  get size(): number {
    return this.slots.size;
  }

  /** Release every state tensor. */
  dispose(): void {
    for (const state of this.slots.values()) for (const s of state) s.dispose();
    this.slots.clear();
  }
}
