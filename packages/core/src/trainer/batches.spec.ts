import { describe, expect, it } from 'vitest';
import { batchIndices, epochOrder } from './batches.js';

describe('epochOrder', () => {
  it('is a permutation that depends on (seed, epoch) only', () => {
    const a = epochOrder(50, 7, 3);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(epochOrder(50, 7, 3)).toEqual(a);
    // Epoch 3 is the same whether or not epochs 1 and 2 were drawn first (no shared generator state).
    epochOrder(50, 7, 1);
    epochOrder(50, 7, 2);
    expect(epochOrder(50, 7, 3)).toEqual(a);
  });

  it('differs between epochs and between seeds', () => {
    const orders = [epochOrder(50, 7, 1), epochOrder(50, 7, 2), epochOrder(50, 8, 1), epochOrder(50, 8, 2), epochOrder(50, 0, 0)];
    const keys = new Set(orders.map((o) => o.join()));
    expect(keys.size).toBe(orders.length);
  });
});

describe('batchIndices', () => {
  it('cuts the order into batches, the last one shorter', () => {
    const order = epochOrder(10, 1, 1);
    const batches = batchIndices(10, 4, order);
    expect(batches.map((b) => b.length)).toEqual([4, 4, 2]);
    expect(batches.flatMap((b) => [...b])).toEqual([...order]);
    expect(batchIndices(3, 5).map((b) => [...b])).toEqual([[0, 1, 2]]);
  });
});
