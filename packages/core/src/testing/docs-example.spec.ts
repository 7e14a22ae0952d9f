// The complete example of docs/plugins.md, kept compiling and passing: a third-party
// package `my-npde-plugins` with a kernel family and an activation, registered and
// checked with the conformance kit. It imports npde only through the package entries
// '@npde/core' and '@npde/core/testing', as a plugin package would.
// Keep it in sync with docs/plugins.md.
import {
  ErrorCodes,
  NeuralPde,
  Registry,
  UnsupportedFieldError,
  defineActivation,
  defineKernelFamily,
  findMoment,
  momentLabel,
  multiIndices,
  tf,
  v,
  type KernelInstance,
  type Tensor2D,
} from '@npde/core';
import {
  checkActivation,
  checkKernelFamily,
  checkRoundTrip,
  referenceEuler,
  referenceNoReservoir,
  referencePdeStage,
  withReferenceDefaults,
} from '@npde/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';

// ---- my-npde-plugins/src/diffusion.ts

const DIFFUSION_ID = 'my-npde-plugins/diffusion';

/** Options of {@link diffusion}. */
export const DiffusionOptionsSchema = v.strictObject({
  /** Initial diffusion coefficient D, in (0, 0.5] (default 0.1). */
  D: v.optional(v.pipe(v.number(), v.gtValue(0), v.maxValue(0.5)), 0.1),
});

/** Validated options of {@link diffusion}. */
export type DiffusionOptions = v.InferOutput<typeof DiffusionOptionsSchema>;

/**
 * Periodic 1-D diffusion: `(W z)_i = z_i + D (z_{i−1} − 2 z_i + z_{i+1})`, one
 * trainable D shared by every site and layer. Moments: W_0 = 1, W_1 = 0, W_2 = 2D.
 */
export const diffusion = defineKernelFamily<DiffusionOptions>({
  id: DIFFUSION_ID,
  description: 'periodic 1-D diffusion stencil W = I + D·Δ with one trainable D',
  options: DiffusionOptionsSchema,
  create: ({ field, layers, options }): KernelInstance => {
    if (field.points || field.dims !== 1 || field.realChannels !== 1 || field.sites < 3) {
      throw new UnsupportedFieldError(ErrorCodes.UNSUPPORTED_FIELD, 'the diffusion stencil needs a 1-D grid', {
        path: 'field',
        expected: 'a 1-D grid with one real channel and ≥ 3 sites, e.g. { shape: [64] }',
        received: `shape [${field.shape.join(', ')}] with ${field.realChannels} real channels`,
        plugin: DIFFUSION_ID,
        hook: 'create',
      });
    }
    const n = field.sites;
    const D = tf.tidy(() => tf.variable(tf.scalar(options.D), true)); // tidy frees the initial scalar
    const d = () => D.dataSync()[0]!;
    return {
      params: { D },
      paramCount: 1,
      apply: (z: Tensor2D) => {
        const left = tf.concat([tf.slice(z, [0, n - 1], [-1, 1]), tf.slice(z, [0, 0], [-1, n - 1])], 1); // z_{i−1}
        const right = tf.concat([tf.slice(z, [0, 1], [-1, n - 1]), tf.slice(z, [0, 0], [-1, 1])], 1); // z_{i+1}
        return tf.add(z, tf.mul(D, tf.sub(tf.add(left, right), tf.mul(z, 2)))) as Tensor2D;
      },
      dense: () => {
        const w = new Float32Array(n * n);
        for (let i = 0; i < n; i++) {
          w[i * n + i] = 1 - 2 * d();
          w[i * n + ((i + n - 1) % n)] = d();
          w[i * n + ((i + 1) % n)] = d();
        }
        return tf.tensor2d(w, [n, n]);
      },
      // The same W as per-site taps [z_{i−1}, z_i, z_{i+1}], so a model can run it as one fused op.
      stencil: () => ({
        taps: tf.tile(tf.reshape(tf.stack([D, tf.sub(1, tf.mul(D, 2)), D]), [1, 3]), [n, 1]) as Tensor2D,
        geometry: { dims: 1, sites: n, radius: 1 },
        boundary: 'periodic',
      }),
      moments: (_layer, maxOrder) => ({
        dims: 1,
        sites: n,
        order: maxOrder,
        moments: multiIndices(1, maxOrder).map((alpha) => ({
          alpha,
          label: momentLabel(alpha),
          values: new Array<number>(n).fill(alpha[0] === 0 ? 1 : d() * ((-1) ** alpha[0]! + 1)),
        })),
      }),
      physics: () => [
        { name: 'D', description: 'diffusion coefficient', values: Array.from({ length: layers }, () => new Array<number>(n).fill(d())) },
      ],
      dispose: () => D.dispose(),
    };
  },
});

