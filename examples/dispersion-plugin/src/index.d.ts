import type { AnyPlugin, KernelFamily, v } from '@npde/core';

/** Plugin id of {@link hyper}. */
export declare const HYPER_ID: '@acme/npde-dispersion/hyper';

/** Tap offsets of the 5-point stencil, in tap order: −2, −1, 0, 1, 2. */
export declare const OFFSETS: readonly number[];

/** Options schema of {@link hyper} (valibot, through `@npde/core`'s `v`). */
export declare const HyperOptionsSchema: v.GenericSchema<unknown, HyperOptions>;

/** Validated options of {@link hyper}. */
export interface HyperOptions {
  /** `homogeneous`: one c3 and one c4; `heterogeneous`: one of each per site. */
  readonly family: 'homogeneous' | 'heterogeneous';
  /** `periodic` wraps the grid; `zero` reads 0 outside it. */
  readonly boundary: 'periodic' | 'zero';
  /** Grid spacing Δ > 0. */
  readonly dx: number;
  /** Initial values. */
  readonly init: {
    /** Initial dispersion coefficient c3. */
    readonly c3: number;
    /** Initial hyper-diffusion coefficient c4 (< 0 smooths). */
    readonly c4: number;
    /** Standard deviation of noise added to the initial values. */
    readonly noise: number;
  };
}

/** The five taps of W = I + c3∂³ + c4∂⁴ for a = c3/Δ³, b = c4/Δ⁴ (offsets −2 … 2). */
export declare function hyperTaps(a: number, b: number): number[];

/** Dispersion / hyper-diffusion kernel family W = I + c3∂³ + c4∂⁴ on a 5-point 1-D stencil. */
export declare const hyper: KernelFamily<HyperOptions>;

/** Every plugin of this package. */
export declare const plugins: readonly AnyPlugin[];
