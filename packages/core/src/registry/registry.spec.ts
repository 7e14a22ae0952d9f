import { beforeAll, describe, expect, it } from 'vitest';
import { firstValueFrom, toArray, take } from 'rxjs';
import * as v from 'valibot';
import { Registry, globalRegistry } from './registry.js';
import { referenceCpuBackend as cpuBackend } from '../testing/reference-plugins.js';
import { defineActivation, defineBackend } from '../plugins/define.js';
import { tf } from '../tensor/tf.js';
import { BackendUnavailableError, DuplicatePluginError, ErrorCodes, UnknownPluginError, ValidationError } from '../errors/errors.js';
import { diagKernel, tanhAct, testRegistry } from '../test-plugins.test-util.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('Registry', () => {
  it('registers, gets and lists plugins by kind', () => {
    const r = testRegistry();
    expect(r.get('kernel', '@test/k/diag')).toBe(diagKernel);
    expect(r.list('activation').map((p) => p.id)).toEqual(['@npde/core/testing/identity', '@npde/core/testing/tanh']);
    expect(r.has('kernel', '@npde/core/testing/tanh')).toBe(false);
  });

  it('ignores the same object registered twice', () => {
    const r = new Registry().register(tanhAct);
    expect(() => r.register(tanhAct)).not.toThrow();
    expect(r.list()).toHaveLength(1);
  });

  it('rejects a different object under a taken id, naming both', () => {
    const r = new Registry().register(tanhAct);
    const twin = defineActivation({ ...tanhAct, description: 'another tanh' });
    let err: unknown;
    try {
      r.register(twin);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DuplicatePluginError);
    expect((err as DuplicatePluginError).code).toBe(ErrorCodes.DUPLICATE_PLUGIN);
    expect((err as Error).message).toContain('another tanh');
    expect((err as Error).message).toContain('"tanh (reference for tests)"');
  });

  it('rejects ids without a namespace', () => {
    const bad = defineActivation({ id: 'tanh', description: 'x', options: v.object({}), create: () => ({ apply: (x) => x }) });
    expect(() => new Registry().register(bad)).toThrow(ValidationError);
  });

  it('suggests close ids for an unknown one', () => {
    const r = testRegistry();
    let err: UnknownPluginError | undefined;
    try {
      r.get('kernel', '@test/k/diagg', 'kernel');
    } catch (e) {
      err = e as UnknownPluginError;
    }
    expect(err).toBeInstanceOf(UnknownPluginError);
    expect(err!.code).toBe('NPDE_UNKNOWN_PLUGIN');
    expect(err!.path).toBe('kernel');
    expect(err!.suggestions).toEqual(['@test/k/diag']);
    expect(err!.message).toContain("Did you mean '@test/k/diag'?");
    // a bare local name finds the namespaced id too
    expect(r.suggest('kernel', 'diag')).toEqual(['@test/k/diag']);
    expect(r.suggest('kernel', 'completely-different')).toEqual([]);
  });

  it('validates options with full paths', () => {
    const r = testRegistry();
    expect(() => r.resolve('kernel', { id: '@test/k/diag', options: { init: 'x' } }, 'kernel')).toThrow(/kernel\.options\.init/);
    expect(r.resolve('kernel', '@test/k/diag', 'kernel').options).toEqual({ init: 0.5 });
  });

  it('emits events in order', async () => {
    const r = new Registry();
    const events = firstValueFrom(r.events$.pipe(take(4), toArray()));
    const broken = defineBackend({
      id: '@test/b/broken',
      name: 'broken',
      description: 'always fails',
      priority: 100,
      options: v.object({}),
      setup: async () => {
        throw new Error('no such device');
      },
    });
    r.register(tanhAct, broken, cpuBackend);
    const report = await r.ready();
    expect(report.name).toBe('cpu');
    expect(report.failed).toEqual([{ backend: 'broken', reason: 'no such device' }]);
    const seen = (await events).map((e) => (e.type === 'plugin:registered' ? `${e.type}:${e.id}` : 'backend' in e ? `${e.type}:${e.backend}` : e.type));
    expect(seen).toEqual([
      'plugin:registered:@npde/core/testing/tanh',
      'plugin:registered:@test/b/broken',
      'plugin:registered:@npde/core/testing/cpu',
      'backend:failed:broken',
    ]);
  });

  it('lists every failed backend when none works', async () => {
    const r = new Registry().register(cpuBackend);
    const err = await r.ready({ backend: ['cuda', 'cpuu'] }).catch((e) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect(err.code).toBe('NPDE_BACKEND_UNAVAILABLE');
    expect(err.attempts.map((a: { backend: string }) => a.backend)).toEqual(['cuda', 'cpuu']);
    expect(err.attempts[1].reason).toContain("did you mean 'cpu'");
  });

  it('has one global registry per process', () => {
    expect(globalRegistry()).toBe(globalRegistry());
    expect((globalThis as unknown as Record<symbol, unknown>)[Symbol.for('@npde/core/registry')]).toBe(globalRegistry());
  });
});
