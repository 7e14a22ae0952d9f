import { multiIndices, type KernelMoments } from '@npde/core';

/**
 * The channel-blind moments of a 1-D {@link KernelMoments} as `result[k][site]`
 * (the pre-multi-index layout), checking that they come as `W0, W1, …` in order.
 */
export function valuesByOrder(m: KernelMoments): number[][] {
  if (m.dims !== 1) throw new Error(`valuesByOrder: expected 1-D moments, got dims ${m.dims}`);
  const blind = m.moments.filter((e) => e.channels === undefined);
  const alphas = multiIndices(1, m.order);
  if (blind.length !== alphas.length) throw new Error(`valuesByOrder: ${blind.length} channel-blind moments for order ${m.order}`);
  return blind.map((e, k) => {
    if (e.alpha[0] !== k || e.label !== `W${k}`) throw new Error(`valuesByOrder: moment ${k} is ${e.label} [${e.alpha}]`);
    return [...e.values];
  });
}
