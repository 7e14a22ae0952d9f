import {
  BlockSpecEntries,
  ErrorCodes,
  FieldSpecSchema,
  RelaxationBlock,
  UnsupportedFieldError,
  defineStage,
  resolveField,
  tf,
  v,
  type StageInstance,
  type Tensor2D,
} from '@npde/core';

const { layers: _layers, ...blockEntries } = BlockSpecEntries;

/**
 * A relaxation block unfolded over a sequence with an input source term
 * (Guo et al.'s RNN): `h_{t+1} = (1 − ω) h_t + ω f(W h_t + U x_t − b)` from
 * h₀ = 0, W the block's kernel on the hidden field and U a dense input map
 * (with ω = 1 and the Euler integrator, exactly `h_{t+1} = f(W h_t + U x_t − b)`).
 *
 * The input is a sequence: a 1-D field whose T sites are the time steps and
 * whose channels are the features of each step (`{ shape: [T], channels: F }`).
 * The output is the last state (the hidden field) or, with
 * `returnSequences: true`, every state h₁ … h_T as a field `[T, ...hidden]`
 * (1-D hidden fields only).
 *
 * @example
 * ```ts
 * { id: '@npde/stages/recurrent', options: {
 *     hidden: { shape: [16] }, omega: 1, activation: '@npde/activations/tanh',
 *     kernel: { id: '@npde/kernels/dense', options: { shared: true } } } }
 * ```
 */
export const recurrent = defineStage({
  id: '@npde/stages/recurrent',
  description: 'relaxation block unfolded over a sequence with an input source term (an RNN)',
  options: v.strictObject({
    /** The hidden field the block evolves. */
    hidden: FieldSpecSchema,
    ...blockEntries,
    /** Return every state h₁ … h_T instead of the last (default false). */
    returnSequences: v.optional(v.boolean(), false),
  }),
  create: ({ options, input, registry, seed, path }): StageInstance => {
    const { hidden: hiddenSpec, returnSequences, ...block } = options;
    if (input.dims !== 1) {
      throw new UnsupportedFieldError(ErrorCodes.UNSUPPORTED_FIELD, 'a recurrent stage reads a sequence', {
        path,
        expected: 'a 1-D input field { shape: [T], channels: F } (time steps × features)',
        received: `a field of shape [${input.shape.join(', ')}]`,
      });
    }
    const hidden = resolveField(hiddenSpec, `${path}.hidden`);
    if (returnSequences && hidden.dims !== 1) {
      throw new UnsupportedFieldError(ErrorCodes.UNSUPPORTED_FIELD, 'returnSequences needs a 1-D hidden field', {
        path: `${path}.hidden.shape`,
        expected: 'one axis',
        received: `[${hidden.shape.join(', ')}]`,
      });
    }
    const T = input.shape[0]!;
    const F = input.realChannels;
    const cell = new RelaxationBlock({ spec: { ...block, layers: 1 }, field: hidden, registry, seed, path });
    const U = tf.tidy(() => tf.variable(tf.randomUniform([F, hidden.size], -1 / Math.sqrt(F), 1 / Math.sqrt(F), 'float32', seed + 1), true));
    const output = returnSequences ? resolveField({ shape: [T, ...hidden.shape], channels: hidden.realChannels }) : hidden;
    return {
      output,
      params: { ...cell.params, U },
      pde: cell,
      forward: (x, run) => {
        const batch = x.shape[0];
        const xs = tf.reshape(x, [batch, T, F]);
        let h = tf.zeros([batch, hidden.size]) as Tensor2D;
        let previous: Tensor2D | undefined;
        const states: Tensor2D[] = [];
        for (let t = 0; t < T; t++) {
          const xt = tf.reshape(tf.slice(xs, [0, t, 0], [batch, 1, F]), [batch, F]);
          const next = cell.step(h, previous, 0, tf.matMul(xt, U) as Tensor2D, run.record);
          previous = h;
          h = next;
          if (returnSequences) states.push(h);
        }
        return returnSequences ? (tf.reshape(tf.stack(states, 1), [batch, output.size]) as Tensor2D) : h;
      },
      describe: () => `recurrent: ${T} steps of ${F} features into a hidden field of ${hidden.size} (${cell.pluginIds.kernel})`,
      dispose: () => {
        cell.dispose();
        U.dispose();
      },
    };
  },
});
