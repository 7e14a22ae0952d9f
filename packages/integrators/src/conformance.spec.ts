import { tf } from '@npde/core';
import { checkIntegrator } from '@npde/core/testing';
import { beforeAll, describe, it } from 'vitest';
import { plugins, semiImplicit } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('@npde/core/testing conformance', () => {
  it.each(plugins.map((p) => [p.id, p] as const))('%s', async (_id, plugin) => {
    await checkIntegrator(plugin);
  });

  it('@npde/integrators/semi-implicit with order 2', async () => {
    await checkIntegrator(semiImplicit, { order: 2 });
  });
});
