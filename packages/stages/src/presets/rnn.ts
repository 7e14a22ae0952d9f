import { v, type CompositeModelSpec, type OmegaSpec, type PluginRef } from '@npde/core';
import { PresetOmegaSchema, PresetPluginSchema, positiveInteger, presetOptions } from './shared.js';

/** valibot schema of {@link RnnPresetOptions}. */
export const RnnPresetSchema = v.strictObject({
  /** Time steps T of an input sequence. */
  steps: positiveInteger,
  /** Features F per time step (default 1). */
  features: v.optional(positiveInteger, 1),
  /** Size of the hidden state. */
  hidden: positiveInteger,
  /** Number of outputs K of the readout. */
  outputs: positiveInteger,
  /** Kernel of the hidden-to-hidden map W (default a shared dense matrix). */
  kernel: v.optional(PresetPluginSchema, (): PluginRef => ({ id: '@npde/kernels/dense', options: { shared: true } })),
  /** Activation f (default `@npde/activations/tanh`). */
  activation: v.optional(PresetPluginSchema, '@npde/activations/tanh'),
  /** ω (default 1). */
  omega: v.optional(PresetOmegaSchema, 1),
  /** Integer seed (default 0). */
  seed: v.optional(v.pipe(v.number(), v.integer()), 0),
});

/** Options of {@link rnn}. */
export interface RnnPresetOptions {
  /** Time steps T of an input sequence (the input is a 1-D field of T sites). */
  readonly steps: number;
  /** Features F per time step (the input field's channels; default 1). */
  readonly features?: number;
  /** Size of the hidden state h (a 1-D field of this many sites). */
  readonly hidden: number;
  /** Number of outputs K read from the last state. */
  readonly outputs: number;
  /**
   * Kernel family of W, acting on the hidden field (default
   * `{ id: '@npde/kernels/dense', options: { shared: true } }`: the Elman RNN; an
   * `adr` kernel gives a recurrence whose hidden state is a field under transport).
   */
  readonly kernel?: PluginRef;
  /** Activation f (default `@npde/activations/tanh`). */
  readonly activation?: PluginRef;
  /** ω = γ·dt (default 1: exactly `h_{t+1} = f(W h_t + U x_t − b)`; below 1 a leaky unit). */
  readonly omega?: OmegaSpec;
  /** Integer seed for parameter initialization (default 0). */
  readonly seed?: number;
}

/**
 * Guo et al.'s RNN (theory §7): one relaxation step with a shared operator
 * unfolded in time, with the input as a source term,
 * `h_{t+1} = (1 − ω) h_t + ω f(W h_t + U x_t − b)` from h₀ = 0 (the
 * `recurrent` stage, one shared bias), then a `readout` of the last state.
 * The input is a sequence as a 1-D field `{ shape: [steps], channels: features }`.
 *
 * Returns an ordinary composite model spec (stage names `cell`, `head`).
 * Throws a `ValidationError` (`NPDE_INVALID_OPTIONS`, path `rnn.…`) for bad options.
 *
 * @example
 * ```ts
 * const model = NeuralPde.create(stages.rnn({ steps: 20, hidden: 16, outputs: 1 }), { registry });
 * ```
 */
export function rnn(options: RnnPresetOptions): CompositeModelSpec {
  const o = presetOptions(RnnPresetSchema, options, 'rnn');
  return {
    input: { shape: [o.steps], channels: o.features },
    seed: o.seed,
    stages: [
      {
        id: '@npde/stages/recurrent',
        name: 'cell',
        options: { hidden: { shape: [o.hidden] }, kernel: o.kernel, activation: o.activation, omega: o.omega, bias: 'shared' },
      },
      { id: '@npde/stages/readout', name: 'head', options: { outputs: o.outputs } },
    ],
  };
}
