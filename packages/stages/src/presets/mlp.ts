import { FieldSpecSchema, v, type CompositeModelSpec, type FieldSpec, type OmegaSpec, type PluginRef } from '@npde/core';
import { PresetOmegaSchema, PresetPluginSchema, positiveInteger, presetOptions } from './shared.js';

/** valibot schema of {@link MlpPresetOptions}. */
export const MlpPresetSchema = v.strictObject({
  /** Geometry of one input sample (any field; its size is the width of every layer). */
  input: FieldSpecSchema,
  /** Number of outputs K of the readout, a positive integer. */
  outputs: positiveInteger,
  /** Number of hidden layers (relaxation steps of the dense block), default 1. */
  layers: v.optional(positiveInteger, 1),
  /** Activation f (default `@npde/activations/tanh`). */
  activation: v.optional(PresetPluginSchema, '@npde/activations/tanh'),
  /** ω (default 1: the ordinary layer). */
  omega: v.optional(PresetOmegaSchema, 1),
  /** Initial W: `glorot` (default) or `identity`. */
  init: v.optional(v.picklist(['glorot', 'identity']), 'glorot'),
  /** Integer seed (default 0). */
  seed: v.optional(v.pipe(v.number(), v.integer()), 0),
});

/** Options of {@link mlp}. */
export interface MlpPresetOptions {
  /** Geometry of one input sample; every hidden layer has its size (the width of the MLP). */
  readonly input: FieldSpec;
  /** Number of outputs K (classes of a classifier). */
  readonly outputs: number;
  /** Hidden layers: steps of the dense block, each with its own W and bias (default 1). */
  readonly layers?: number;
  /** Activation f (default `@npde/activations/tanh`). */
  readonly activation?: PluginRef;
  /** ω = γ·dt (default 1: exactly `z ← f(W z − b)`; below 1 a relaxation, a residual-like update). */
  readonly omega?: OmegaSpec;
  /** Initial W of each layer: `glorot` (default) or `identity` (plus noise). */
  readonly init?: 'glorot' | 'identity';
  /** Integer seed for parameter initialization (default 0). */
  readonly seed?: number;
}

/**
 * Guo et al.'s MLP (theory §5, §7): the delta basis W_ij = W(q_i, q_j) of the
 * neural PDE is the ordinary layer. A `pde` stage with the `dense` kernel (one
 * full W and one bias per layer) and ω = 1 computes `z ← f(W z − b)` `layers`
 * times on the input field, then a `readout` maps it to `outputs` values. The
 * width of the MLP is the size of the input field (a dense block keeps the
 * field); parameters: `layers · (N² + N) + N·K + K` for N = input size.
 *
 * Returns an ordinary composite model spec (stage names `hidden`, `head`), so
 * `NeuralPde.create`, training, `saveModel`/`loadModel` and `npde inspect`
 * treat it like any other. Throws a `ValidationError` (`NPDE_INVALID_OPTIONS`,
 * path `mlp.…`) for bad options.
 *
 * @example
 * ```ts
 * const model = NeuralPde.create(stages.mlp({ input: { shape: [64] }, outputs: 10, layers: 2 }), { registry });
 * ```
 */
export function mlp(options: MlpPresetOptions): CompositeModelSpec {
  const o = presetOptions(MlpPresetSchema, options, 'mlp');
  return {
    input: o.input as FieldSpec,
    seed: o.seed,
    stages: [
      {
        id: '@npde/stages/pde',
        name: 'hidden',
        options: {
          layers: o.layers,
          omega: o.omega,
          activation: o.activation,
          bias: 'per-layer',
          kernel: { id: '@npde/kernels/dense', options: { shared: false, init: o.init } },
        },
      },
      { id: '@npde/stages/readout', name: 'head', options: { outputs: o.outputs } },
    ],
  };
}
