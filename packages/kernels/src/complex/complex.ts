import {
  ErrorCodes,
  UnsupportedFieldError,
  ValidationError,
  defineKernelFamily,
  tf,
  type FieldInfo,
  type KernelFamily,
  type KernelInstance,
  type KernelMoments,
  type PhysicalQuantity,
  type Tensor,
  type Tensor2D,
} from '@npde/core';
import { assertLayer, assertMaxOrder } from '../instance/layer-index.js';
import { instancePrefix } from '../instance/variable-name.js';
import { siteCoordinates } from '../moments/dense-moments.js';
import { footprint, shiftAxis, tapKernelMoments } from '../stencil/index.js';
import { ComplexOptionsSchema, type ComplexOptions } from './options.js';

const ID = '@npde/kernels/complex';

/** The potential option resolved to one value per site (row-major). */
export function potentialValues(potential: ComplexOptions['potential'], field: Pick<FieldInfo, 'shape' | 'sites'>, path = 'kernel.options.potential'): number[] {
  const { shape, sites } = field;
  if (typeof potential === 'number') return new Array<number>(sites).fill(potential);
  if (Array.isArray(potential)) {
    if (potential.length !== sites) {
      throw new ValidationError(ErrorCodes.INVALID_OPTIONS, 'the potential needs one value per site', {
        path,
        expected: `${sites} values (row-major over [${shape.join(', ')}])`,
        received: `${potential.length} values`,
        plugin: ID,
        hook: 'create',
      });
    }
    return [...potential];
  }
  const { harmonic: omega, center = shape.map((n) => (n - 1) / 2) } = potential as { harmonic: number; center?: number[] };
  if (center.length !== shape.length) {
    throw new ValidationError(ErrorCodes.INVALID_OPTIONS, 'the harmonic centre needs one coordinate per axis', {
      path: `${path}.center`,
      expected: `${shape.length} coordinates`,
      received: `${center.length}`,
      plugin: ID,
      hook: 'create',
    });
  }
  return siteCoordinates({ shape, dims: shape.length, sites, realChannels: 1 }).map(
    (x) => 0.5 * omega * omega * x.reduce((s, xa, a) => s + (xa - center[a]!) ** 2, 0),
  );
}

/**
 * Complex-field kernel (theory §7): a complex field ψ carried as two coupled
 * real channels (`field: { shape, complex: true }`, site-major
 * `[Re ψ, Im ψ]` per complex channel), advanced by one explicit Euler step of
 *
 * - the Schrödinger equation in real time, `i ∂t ψ = −½∇²ψ + Vψ`
 *   (so `∂t Re ψ = H Im ψ`, `∂t Im ψ = −H Re ψ`, H = −½∇² + V);
 * - in imaginary time (`time: 'imaginary'`), `∂t ψ = ½∇²ψ − Vψ`: a
 *   reaction–diffusion equation for each channel, which relaxes to the
 *   ground state of H when the norm is restored between steps;
 * - the paraxial Helmholtz equation (`equation: 'paraxial'`),
 *   `∂z A = (i / 2k) ∇⊥² A` (− i V A with a potential, V = −k δn/n₀ for an
 *   index perturbation δn): diffusion with an imaginary coefficient, i.e. the
 *   real-time Schrödinger equation with ½ replaced by 1/(2k).
 *
 * The kernel is `W = I + dt·L` with L the right-hand side above; ∇² is the
 * (2d+1)-point Laplacian, all in **grid units** (spacing 1: a physical
 * spacing h enters as dt → dt/h² for the Laplacian, k → k·h, V → V·h²).
 * With the identity activation and ω = 1, each relaxation step is then one
 * Euler step `ψ ← W ψ`; in a relaxation block with ω < 1 it is the Euler step
 * of size ω·dt.
 *
 * Stability: in imaginary time the step is stable for `dt ≤ 2 / (2c·2d + max V)`
 * (c = ½, or 1/(2k)). In real time forward Euler has |1 + i dt λ| > 1 for every
 * nonzero eigenvalue λ of H: each mode grows by √(1 + dt²λ²) per step, so keep
 * `dt·λ` small (λ ≤ 4c·d + max V on the grid; the smooth part of a field has λ
 * far below that) or renormalize.
 *
 * Parameter `V` (`[sites]`, shared by every layer and complex channel;
 * trainable unless `trainable: false`). `physics()` reports V;
 * `moments(l, p)` are exact from the stencil's taps, per channel pair
 * (`[out, in]` over the real channels) after a channel-blind entry (receiving
 * channels averaged), with the conventions of the other stencil families (a
 * periodic edge counts the wrapped neighbour at its ring distance ±1; at a
 * zero edge the padding taps are left out, so they equal `dense()`'s moments);
 * `dense(l)` is W. Fields must be 1-, 2- or 3-D grids with `complex: true`.
 *
 * @example
 * ```ts
 * // A Gaussian beam through free space: 200 steps of dz = 0.05 grid units
 * const model = NeuralPde.create({
 *   field: { shape: [128], complex: true }, layers: 200, omega: 1,
 *   kernel: { id: '@npde/kernels/complex', options: { equation: 'paraxial', k: 1, dt: 0.05, trainable: false } },
 *   activation: '@npde/activations/identity',
 * });
 * ```
 */
