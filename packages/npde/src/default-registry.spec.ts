import { describe, expect, it } from 'vitest';
import { checkRoundTrip } from '@npde/core/testing';
import { NeuralPde, Trainer, builtinDefaults, builtinPlugins, createDefaultRegistry, defaultRegistry, globalRegistry, tf } from './index.js';

describe('default registry', () => {
  it('holds every built-in plugin kind and backend', () => {
    const r = createDefaultRegistry();
    const kinds = new Set(r.list().map((p) => p.kind));
    expect([...kinds].sort()).toEqual(['activation', 'backend', 'integrator', 'kernel', 'optimizer', 'reservoir', 'stage']);
    expect(r.list('backend').map((b) => b.name).sort()).toEqual(['cpu', 'tensorflow', 'wasm']);
    expect(r.list()).toHaveLength(builtinPlugins.length);
    // The defaults a spec falls back to are registered plugins of their kind.
    for (const [kind, id] of Object.entries(builtinDefaults)) expect(r.has(kind as 'stage', id)).toBe(true);
    expect(r.defaultId('stage', 'stages')).toBe('@npde/stages/pde');
  });

  it('fills the global registry once: calling it again adds nothing', () => {
    const before = defaultRegistry().list().length;
    expect(defaultRegistry().list()).toHaveLength(before);
    expect(globalRegistry().defaultId('integrator', 'integrator')).toBe('@npde/integrators/euler');
  });

  it('picks the WASM backend by default', async () => {
    const r = createDefaultRegistry();
    const report = await r.ready();
    expect(report.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    await r.ready({ backend: 'cpu' });
  });

  it('round-trips an ADR model through save/load bit for bit', async () => {
    const r = createDefaultRegistry();
    await r.ready({ backend: 'cpu' });
    await checkRoundTrip(
      {
        field: { shape: [16] },
        layers: 3,
        kernel: { id: '@npde/kernels/adr', options: { family: 'time-dependent', init: { U: 0.1, D: 0.2, R: -0.05, noise: 0.01 } } },
        activation: '@npde/activations/tanh',
        omega: { value: 0.5, trainable: true },
        bias: 'shared',
      },
      r,
    );
  });

  it('leaks no tensors across 20 training epochs (ADR + Adam, mini-batches)', async () => {
    const r = createDefaultRegistry();
    await r.ready({ backend: 'cpu' });
    const spec = {
      field: { shape: [16] },
      layers: 3,
      kernel: { id: '@npde/kernels/adr', options: { family: 'heterogeneous' } },
      activation: '@npde/activations/tanh',
      omega: 0.5,
    } as const;
    const model = NeuralPde.create(spec, { registry: r });
    const x = tf.randomNormal([64, 16], 0, 1, 'float32', 2);
    const y = tf.tanh(x);
    const trainer = new Trainer({ registry: r });
    const counts: number[] = [];
    trainer.events$.subscribe((e) => e.type === 'epoch:end' && counts.push(tf.memory().numTensors));
    const before = tf.memory().numTensors;
    await trainer.fit(model, { x, y }, { optimizer: '@npde/optimizers/adam', epochs: 20, batchSize: 16, validation: 0.25 });
    expect(counts).toHaveLength(20);
    expect(new Set(counts).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
    model.dispose();
  });
});
