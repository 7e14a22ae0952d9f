import { tf, type Tensor2D } from 'npde';

/** White-noise fields: i.i.d. N(0, std²) values, `[n, N]`. */
export function whiteNoise(n: number, N: number, std: number, seed: number): Tensor2D {
  return tf.randomNormal([n, N], 0, std, 'float32', seed) as Tensor2D;
}

/**
 * Smooth periodic fields: random sums of the lowest `modes` Fourier modes,
 * scaled to standard deviation `std`, `[n, N]`.
 */
export function smoothFields(n: number, N: number, std: number, seed: number, modes = 3): Tensor2D {
  return tf.tidy(() => {
    const coef = tf.randomNormal([n, 2 * modes], 0, 1, 'float32', seed);
    const basis: number[][] = [];
    for (let k = 1; k <= modes; k++) {
      basis.push(Array.from({ length: N }, (_, i) => Math.cos((2 * Math.PI * k * i) / N)));
      basis.push(Array.from({ length: N }, (_, i) => Math.sin((2 * Math.PI * k * i) / N)));
    }
    const f = tf.matMul(coef, tf.tensor2d(basis));
    const { variance } = tf.moments(f);
    return tf.mul(f, tf.div(std, tf.sqrt(variance))) as Tensor2D;
  });
}

/** Add Gaussian noise of `level` × std(y) to `y` (a new tensor). */
export function addNoise(y: Tensor2D, level: number, seed: number): Tensor2D {
  if (level <= 0) return y.clone();
  return tf.tidy(() => {
    const { variance } = tf.moments(y);
    return tf.add(y, tf.mul(tf.randomNormal(y.shape, 0, 1, 'float32', seed), tf.mul(level, tf.sqrt(variance)))) as Tensor2D;
  });
}

/** Mean squared error between two tensors, as a number. */
export function mseOf(a: Tensor2D, b: Tensor2D): number {
  return tf.tidy(() => tf.mean(tf.squaredDifference(a, b)).dataSync()[0]!);
}