export const complex: KernelFamily<ComplexOptions> = defineKernelFamily<ComplexOptions>({
  id: ID,
  description: 'complex field as two coupled real channels: Euler step W = I + dt·L of the Schrödinger (real or imaginary time) or paraxial Helmholtz equation',
  options: ComplexOptionsSchema,
  create: ({ field, layers, options }): KernelInstance => {
    if (field.points || !field.complex || field.dims > 3) {
      throw new UnsupportedFieldError(ErrorCodes.UNSUPPORTED_FIELD, 'the complex kernel needs a grid field of complex values', {
        path: 'field',
        expected: 'a 1-, 2- or 3-D grid with complex: true, e.g. { shape: [64], complex: true }',
        received: field.points
          ? `${field.sites} scattered points`
          : `a ${field.dims}-D grid [${field.shape.join(', ')}]${field.complex ? '' : ' of real values'}`,
        plugin: ID,
        hook: 'create',
        hint: 'Declare the field with `complex: true`: each complex value is then carried as two real channels (Re, Im).',
      });
    }
    const { shape, sites, channels, size } = field;
    const dims = shape.length;
    const c = options.equation === 'paraxial' ? 1 / (2 * options.k) : 0.5;
    const imaginary = options.time === 'imaginary';
    const dt = options.dt;
    const values = potentialValues(options.potential, field);
    const offsets = footprint(dims, 1, 'cross');
    const prefix = instancePrefix(ID, ['V']);
    const V = tf.tidy(() => tf.variable(tf.tensor1d(values), options.trainable, `${prefix}/V`));

    /** H t = −c ∇² t + V t on `[batch, ...shape, channels, 2]`. */
    const hamiltonian = (t: Tensor): Tensor => {
      const neighbours: Tensor[] = [];
      for (let axis = 1; axis <= dims; axis++) {
        neighbours.push(shiftAxis(t, axis, 1, options.boundary), shiftAxis(t, axis, -1, options.boundary));
      }
      const laplacian = tf.sub(tf.addN(neighbours), tf.mul(t, 2 * dims));
      return tf.add(tf.mul(laplacian, -c), tf.mul(t, tf.reshape(V, [1, ...shape, 1, 1])));
    };
    const apply = (z: Tensor2D, layer: number): Tensor2D => {
      assertLayer(layer, layers, ID);
      const B = z.shape[0];
      const t = tf.reshape(z, [B, ...shape, channels, 2]);
      const h = hamiltonian(t);
      let rhs: Tensor;
      if (imaginary) rhs = tf.neg(h);
      else {
        // −i H ψ: (Re, Im) ← (H Im, −H Re)
        const last = dims + 2;
        const begin = (k: number) => [...new Array<number>(last).fill(0), k];
        const sizeOf = [...new Array<number>(last).fill(-1), 1];
        rhs = tf.concat([tf.slice(h, begin(1), sizeOf), tf.neg(tf.slice(h, begin(0), sizeOf))], last);
      }
      return tf.reshape(tf.add(t, tf.mul(rhs, dt)), [B, size]) as Tensor2D;
    };

    return {
      params: { V },
      paramCount: sites,
      apply,
      dense(layer: number): Tensor2D {
        assertLayer(layer, layers, ID);
        return tf.tidy(() => tf.transpose(apply(tf.eye(size) as Tensor2D, layer)) as Tensor2D);
      },
      moments(layer: number, maxOrder: number): KernelMoments {
        assertLayer(layer, layers, ID);
        assertMaxOrder(maxOrder, ID);
        const taps = complexTaps(Array.from(V.dataSync()), field, offsets, { c, dt, imaginary });
        return tapKernelMoments({ shape, channels: 2 * channels }, { offsets, boundary: options.boundary, channels: 'mixing' }, taps, true, maxOrder);
      },
      physics(): PhysicalQuantity[] {
        const row = Array.from(V.dataSync());
        return [{ name: 'V', description: 'potential', values: Array.from({ length: layers }, () => row) }];
      },
      dispose(): void {
        V.dispose();
      },
    };
  },
});

/**
 * W = I + dt·L as per-site mixing taps on the (2d + 1)-point cross
 * (`[S, K, R, R]` row-major, R = 2·channels real channels, `[out, in]`), float64:
 * the stencil of H = −c∇² + V (centre `2d·c + V`, neighbours `−c`) placed in
 * each complex channel's 2 × 2 block as `−dt·h·I` (imaginary time) or
 * `dt·h·[[0, 1], [−1, 0]]` (real time: Re ← +H Im, Im ← −H Re), plus I at the centre.
 */
function complexTaps(V: readonly number[], field: FieldInfo, offsets: readonly (readonly number[])[], op: { readonly c: number; readonly dt: number; readonly imaginary: boolean }): Float64Array {
  const { sites, channels } = field;
  const R = 2 * channels;
  const K = offsets.length;
  const dims = field.shape.length;
  const out = new Float64Array(sites * K * R * R);
  for (let s = 0; s < sites; s++) {
    offsets.forEach((o, k) => {
      const centre = o.every((x) => x === 0);
      const h = centre ? 2 * dims * op.c + V[s]! : -op.c;
      const base = (s * K + k) * R * R;
      for (let ch = 0; ch < channels; ch++) {
        const re = 2 * ch;
        const im = re + 1;
        if (op.imaginary) {
          out[base + re * R + re] = -op.dt * h;
          out[base + im * R + im] = -op.dt * h;
        } else {
          out[base + re * R + im] = op.dt * h;
          out[base + im * R + re] = -op.dt * h;
        }
        if (centre) {
          out[base + re * R + re]! += 1;
          out[base + im * R + im]! += 1;
        }
      }
    });
  }
  return out;
}
