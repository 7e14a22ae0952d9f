import { ErrorCodes, FieldSpecSchema, ValidationError, v, type CompositeModelSpec, type FieldSpec, type OmegaSpec, type PluginRef, type StageSpec } from '@npde/core';
import { PresetOmegaSchema, PresetPluginSchema, positiveInteger, presetOptions } from './shared.js';

/** The stencil families of the {@link cnn} preset's PDE blocks. */
export const CNN_STENCILS = ['adr', 'depthwise', 'free'] as const;

/** One of {@link CNN_STENCILS}. */
export type CnnStencil = (typeof CNN_STENCILS)[number];

const perResolution = v.union([positiveInteger, v.pipe(v.array(positiveInteger), v.minLength(1))], 'a positive integer or a non-empty array of them');

/** valibot schema of {@link CnnPresetOptions}. */
export const CnnPresetSchema = v.strictObject({
  /** Geometry of one input sample: a 2-D grid. */
  input: FieldSpecSchema,
  /** Number of outputs K of the readout. */
  outputs: positiveInteger,
  /** Channels per resolution (default [8, 16]). */
  channels: v.optional(v.pipe(v.array(positiveInteger), v.minLength(1)), [8, 16]),
  /** PDE blocks per resolution (default 1). */
  depth: v.optional(perResolution, 1),
  /** Relaxation steps per block (default 1). */
  layers: v.optional(positiveInteger, 1),
  /** Stencil family: `adr` (default), `depthwise` or `free`. */
  stencil: v.optional(v.picklist(CNN_STENCILS), 'adr'),
  /** Diffusion of the `adr` stencil (default `tensor`). */
  diffusion: v.optional(v.picklist(['isotropic', 'diagonal', 'tensor']), 'tensor'),
  /** Boundary of the stencils (default `zero`). */
  boundary: v.optional(v.picklist(['zero', 'periodic', 'reflecting']), 'zero'),
  /** ω (default 0.5). */
  omega: v.optional(PresetOmegaSchema, 0.5),
  /** Activation f (default `@npde/activations/tanh`). */
  activation: v.optional(PresetPluginSchema, '@npde/activations/tanh'),
  /** Coarse-graining factor after each resolution: one for all, or one per resolution (default 2). */
  coarsen: v.optional(perResolution, 2),
  /** Pooling: block average (`average`, default) or maximum (`max`). */
  pooling: v.optional(v.picklist(['average', 'max']), 'average'),
  /** Readout from channel averages (`average`, default) or from every value (`full`). */
  readout: v.optional(v.picklist(['average', 'full']), 'average'),
  /** Standard deviation of the initial perturbation of every stencil coefficient (default 0.3/√C). */
  noise: v.optional(v.pipe(v.number(), v.finite(), v.minValue(0))),
  /** Integer seed (default 0). */
  seed: v.optional(v.pipe(v.number(), v.integer()), 0),
});

