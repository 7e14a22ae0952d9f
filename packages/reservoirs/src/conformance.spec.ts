import { tf } from '@npde/core';
import { checkReservoir } from '@npde/core/testing';
import { beforeAll, describe, it } from 'vitest';
import { hard, none, soft } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('@npde/core/testing conformance', () => {
  it.each([
    [none.id, none, {}],
    [soft.id, soft, {}],
    [`${soft.id} (alpha 5)`, soft, { alpha: 5 }],
    [hard.id, hard, {}],
  ] as const)('%s', async (_id, plugin, options) => {
    await checkReservoir(plugin, options);
  });
});
