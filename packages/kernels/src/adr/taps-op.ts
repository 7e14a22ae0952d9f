import { tf, type Tensor, type Tensor2D } from '@npde/core';
import { onHostBackend } from '@npde/core/internal';

/**
 * The 1-D ADR taps of every site, `[N, 3]` in the fused op's order `[left, centre,
 * right]` = `[D·s₂ − U·s₁, 1 − 2·D·s₂ + R, D·s₂ + U·s₁]` (s₁ = 1/(2Δ), s₂ = 1/Δ²),
 * from coefficients U, D, R of shape `[]` (homogeneous: the same for every site) or
 * `[N]`, differentiable in all three.
 *
 * On the host backends (`cpu`, `wasm`) it is one custom-gradient op: the taps are
 * computed in JavaScript and uploaded once, and the gradient reads the taps'
 * gradient once and uploads dU, dD, dR — instead of ~10 tfjs ops forward and ~25
 * backward, each a dispatch of a few microseconds of engine overhead on 3·N numbers
 * (in the demo's training step this was a tenth of the time). Elsewhere (a GPU
 * backend, where a read-back would stall the device) it composes tfjs ops. The taps
 * equal the op path's bit for bit; the gradients agree to float32 rounding (summed in
 * float64 here).
 */
export function adrTaps1d(U: Tensor, D: Tensor, R: Tensor, n: number, inv2Dx: number, invDx2: number): Tensor2D {
  if (!onHostBackend()) {
    return tf.tidy(() => {
      const u = tf.mul(U, inv2Dx);
      const d = tf.mul(D, invDx2);
      const site = (t: Tensor) => tf.broadcastTo(t, [n]);
      return tf.stack([site(tf.sub(d, u)), site(tf.add(tf.sub(1, tf.mul(d, 2)), R)), site(tf.add(d, u))], 1) as Tensor2D;
    });
  }
  const forward = (u: Tensor, d: Tensor, r: Tensor) => {
    const uv = u.dataSync();
    const dv = d.dataSync();
    const rv = r.dataSync();
    const taps = new Float32Array(3 * n);
    // Rounded to float32 after every operation, as the op path's kernels round (the scalars
    // too, as tfjs rounds a number): the same bits as the composition, so a model gives the
    // same predictions whichever path built its taps.
    const f = Math.fround;
    const s1 = f(inv2Dx);
    const s2 = f(invDx2);
    for (let i = 0; i < n; i++) {
      const a = f(uv[uv.length === 1 ? 0 : i]! * s1);
      const b = f(dv[dv.length === 1 ? 0 : i]! * s2);
      taps[3 * i] = b - a;
      taps[3 * i + 1] = f(1 - f(2 * b)) + rv[rv.length === 1 ? 0 : i]!;
      taps[3 * i + 2] = b + a;
    }
    return {
      value: tf.tensor2d(taps, [n, 3]),
      gradFunc: (dy: Tensor) => {
        const g = dy.dataSync();
        // Homogeneous coefficients collect the gradient of every site.
        const du = new Float64Array(u.size);
        const dd = new Float64Array(d.size);
        const dr = new Float64Array(r.size);
        for (let i = 0; i < n; i++) {
          const left = g[3 * i]!;
          const centre = g[3 * i + 1]!;
          const right = g[3 * i + 2]!;
          du[u.size === 1 ? 0 : i]! += (right - left) * inv2Dx;
          dd[d.size === 1 ? 0 : i]! += (left + right - 2 * centre) * invDx2;
          dr[r.size === 1 ? 0 : i]! += centre;
        }
        return [tf.tensor(Float32Array.from(du), u.shape), tf.tensor(Float32Array.from(dd), d.shape), tf.tensor(Float32Array.from(dr), r.shape)];
      },
    };
  };
  const op = tf.customGrad(forward as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (u: Tensor, d: Tensor, r: Tensor) => Tensor2D;
  return op(U, D, R);
}