/** Options of {@link cnn}. */
export interface CnnPresetOptions {
  /** Geometry of one input sample: a 2-D grid (`{ shape: [28, 28] }`), optionally with channels. */
  readonly input: FieldSpec;
  /** Number of outputs K (classes). */
  readonly outputs: number;
  /** Channels C_r of each resolution r, in order (default `[8, 16]`: two resolutions). */
  readonly channels?: readonly number[];
  /** PDE blocks at each resolution: one number for all, or one per resolution (default 1). Each block has its own coefficients. */
  readonly depth?: number | readonly number[];
  /** Relaxation steps of each block, all with the block's coefficients (default 1). */
  readonly layers?: number;
  /**
   * The blocks' kernel: `adr` (default), per-channel advection U (2 per channel) and diffusion
   * D (1, 2 or 3 per channel, see `diffusion`) shared over the sites, with a C × C
   * reaction matrix R mixing the channels (`@npde/kernels/adr`, `homogeneous`; C·(2 + d_D) + C²
   * parameters); `depthwise`, a free 3 × 3 stencil per channel (any transport the 9 taps can
   * express, read through their moments) plus the same C × C reaction matrix
   * (`@npde/kernels/convolution`, `depthwise` with `reaction: 'mixing'`: 9·C + C² parameters;
   * 9 for C = 1, whose centre tap is the reaction); or `free`, a free 3 × 3 stencil for every
   * channel pair, the reaction being its centre (`@npde/kernels/convolution`, `mixing`: 9·C²
   * parameters, a conventional convolution layer).
   */
  readonly stencil?: CnnStencil;
  /** Diffusion of the `adr` stencil: `isotropic`, `diagonal` (5-point stencils) or `tensor` (default, 9-point). */
  readonly diffusion?: 'isotropic' | 'diagonal' | 'tensor';
  /** What the stencils read outside the grid (default `zero`, the `same` padding of a CNN). */
  readonly boundary?: 'zero' | 'periodic' | 'reflecting';
  /** ω = γ·dt of every block (default 0.5: half of each step relaxes toward f(W z)). */
  readonly omega?: OmegaSpec;
  /** Activation f (default `@npde/activations/tanh`). */
  readonly activation?: PluginRef;
  /**
   * Coarse-graining factor (average pooling) after each resolution: one number for all, or one
   * per resolution (default 2); every axis must stay divisible. `[2, 2, 7]` on 28 × 28 ends at
   * 1 × 1: the last resolution's channels averaged over the whole grid (global pooling).
   */
  readonly coarsen?: number | readonly number[];
  /**
   * How the pools coarse-grain a block of sites: its `average` (default: diffusion
   * followed by subsampling, the physical coarse-graining) or its `max` (the
   * max-pooling of conventional CNNs).
   */
  readonly pooling?: 'average' | 'max';
  /** The readout: from each channel's mean (`average`, default: C·K weights) or from every value (`full`). */
  readonly readout?: 'average' | 'full';
  /** Standard deviation of the seeded perturbation of the initial stencil coefficients (default 0.3/√C per block). */
  readonly noise?: number;
  /** Integer seed for parameter initialization (default 0). */
  readonly seed?: number;
}

/** An option given as one number for all R resolutions or as one per resolution, as R numbers; throws when an array's length is not R. */
function perResolutionValues(value: number | readonly number[], R: number, option: string, what: string): readonly number[] {
  const values = typeof value === 'number' ? new Array<number>(R).fill(value) : value;
  if (values.length !== R) {
    throw new ValidationError(ErrorCodes.INVALID_OPTIONS, what, {
      path: `cnn.${option}`,
      expected: `a number, or an array of ${R} numbers (one per entry of channels)`,
      received: `an array of ${values.length}`,
    });
  }
  return values;
}

function kernel(o: v.InferOutput<typeof CnnPresetSchema>, C: number): PluginRef {
  const noise = o.noise ?? 0.3 / Math.sqrt(C);
  if (o.stencil === 'free') {
    return { id: '@npde/kernels/convolution', options: { radius: 1, footprint: 'box', channels: C > 1 ? 'mixing' : 'shared', boundary: o.boundary, init: { center: 1, noise } } };
  }
  if (o.stencil === 'depthwise') {
    const reaction = C > 1 ? 'mixing' : 'none';
    return { id: '@npde/kernels/convolution', options: { radius: 1, footprint: 'box', channels: 'depthwise', reaction, boundary: o.boundary, init: { center: 1, noise } } };
  }
  return { id: '@npde/kernels/adr', options: { family: 'homogeneous', diffusion: o.diffusion, boundary: o.boundary, init: { U: 0, D: 0.1, R: 0, noise } } };
}

