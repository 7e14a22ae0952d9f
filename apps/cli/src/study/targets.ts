/**
 * The initial state and the target classes of the reachability study
 * (docs/study.md). Every field lives on a periodic 1-D grid of N sites
 * in grid units; amplitudes stay below 1 so that a tanh model can reach them.
 */
import { seededRandom } from '@npde/core';

/** The target classes, in table order. */
export const TARGET_NAMES = ['bump', 'shifted-bump', 'step', 'oscillation', 'random-smooth', 'white-noise'] as const;

/** One of {@link TARGET_NAMES}. */
export type TargetName = (typeof TARGET_NAMES)[number];

/** What each target class is, in one line (for tables and the docs). */
export const TARGET_DESCRIPTIONS: Readonly<Record<TargetName, string>> = {
  bump: 'Gaussian at the centre, σ = N/16, height 0.8 (the seed reshaped in place)',
  'shifted-bump': 'the same Gaussian moved N/4 sites to the right (needs transport)',
  step: '0.6 on the right half [N/2, N), 0 on the left (two jumps on the ring)',
  oscillation: '0.5·sin(2π·4q/N): four periods over the ring, changing sign',
  'random-smooth': 'random sum of Fourier modes k = 1..4, std 0.35 (seeded)',
  'white-noise': 'i.i.d. N(0, 0.35²) per site, clipped to ±0.9 (seeded)',
};

/** Amplitude of the seed z₀. */
export const SEED_HEIGHT = 0.5;

/** Half-width w of the seed: it is non-zero on the 2w − 1 sites |q − N/2| < w. */
export function seedHalfWidth(N: number): number {
  return Math.max(2, Math.round(N / 8));
}

/**
 * The initial state z₀ every run starts from: a raised-cosine bump at the
 * centre, `0.5·cos²(π(q − N/2)/(2w))` for |q − N/2| < w and exactly 0
 * elsewhere, so its support is compact and the light cone of a 3-point
 * stencil is exact (see {@link lightCone}).
 */
export function initialState(N: number): number[] {
  const c = N / 2;
  const w = seedHalfWidth(N);
  return Array.from({ length: N }, (_, q) => (Math.abs(q - c) < w ? SEED_HEIGHT * Math.cos((Math.PI * (q - c)) / (2 * w)) ** 2 : 0));
}

/** Standard normal samples from a uniform PRNG (Box–Muller). */
function normals(n: number, rand: () => number): number[] {
  const out: number[] = [];
  while (out.length < n) {
    const u = Math.max(rand(), 1e-12);
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    out.push(r * Math.cos(2 * Math.PI * v), r * Math.sin(2 * Math.PI * v));
  }
  return out.slice(0, n);
}

/** Periodic distance between sites a and b on a ring of N sites. */
export function ringDistance(a: number, b: number, N: number): number {
  const d = Math.abs(a - b) % N;
  return Math.min(d, N - d);
}

function gaussian(N: number, centre: number, sigma: number, height: number): number[] {
  return Array.from({ length: N }, (_, q) => height * Math.exp(-(ringDistance(q, centre, N) ** 2) / (2 * sigma * sigma)));
}

function scaleToStd(values: number[], std: number): number[] {
  const mean = values.reduce((s, x) => s + x, 0) / values.length;
  const sd = Math.sqrt(values.reduce((s, x) => s + (x - mean) ** 2, 0) / values.length);
  return values.map((x) => ((x - mean) * std) / sd);
}

const clip = (x: number, m: number) => Math.max(-m, Math.min(m, x));

/**
 * The target field of class `name` on N sites. `seed` only matters for
 * `random-smooth` and `white-noise`; the others are fixed shapes.
 */
export function makeTarget(name: TargetName, N: number, seed: number): number[] {
  const c = N / 2;
  switch (name) {
    case 'bump':
      return gaussian(N, c, N / 16, 0.8);
    case 'shifted-bump':
      return gaussian(N, c + N / 4, N / 16, 0.8);
    case 'step':
      return Array.from({ length: N }, (_, q) => (q >= c ? 0.6 : 0));
    case 'oscillation':
      return Array.from({ length: N }, (_, q) => 0.5 * Math.sin((2 * Math.PI * 4 * q) / N));
    case 'random-smooth': {
      const g = normals(8, seededRandom(seed * 7919 + 11));
      const f = Array.from({ length: N }, (_, q) => {
        let s = 0;
        for (let k = 1; k <= 4; k++) {
          const t = (2 * Math.PI * k * q) / N;
          s += g[2 * k - 2]! * Math.cos(t) + g[2 * k - 1]! * Math.sin(t);
        }
        return s;
      });
      return scaleToStd(f, 0.35).map((x) => clip(x, 0.9));
    }
    case 'white-noise':
      return normals(N, seededRandom(seed * 7919 + 23)).map((x) => clip(0.35 * x, 0.9));
  }
}

/**
 * Whether site q lies in the light cone of the seed after L steps of a
 * 3-point stencil: z_L(q) depends on z₀ only at sites within L of q, so a
 * site farther than L from the seed's support stays exactly 0 under every ADR
 * model without bias (tanh(0) = 0).
 */
export function lightCone(N: number, L: number): boolean[] {
  const w = seedHalfWidth(N);
  const c = N / 2;
  // Seed support: |s − c| < w; the cone reaches ring distance < w + L from the centre.
  return Array.from({ length: N }, (_, q) => ringDistance(q, c, N) < w + L);
}

/**
 * The smallest relative distance any ADR model of depth L can reach for
 * `target`: ‖target outside the light cone‖ / ‖target‖ (0 once the cone
 * covers the ring). A dense kernel couples every site and has no such floor.
 */
export function lightConeFloor(target: readonly number[], L: number): number {
  const cone = lightCone(target.length, L);
  let out = 0;
  let all = 0;
  target.forEach((y, q) => {
    all += y * y;
    if (!cone[q]) out += y * y;
  });
  return Math.sqrt(out / all);
}

/** Relative L2 distance ‖z − y‖ / ‖y‖. */
export function relativeDistance(z: readonly number[], y: readonly number[]): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < y.length; i++) {
    num += (z[i]! - y[i]!) ** 2;
    den += y[i]! ** 2;
  }
  return Math.sqrt(num / den);
}
