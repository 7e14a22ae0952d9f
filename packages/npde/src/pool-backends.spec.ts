// The pool stage on the cpu and wasm backends, 1-D to 3-D: block maxima or means per channel, and the
// input gradient of sum(dy ⊙ pooled) routed to each block's maximum (unique here: random data has no
// ties) or spread evenly over the block, against a plain-JavaScript reference. (3-D on wasm once
// returned wrong gradients: rank-8 reductions are past what tfjs-backend-wasm differentiates.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDefaultRegistry, stages, tf, type FieldInfo, type Tensor2D } from './index.js';

const GRIDS = [
  { shape: [12], factor: [3] },
  { shape: [6, 8], factor: [2, 4] },
  { shape: [4, 6, 4], factor: [2, 3, 2] },
] as const;
const CHANNELS = 3;
const BATCH = 2;

function field(shape: readonly number[]): FieldInfo {
  const sites = shape.reduce((p, n) => p * n, 1);
  return { shape: [...shape], dims: shape.length, sites, channels: CHANNELS, complex: false, realChannels: CHANNELS, size: sites * CHANNELS } as FieldInfo;
}

/** For every input element (b, site, c), the index of its output element (b, block, c). */
function blockOf(shape: readonly number[], factor: readonly number[]): number[] {
  const outShape = shape.map((n, a) => n / factor[a]!);
  const sites = shape.reduce((p, n) => p * n, 1);
  const outSites = outShape.reduce((p, n) => p * n, 1);
  const map: number[] = [];
  for (let b = 0; b < BATCH; b++) {
    for (let s = 0; s < sites; s++) {
      let rest = s;
      let o = 0;
      for (let a = shape.length - 1, stride = 1; a >= 0; a--) {
        const i = rest % shape[a]!;
        rest = Math.floor(rest / shape[a]!);
        o += Math.floor(i / factor[a]!) * stride;
        stride *= outShape[a]!;
      }
      for (let c = 0; c < CHANNELS; c++) map.push((b * outSites + o) * CHANNELS + c);
    }
  }
  return map;
}

/** The reference pooled values and input gradient, in float64. */
function reference(reduce: 'max' | 'mean', x: Float32Array, dy: Float32Array, block: number[]) {
  const size = x.length / dy.length;
  const y = new Array<number>(dy.length).fill(reduce === 'max' ? -Infinity : 0);
  const arg = new Array<number>(dy.length).fill(-1);
  block.forEach((o, i) => {
    if (reduce === 'mean') y[o]! += x[i]! / size;
    else if (x[i]! > y[o]!) {
      y[o] = x[i]!;
      arg[o] = i;
    }
  });
  const dx = block.map((o, i) => (reduce === 'mean' ? dy[o]! / size : arg[o] === i ? dy[o]! : 0));
  return { y, dx };
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`the pool stage on the ${backend} backend`, () => {
    const registry = createDefaultRegistry();
    let previous: string;
    beforeAll(async () => {
      previous = tf.getBackend();
      await registry.ready({ backend });
    });
    afterAll(async () => {
      if (previous) await tf.setBackend(previous);
    });

    const cases = (['max', 'mean'] as const).flatMap((reduce) => GRIDS.map((g) => [`${reduce}, ${g.shape.length}-D ${g.shape.join('×')} by ${g.factor.join('×')}`, reduce, g] as const));
    it.each(cases)('%s: pooled values and the input gradient equal the reference', (_, reduce, g) => {
      const input = field(g.shape);
      const stage = stages.pool.create({ options: { factor: [...g.factor], reduce }, input, seed: 0, registry, path: 'p' });
      const before = tf.memory().numTensors;
      const [x, y, dy, dx] = tf.tidy(() => {
        const xt = tf.randomNormal([BATCH, input.size], 0, 1, 'float32', 5) as Tensor2D;
        const yt = stage.forward(xt, { training: true });
        const dyt = tf.randomNormal(yt.shape, 0, 1, 'float32', 6);
        const dxt = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(stage.forward(a as Tensor2D, { training: true }), dyt)))(xt);
        return [xt, yt, dyt, dxt].map((t) => t.dataSync() as Float32Array);
      });
      const want = reference(reduce, x!, dy!, blockOf(g.shape, g.factor));
      if (reduce === 'max') {
        expect(Array.from(y!)).toEqual(want.y);
        expect(Array.from(dx!, (v) => v + 0)).toEqual(want.dx); // + 0: a −0 from the kernels is the reference's 0
        expect(want.dx.filter((v) => v !== 0)).toHaveLength(y!.length); // one maximum per block and channel
      } else {
        want.y.forEach((v, i) => expect(y![i]).toBeCloseTo(v, 6));
        want.dx.forEach((v, i) => expect(dx![i]).toBeCloseTo(v, 6));
      }
      expect(tf.memory().numTensors).toBe(before);
    });
  });
}
