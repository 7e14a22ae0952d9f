import { tf, type Tensor } from '../../tensor/tf.js';

/**
 * One activation the fused stencil-relaxation op implements: everything every
 * implementation of the op needs to know about it, in one place.
 *
 * - `op` is the tfjs expression the op path (`stencilRelaxReference`) runs, differentiated by tfjs;
 * - `f` and `df` are the scalar float64 formulas the plain-TypeScript kernels and the
 *   conformance kit's float64 reference evaluate;
 * - `code` is the number a native kernel (the WASM SIMD one) receives for it.
 */
export interface FusedActivationEntry {
  /** The number a native kernel receives for this activation (`ACT_*` in `stencil_relax.c`). Unique in the table. */
  readonly code: number;
  /** f as tfjs ops (the op path; its gradient is tfjs's). */
  readonly op: (u: Tensor) => Tensor;
  /** f(u) in float64. */
  readonly f: (u: number) => number;
  /** f′(u) in float64, given `a = f(u)` as well (tanh′ = 1 − a², sigmoid′ = a(1 − a), ...). */
  readonly df: (u: number, a: number) => number;
}

const entry = (e: FusedActivationEntry): FusedActivationEntry => Object.freeze(e);

const sigmoid = (u: number): number => {
  const e = Math.exp(-Math.abs(u));
  return u >= 0 ? 1 / (1 + e) : e / (1 + e);
};

/**
 * The activations the fused stencil-relaxation op implements, by name. Adding one
 * here is all the op path, the plain-TypeScript cpu kernels and the conformance
 * kit need; a native kernel runs it once its binary implements `code` (the WASM
 * kernels advertise the codes theirs implements, and the op falls back to its
 * tfjs-op path on a backend whose kernels lack it).
 *
 * An activation plugin claims an entry with `ActivationInstance.stencilActivation`
 * (e.g. `'tanh'`); the conformance kit checks that its `apply` computes the entry's f.
 */
export const FUSED_ACTIVATIONS = Object.freeze({
  /** f(u) = u. */
  identity: entry({ code: 0, op: (u) => u, f: (u) => u, df: () => 1 }),
  /** f(u) = tanh u, f′ = 1 − f². */
  tanh: entry({ code: 1, op: (u) => tf.tanh(u), f: Math.tanh, df: (_u, a) => 1 - a * a }),
  /** f(u) = max(u, 0); f′(0) = 0, as tfjs takes it. */
  relu: entry({ code: 2, op: (u) => tf.relu(u), f: (u) => (u > 0 ? u : 0), df: (u) => (u > 0 ? 1 : 0) }),
  /** f(u) = 1 / (1 + e^(−u)), f′ = f (1 − f). */
  sigmoid: entry({ code: 3, op: (u) => tf.sigmoid(u), f: sigmoid, df: (_u, a) => a * (1 - a) }),
  /** f(u) = log(1 + e^u), f′ = sigmoid(u). */
  softplus: entry({ code: 4, op: (u) => tf.softplus(u), f: (u) => Math.max(u, 0) + Math.log1p(Math.exp(-Math.abs(u))), df: sigmoid }),
});

/** The name of an entry of {@link FUSED_ACTIVATIONS}: the activation `f` of a stencil-relaxation step. */
export type StencilActivation = keyof typeof FUSED_ACTIVATIONS;

/** Every activation of {@link FUSED_ACTIVATIONS}, in table order. */
export const STENCIL_ACTIVATIONS: readonly StencilActivation[] = Object.freeze(Object.keys(FUSED_ACTIVATIONS) as StencilActivation[]);

/** Whether `name` names an entry of {@link FUSED_ACTIVATIONS}. */
export function isStencilActivation(name: unknown): name is StencilActivation {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(FUSED_ACTIVATIONS, name);
}

/** The table entry of a (valid) activation name. */
export function fusedActivation(name: StencilActivation): FusedActivationEntry {
  return FUSED_ACTIVATIONS[name];
}
