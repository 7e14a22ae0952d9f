/**
 * The tfjs columns: one runner per (column, case, pass) on the active backend.
 *
 * forward:           out = op(z, taps, ω, b)                          → [out]
 * forward+backward:  tf.grads(sum(w ⊙ op(z, taps, ω, b))) at (z, taps, ω, b) → [dz, dtaps, dω, db]
 *
 * A timed run is tidy(compute). On the synchronous backends (wasm, cpu,
 * tensorflow) every kernel has finished when the op returns, so the outputs are
 * not read back between timed runs, as the native C references run back to back and
 * write their outputs once at the end: `outputs()` reads those of one more, untimed
 * run. (Reading 256 KB back after every run, as this file did before, left the next
 * run with cold caches: +40 µs on a 90 µs call at 64 × 1024.) On an asynchronous
 * backend (webgl, webgpu) the read-back is timed, since it is what waits for the work.
 * Disposal follows the timer.
 *
 * The backward pass is the vector–Jacobian product with the given dy
 * (`tf.grads(f)(args, dy)`), i.e. the gradient of sum(dy ⊙ f) without timing
 * tfjs's own Sum and Mul gradients.
 */
import { now } from './timing.mjs';

const GRAD_NAMES = ['dz', 'dtaps', 'domega', 'dbias'];

/**
 * @param tf       the tfjs namespace (npde's)
 * @param c        the case (bench/lib/inputs.mjs)
 * @param pass     'forward' | 'forward+backward'
 * @param op       (z, taps, omega, bias, config) => out, for the stencil columns
 * @param denseW   for the dense column: the [S, S] W to use instead of taps (op ignored)
 * @param matMulT  for the dense column: (a, b) => a · bᵀ (default tf.matMul(a, b, false, true))
 */
export function makeTfRunner(tf, c, pass, { op, denseW, matMulT } = {}) {
  const z = tf.tensor2d(c.z, [c.B, c.S]);
  const second = denseW ? tf.tensor2d(denseW, [c.S, c.S]) : tf.tensor2d(c.taps, [c.S, c.K]);
  const omega = tf.scalar(c.omega);
  const bias = tf.tensor1d(c.bias);
  const dy = tf.tensor2d(c.dy, [c.B, c.S]);
  const inputs = [z, second, omega, bias, dy];

  const mmT = matMulT ?? ((a, b) => tf.matMul(a, b, false, true));
  const f = denseW
    ? (zz, W, o, b) => tf.add(tf.mul(tf.sub(1, o), zz), tf.mul(o, tf.tanh(tf.sub(mmT(zz, W), b))))
    : (zz, t, o, b) => op(zz, t, o, b, c.config);

  let compute;
  let names;
  if (pass === 'forward') {
    compute = () => [f(z, second, omega, bias)];
    names = ['out'];
  } else {
    const g = tf.grads((zz, t, o, b) => f(zz, t, o, b));
    compute = () => g([z, second, omega, bias], dy);
    names = GRAD_NAMES;
  }

  let last = null;
  const once = () => {
    const syncBackend = ['wasm', 'cpu', 'tensorflow'].includes(tf.getBackend());
    const t0 = now();
    const outs = tf.tidy(compute);
    if (!syncBackend) outs.forEach((o) => o.dataSync());
    const t1 = now();
    tf.dispose(outs);
    return t1 - t0;
  };

  /** The last run's outputs by name (dense: its dW is not compared, so it is left out). */
  const outputs = () => {
    const outs = tf.tidy(compute);
    last = outs.map((o) => o.dataSync());
    tf.dispose(outs);
    const o = {};
    names.forEach((n, i) => {
      if (!(denseW && n === 'dtaps')) o[n] = last[i];
    });
    return o;
  };

  /** One untimed run under tf.profile: peak engine bytes and the kernels that ran. */
  const profile = async () => {
    const info = await tf.profile(() => tf.tidy(compute));
    tf.dispose(info.result);
    const kernels = [...new Set(info.kernels.map((k) => k.name))];
    return { peakBytes: info.peakBytes, newBytes: info.newBytes, kernelCount: info.kernels.length, kernels };
  };

  const dispose = () => {
    tf.dispose(inputs);
    last = null;
  };

  return { once, outputs, profile, dispose };
}