// ---- my-npde-plugins/src/scaled-tanh.ts

/** Options of {@link scaledTanh}. */
export const ScaledTanhOptionsSchema = v.strictObject({
  /** Slope at 0, > 0 (default 1). */
  scale: v.optional(v.pipe(v.number(), v.finite(), v.gtValue(0)), 1),
});

/** f(x) = tanh(scale · x). */
export const scaledTanh = defineActivation<v.InferOutput<typeof ScaledTanhOptionsSchema>>({
  id: 'my-npde-plugins/scaled-tanh',
  description: 'f(x) = tanh(scale·x)',
  options: ScaledTanhOptionsSchema,
  create: ({ options }) => ({ apply: (x) => tf.tanh(tf.mul(x, options.scale)) }),
});

// ---- my-npde-plugins/src/index.ts

/** Every plugin of this package, for `registry.register(plugins)`. */
export const plugins = [diffusion, scaledTanh] as const;

// ---- my-npde-plugins/src/plugins.spec.ts

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('my-npde-plugins', () => {
  it('diffusion keeps the kernel contract', async () => {
    await checkKernelFamily(diffusion, { field: { shape: [16] }, layers: 3, options: { D: 0.2 } });
  });

  it('scaled-tanh keeps the activation contract', async () => {
    await checkActivation(scaledTanh, { scale: 2 });
  });

  it('a model made of them saves and loads bit for bit', async () => {
    const registry = withReferenceDefaults(new Registry().register(plugins, referenceEuler, referenceNoReservoir, referencePdeStage));
    await checkRoundTrip(
      {
        field: { shape: [16] },
        layers: 4,
        omega: 0.5,
        kernel: { id: 'my-npde-plugins/diffusion', options: { D: 0.2 } },
        activation: 'my-npde-plugins/scaled-tanh',
        integrator: referenceEuler.id,
        reservoir: referenceNoReservoir.id,
      },
      registry,
    );
  });

  it('reads as physics and reports bad options by path', () => {
    const registry = withReferenceDefaults(new Registry().register(plugins, referenceEuler, referenceNoReservoir, referencePdeStage));
    const spec = {
      field: { shape: [16] },
      layers: 2,
      kernel: { id: 'my-npde-plugins/diffusion', options: { D: 0.2 } },
      activation: 'my-npde-plugins/scaled-tanh',
      integrator: referenceEuler.id,
      reservoir: referenceNoReservoir.id,
    };
    const model = NeuralPde.create(spec, { registry });
    const m = model.kernel.moments!(0, 2);
    expect(['W0', 'W1', 'W2'].map((label) => findMoment(m, label)!.values[0])).toEqual([1, 0, expect.closeTo(0.4, 6)]);
    expect(model.kernel.physics!()[0]!.values[1]![5]).toBeCloseTo(0.2, 6);
    model.dispose();

    const bad = { ...spec, kernel: { id: 'my-npde-plugins/diffusion', options: { D: 2 } } };
    expect(() => NeuralPde.create(bad, { registry })).toThrow(
      expect.objectContaining({ code: ErrorCodes.INVALID_OPTIONS, path: 'kernel.options.D', plugin: 'my-npde-plugins/diffusion' }),
    );
    expect(() => NeuralPde.create({ ...spec, field: { shape: [4, 4] } }, { registry })).toThrow(
      expect.objectContaining({ code: ErrorCodes.UNSUPPORTED_FIELD, path: 'field' }),
    );
  });
});
