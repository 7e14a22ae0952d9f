import {
  Registry,
  ValidationError,
  globalRegistry,
  resolveField,
  tf,
  validate,
  type Reservoir,
  type ReservoirInstance,
  type Tensor2D,
} from '@npde/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { hard, none, plugins, soft } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const field = resolveField({ shape: [4] });
function create<O>(plugin: Reservoir<O>, options: unknown = {}): ReservoirInstance {
  return plugin.create({ options: validate(plugin.options, options), field, layers: 1, seed: 0 });
}

const norms = (z: Tensor2D) => tf.tidy(() => tf.norm(z, 'euclidean', 1).arraySync() as number[]);

/** Batch of 4 samples: large, small, exactly zero, and one mixed-sign. */
const samples = [
  [3, -4, 12, 0],
  [1e-3, 2e-3, -2e-3, 0],
  [0, 0, 0, 0],
  [0.5, -0.25, 0.75, -1.5],
];

describe('@npde/reservoirs/none', () => {
  it('has no term and projects to z unchanged', () => {
    const r = create(none);
    const z = tf.tensor2d(samples);
    expect(r.params).toEqual({});
    expect(r.term(z)).toBeNull();
    const p = r.project(z);
    expect(p).not.toBe(z);
    expect(p.dataSync()).toEqual(z.dataSync());
    p.dispose();
    expect(z.isDisposed).toBe(false);
    z.dispose();
  });
});

describe('@npde/reservoirs/hard', () => {
  // One float32 division per entry plus a float32 sum of squares: a few ulp of 1.
  it('projects every nonzero sample onto the unit sphere, keeping its direction', () => {
    const r = create(hard);
    tf.tidy(() => {
      expect(r.term(tf.zeros([1, 4]) as Tensor2D)).toBeNull();
    });
    const z = tf.tensor2d(samples);
    const p = r.project(z);
    const n = norms(p);
    for (const k of [0, 1, 3]) expect(Math.abs(n[k]! - 1)).toBeLessThan(1e-6);
    const rows = p.arraySync();
    expect(rows[0]!.map((x) => x * 13)).toEqual(samples[0]!.map((x) => expect.closeTo(x, 5)));
    // z = 0 has no direction: it stays 0, without NaN.
    expect(rows[2]).toEqual([0, 0, 0, 0]);
    tf.dispose([z, p]);
  });

  it('has finite gradients, also at z = 0', () => {
    const r = create(hard);
    tf.tidy(() => {
      const g = tf.grad((t: tf.Tensor) => tf.sum(r.project(t as Tensor2D)))(tf.tensor2d(samples));
      expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
    });
  });
});

