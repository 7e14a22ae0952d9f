/**
 * The `jsLoop` column: the op written as plain JavaScript loops over
 * Float32Arrays with Math.tanh (float64 arithmetic, float32 storage). Its
 * outputs are also the reference every other column is checked against.
 *
 * The neighbour table (geometry only) is built once per case, outside the
 * timed region, as any plain implementation would cache it.
 */
import { neighbourTable } from './inputs.mjs';

export function makeJsLoop(c) {
  const { B, S, K, z, taps, bias, dy, omega } = c;
  const nb = neighbourTable(c.geometry, c.config.boundary);
  const keep = 1 - omega;

  function forward() {
    const out = new Float32Array(B * S);
    for (let b = 0; b < B; b++) {
      const o = b * S;
      for (let s = 0; s < S; s++) {
        let u = -bias[s];
        const t = s * K;
        for (let k = 0; k < K; k++) {
          const n = nb[t + k];
          if (n >= 0) u += taps[t + k] * z[o + n];
        }
        out[o + s] = keep * z[o + s] + omega * Math.tanh(u);
      }
    }
    return out;
  }

  /** Forward, then the gradient of sum(dy ⊙ out) (recomputing u like the kernels do). */
  function forwardBackward() {
    const out = forward();
    const dz = new Float32Array(B * S);
    const dtaps = new Float32Array(S * K);
    const dbias = new Float32Array(S);
    let domega = 0;
    for (let i = 0; i < dz.length; i++) dz[i] = keep * dy[i];
    for (let b = 0; b < B; b++) {
      const o = b * S;
      for (let s = 0; s < S; s++) {
        let u = -bias[s];
        const t = s * K;
        for (let k = 0; k < K; k++) {
          const n = nb[t + k];
          if (n >= 0) u += taps[t + k] * z[o + n];
        }
        const a = Math.tanh(u);
        const d = dy[o + s];
        const g = omega * d * (1 - a * a);
        domega += (a - z[o + s]) * d;
        dbias[s] -= g;
        for (let k = 0; k < K; k++) {
          const n = nb[t + k];
          if (n >= 0) {
            dz[o + n] += taps[t + k] * g;
            dtaps[t + k] += g * z[o + n];
          }
        }
      }
    }
    return { out, dz, dtaps, domega: Float32Array.of(domega), dbias };
  }

  return { forward, forwardBackward };
}
