import { tf } from '@npde/core';
import { checkActivation } from '@npde/core/testing';
import { beforeAll, describe, it } from 'vitest';
import { plugins } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('@npde/core/testing conformance', () => {
  it.each(plugins.map((p) => [p.id, p] as const))('%s', async (_id, plugin) => {
    await checkActivation(plugin);
  });
});