describe('@npde/reservoirs/soft', () => {
  it('validates alpha > 0, default 1', () => {
    expect(validate(soft.options, {})).toEqual({ alpha: 1 });
    expect(validate(soft.options, { alpha: 2.5 })).toEqual({ alpha: 2.5 });
    for (const alpha of [0, -1, Infinity, '1']) {
      expect(() => validate(soft.options, { alpha }, { path: 'reservoir.options', plugin: soft.id })).toThrow(
        expect.objectContaining({ constructor: ValidationError, path: 'reservoir.options.alpha' }),
      );
    }
  });

  it('equals −α(‖z‖ − 1) z/‖z‖ per sample (float64 reference, 1e-6 relative)', () => {
    const alpha = 0.7;
    const r = create(soft, { alpha });
    const got = tf.tidy(() => r.term(tf.tensor2d(samples))!.arraySync());
    samples.forEach((row, i) => {
      const n = Math.hypot(...row);
      row.forEach((x, j) => {
        const ref = n === 0 ? 0 : (-alpha * (n - 1) * x) / n;
        expect(Math.abs(got[i]![j]! - ref), `sample ${i}, entry ${j}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(ref)));
      });
    });
    tf.tidy(() => {
      expect(r.project(tf.ones([1, 4]) as Tensor2D).arraySync()).toEqual([[1, 1, 1, 1]]);
    });
  });

  // On the sphere ‖z‖ rounds to 1 within an ulp or two, so the term is ~α·1e-7.
  it('is zero on the unit sphere and points inward outside it, outward inside it', () => {
    const r = create(soft, { alpha: 2 });
    tf.tidy(() => {
      const onSphere = tf.tensor2d([
        [1, 0, 0, 0],
        [0.6, 0, -0.8, 0],
        [0.5, -0.5, 0.5, -0.5],
      ]);
      const t0 = r.term(onSphere)!;
      expect(tf.max(tf.abs(t0)).dataSync()[0]).toBeLessThan(1e-6);

      const z = tf.tensor2d([samples[0]!, samples[1]!, samples[3]!]);
      // ‖z‖ = 13, 0.003, ~1.87: radial component ⟨R, z⟩/‖z‖ = −α(‖z‖ − 1).
      const radial = tf.div(tf.sum(tf.mul(r.term(z)!, z), 1), tf.norm(z, 'euclidean', 1)).arraySync() as number[];
      const n = norms(z);
      expect(radial[0]).toBeLessThan(0); // outside: inward
      expect(radial[1]).toBeGreaterThan(0); // inside: outward
      expect(radial[2]).toBeLessThan(0);
      radial.forEach((rad, k) => expect(rad).toBeCloseTo(-2 * (n[k]! - 1), 4));
    });
  });

  // dz/dt = R(z) alone (attractor f(z) = z cancels the −(z − f) part) keeps the direction
  // and relaxes the norm exactly as d‖z‖/dt = −α(‖z‖ − 1). With forward Euler at ω:
  // ‖z_n‖ − 1 = (1 − αω)^n (‖z_0‖ − 1), so the check is against that, to float32 accuracy.
  it('drives ‖z‖ to 1 in a relaxation, at rate α', () => {
    const alpha = 1.5;
    const omega = 0.1;
    const steps = 60;
    const r = create(soft, { alpha });
    const z0 = [samples[0]!, samples[1]!, samples[3]!];
    const n0 = z0.map((row) => Math.hypot(...row));
    const history: number[][] = [];
    const before = tf.memory().numTensors;
    const final = tf.tidy(() => {
      let z = tf.tensor2d(z0);
      for (let s = 0; s < steps; s++) {
        const attractor = z; // f(W z − b) = z
        z = tf.add(tf.mul(1 - omega, z), tf.mul(omega, tf.add(attractor, r.term(z)!))) as Tensor2D;
        if (s % 20 === 19) history.push(norms(z));
      }
      return z.arraySync();
    });
    expect(tf.memory().numTensors).toBe(before);
    // Monotone approach to 1, from above and from below.
    for (let k = 0; k < n0.length; k++) {
      const dist = [n0[k]!, ...history.map((h) => h[k]!)].map((n) => Math.abs(n - 1));
      for (let s = 1; s < dist.length; s++) expect(dist[s]!).toBeLessThan(dist[s - 1]!);
      const expected = 1 + (1 - alpha * omega) ** steps * (n0[k]! - 1);
      expect(history.at(-1)![k]!).toBeCloseTo(expected, 5);
      // Direction unchanged.
      const cos = final[k]!.reduce((s, x, j) => s + x * z0[k]![j]!, 0) / (history.at(-1)![k]! * n0[k]!);
      expect(cos).toBeCloseTo(1, 6);
    }
  });

  it('has finite gradients, also at z = 0', () => {
    const r = create(soft, {});
    tf.tidy(() => {
      const g = tf.grad((t: tf.Tensor) => tf.sum(r.term(t as Tensor2D)!))(tf.tensor2d(samples));
      expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
    });
  });
});

describe('package entries', () => {
  it('exports every reservoir in `plugins`, frozen, with no parameters', () => {
    expect(plugins.map((p) => p.id)).toEqual(['@npde/reservoirs/none', '@npde/reservoirs/soft', '@npde/reservoirs/hard']);
    for (const p of plugins) {
      expect(p.kind).toBe('reservoir');
      expect(Object.isFrozen(p)).toBe(true);
      expect(create(p).params).toEqual({});
    }
    expect(() => new Registry().register(plugins)).not.toThrow();
  });

  it('`./register` adds them to the global registry', async () => {
    await import('./register.js');
    for (const p of plugins) expect(globalRegistry().get('reservoir', p.id)).toBe(p);
  });
});
