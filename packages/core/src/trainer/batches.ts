import { seededRandom } from '../random/seeded-random.js';

/**
 * The order in which epoch `epoch` visits `n` samples: a Fisher–Yates shuffle
 * drawn from a generator seeded by (`seed`, `epoch`) alone, so the order of
 * any epoch can be rebuilt without replaying the ones before it, which is how a
 * resumed fit shuffles exactly as the uninterrupted one did.
 *
 * @example
 * ```ts
 * epochOrder(5, 42, 3); // e.g. Int32Array [3, 0, 4, 1, 2], the same every run
 * ```
 */
export function epochOrder(n: number, seed: number, epoch: number): Int32Array {
  const order = identityOrder(n);
  const rand = seededRandom(mixSeed(seed, epoch));
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

/**
 * The sample indices of each batch of an epoch: consecutive runs of `order`
 * (or of 0 … n − 1 when `order` is undefined) of `batchSize` samples, the last
 * one shorter when `batchSize` does not divide n.
 */
export function batchIndices(n: number, batchSize: number, order?: Int32Array): Int32Array[] {
  const all = order ?? identityOrder(n);
  const out: Int32Array[] = [];
  for (let start = 0; start < n; start += batchSize) out.push(all.subarray(start, Math.min(n, start + batchSize)));
  return out;
}

/** 0, 1, …, n − 1 (a plain loop: `Int32Array.from` with a map function is several times slower). */
function identityOrder(n: number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order;
}

/** One 32-bit seed from two integers (murmur3's finalizer over a golden-ratio step), so nearby pairs give unrelated streams. */
function mixSeed(seed: number, epoch: number): number {
  let h = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(epoch | 0, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