/**
 * Guo et al.'s CNN (theory §7): the diffusion equation discretized in space
 * and time is a convolutional network, its time slices the layers and its
 * stencil the convolution kernel. The spec this returns is
 *
 *     lift (mix 1 → C₀) → [pde block]×depth₀ → pool → mix C₀ → C₁ → [pde block]×depth₁ → pool → … → readout
 *
 * each `pde` block being `layers` steps of `z ← (1 − ω) z + ω f(W z)` on the
 * multi-channel grid, W = per-channel transport stencils plus a channel-mixing
 * reaction (see `stencil`), the pools coarse-graining the field by `coarsen`
 * (diffusion followed by subsampling), and the channel mixes between
 * resolutions the lifts into more channels. Blocks have no bias (a per-site
 * bias would cost H·W·C parameters); the mixes carry one per channel.
 *
 * Stage names: `lift`, then per resolution r `r<r>.block<i>`, `r<r>.pool` and
 * (r > 0) `r<r>.lift`, then `head`. The result is an ordinary composite
 * model spec. Throws a `ValidationError` (`NPDE_INVALID_OPTIONS`, path
 * `cnn.…`) for bad options, a non-2-D input, a `depth` array whose length is
 * not the number of resolutions, or a grid that `coarsen` does not divide.
 *
 * @example
 * ```ts
 * const spec = stages.cnn({ input: { shape: [28, 28] }, outputs: 10, channels: [8, 16], depth: [1, 2], stencil: 'adr' });
 * const model = NeuralPde.create(spec, { registry });   // 28×28 → 14×14 → 7×7 → 10 logits
 * ```
 */
export function cnn(options: CnnPresetOptions): CompositeModelSpec {
  const o = presetOptions(CnnPresetSchema, options, 'cnn');
  const shape = o.input.shape;
  if (!shape || shape.length !== 2) {
    throw new ValidationError(ErrorCodes.INVALID_OPTIONS, 'the cnn preset needs a 2-D grid input', {
      path: 'cnn.input.shape',
      expected: 'a 2-D grid shape [H, W]',
      received: shape ? `[${shape.join(', ')}]` : 'scattered points',
      hint: 'Give the images as { shape: [H, W] } (channels optional).',
    });
  }
  const R = o.channels.length;
  const depth = perResolutionValues(o.depth, R, 'depth', 'one depth per resolution');
  const coarsen = perResolutionValues(o.coarsen, R, 'coarsen', 'one coarse-graining factor per resolution');
  const stages: StageSpec[] = [{ id: '@npde/stages/mix', name: 'lift', options: { channels: o.channels[0] } }];
  let grid = [...shape];
  o.channels.forEach((C, r) => {
    if (r > 0) stages.push({ id: '@npde/stages/mix', name: `r${r}.lift`, options: { channels: C } });
    for (let i = 0; i < depth[r]!; i++) {
      stages.push({
        id: '@npde/stages/pde',
        name: `r${r}.block${i}`,
        options: { layers: o.layers, omega: o.omega, activation: o.activation, bias: 'none', kernel: kernel(o, C) },
      });
    }
    const factor = coarsen[r]!;
    if (factor > 1) {
      if (grid.some((n) => n % factor !== 0)) {
        throw new ValidationError(ErrorCodes.INVALID_OPTIONS, 'the grid cannot be coarse-grained by this factor', {
          path: 'cnn.coarsen',
          expected: `a factor dividing the grid [${grid.join(', ')}] at resolution ${r}`,
          received: String(factor),
          hint: 'Use fewer resolutions, another factor, or coarsen: 1.',
        });
      }
      stages.push({ id: '@npde/stages/pool', name: `r${r}.pool`, options: { factor, reduce: o.pooling === 'max' ? 'max' : 'mean' } });
      grid = grid.map((n) => n / factor);
    }
  });
  stages.push({ id: '@npde/stages/readout', name: 'head', options: { outputs: o.outputs, average: o.readout === 'average' } });
  return { input: o.input as FieldSpec, seed: o.seed, stages };
}
