import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes, ShapeError, ValidationError } from '../../errors/errors.js';
import { referenceCpuBackend as cpuBackend } from '../../testing/reference-plugins.js';
import { tf } from '../../tensor/tf.js';
import {
  STENCIL_OFFSETS_1D,
  STENCIL_OFFSETS_2D,
  siteCount,
  stencilOffsets,
  tapCount,
  validateStencilRelaxConfig,
  validateStencilRelaxInputs,
  type StencilRelaxConfig,
} from './config.js';
import { geometryFromAttrs, stencilRelaxAttrs } from './kernel-attrs.js';
import { stencilNeighbourTable } from './neighbours.js';

const cfg1: StencilRelaxConfig = { geometry: { dims: 1, sites: 6, radius: 2 }, boundary: 'zero', activation: 'tanh' };
const cfg2: StencilRelaxConfig = { geometry: { dims: 2, height: 3, width: 4, points: 9 }, boundary: 'periodic', activation: 'relu' };

beforeAll(async () => {
  await cpuBackend.setup({}); // tf.setBackend('cpu'), without tfjs's tfjs-node advice
});

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('stencil geometry', () => {
  it('counts taps and sites', () => {
    expect([1, 2, 3].map((radius) => tapCount({ dims: 1, sites: 7, radius: radius as 1 | 2 | 3 }))).toEqual([3, 5, 7]);
    expect(tapCount({ dims: 2, height: 3, width: 4, points: 5 })).toBe(5);
    expect(tapCount(cfg2.geometry)).toBe(9);
    expect(siteCount(cfg1.geometry)).toBe(6);
    expect(siteCount(cfg2.geometry)).toBe(12);
  });

  it('orders taps row-major over the footprint, as the contract says', () => {
    expect(STENCIL_OFFSETS_1D[1].map(([, d]) => d)).toEqual([-1, 0, 1]);
    expect(STENCIL_OFFSETS_1D[3].map(([di, d]) => [di, d])).toEqual([-3, -2, -1, 0, 1, 2, 3].map((d) => [0, d]));
    expect(STENCIL_OFFSETS_2D[9]).toEqual([
      [-1, -1],
      [-1, 0],
      [-1, 1],
      [0, -1],
      [0, 0],
      [0, 1],
      [1, -1],
      [1, 0],
      [1, 1],
    ]);
    expect(STENCIL_OFFSETS_2D[5]).toEqual([
      [-1, 0],
      [0, -1],
      [0, 0],
      [0, 1],
      [1, 0],
    ]);
    expect(stencilOffsets(cfg2.geometry)).toBe(STENCIL_OFFSETS_2D[9]);
  });

  it('builds neighbour tables with −1 outside a zero boundary and wrapping a periodic one', () => {
    const g = { dims: 1, sites: 4, radius: 1 } as const;
    expect(Array.from(stencilNeighbourTable(g, 'zero'))).toEqual([-1, 0, 1, 0, 1, 2, 1, 2, 3, 2, 3, -1]);
    expect(Array.from(stencilNeighbourTable(g, 'periodic'))).toEqual([3, 0, 1, 0, 1, 2, 1, 2, 3, 2, 3, 0]);
    // 2×3 grid, 5-point, site (0, 0): up, left, centre, right, down.
    const t = stencilNeighbourTable({ dims: 2, height: 2, width: 3, points: 5 }, 'periodic');
    expect(Array.from(t.slice(0, 5))).toEqual([3, 2, 0, 1, 3]);
    const z = stencilNeighbourTable({ dims: 2, height: 2, width: 3, points: 5 }, 'zero');
    expect(Array.from(z.slice(0, 5))).toEqual([-1, -1, 0, 1, 3]);
  });

  it('round-trips configs through the kernel attrs (unused attrs 0)', () => {
    expect(stencilRelaxAttrs(cfg1)).toEqual({ dims: 1, radius: 2, height: 0, width: 0, points: 0, boundary: 'zero', activation: 'tanh' });
    expect(stencilRelaxAttrs(cfg2)).toEqual({ dims: 2, radius: 0, height: 3, width: 4, points: 9, boundary: 'periodic', activation: 'relu' });
    expect(geometryFromAttrs(stencilRelaxAttrs(cfg1), 6)).toEqual(cfg1.geometry);
    expect(geometryFromAttrs(stencilRelaxAttrs(cfg2), 12)).toEqual(cfg2.geometry);
  });
});

describe('validateStencilRelaxConfig', () => {
  it('accepts good configs', () => {
    expect(validateStencilRelaxConfig(cfg1)).toBe(cfg1);
    expect(validateStencilRelaxConfig(cfg2)).toBe(cfg2);
  });

  it.each([
    [{ ...cfg1, geometry: { dims: 1, sites: 6, radius: 4 } }, 'config.geometry.radius', '1, 2 or 3', '4'],
    [{ ...cfg1, geometry: { dims: 1, sites: 6, radius: 0 } }, 'config.geometry.radius', '1, 2 or 3', '0'],
    [{ ...cfg1, geometry: { dims: 1, sites: 0, radius: 1 } }, 'config.geometry.sites', 'an integer ≥ 1', '0'],
    [{ ...cfg2, geometry: { dims: 2, height: 3, width: 4, points: 7 } }, 'config.geometry.points', '5 or 9', '7'],
    [{ ...cfg2, geometry: { dims: 2, height: 2.5, width: 4, points: 5 } }, 'config.geometry.height', 'an integer ≥ 1', '2.5'],
    [{ ...cfg2, geometry: { dims: 3 } }, 'config.geometry.dims', '1 or 2', '3'],
    [{ ...cfg2, boundary: 'reflect' }, 'config.boundary', "'zero' or 'periodic'", '"reflect"'],
    [{ ...cfg2, activation: 'gelu' }, 'config.activation', undefined, '"gelu"'],
    [null, 'config', undefined, 'null'],
  ])('rejects a bad config (%#) with a ValidationError at its path', (bad, path, expected, received) => {
    const e = thrown(() => validateStencilRelaxConfig(bad));
    expect(e).toBeInstanceOf(ValidationError);
    const err = e as ValidationError;
    expect(err.code).toBe(ErrorCodes.INVALID_SPEC);
    expect(err.path).toBe(path);
    if (expected !== undefined) expect(err.expected).toBe(expected);
    expect(err.received).toBe(received);
  });
});

describe('validateStencilRelaxInputs', () => {
  const good = () => ({ z: tf.zeros([2, 12]), taps: tf.zeros([12, 9]), omega: tf.scalar(0.5), bias: tf.zeros([12]) });

  it('accepts [B, S], [S, K], [], [S] float32', () => {
    const t = good();
    expect(() => validateStencilRelaxInputs(t.z, t.taps, t.omega, t.bias, cfg2)).not.toThrow();
    tf.dispose(Object.values(t));
  });

  it.each([
    ['z', [2, 11], '[B, 12]', '[2, 11]'],
    ['z', [24], '[B, 12]', '[24]'],
    ['taps', [12, 5], '[12, 9]', '[12, 5]'],
    ['taps', [9, 12], '[12, 9]', '[9, 12]'],
    ['omega', [1], 'a scalar (shape [])', '[1]'],
    ['bias', [1, 12], '[12]', '[1, 12]'],
  ])('rejects a bad %s shape with a ShapeError', (name, badShape, expected, received) => {
    const t: Record<string, tf.Tensor> = good();
    const old = t[name]!;
    t[name] = tf.zeros(badShape);
    const e = thrown(() => validateStencilRelaxInputs(t['z'], t['taps'], t['omega'], t['bias'], cfg2));
    expect(e).toBeInstanceOf(ShapeError);
    const err = e as ShapeError;
    expect(err.code).toBe(ErrorCodes.SHAPE_MISMATCH);
    expect(err.path).toBe(name);
    expect(err.expected).toBe(expected);
    expect(err.received).toBe(received);
    expect(err.message).toContain(name);
    tf.dispose([old, ...Object.values(t)]);
  });

  it('rejects non-tensors and non-float32 tensors with a ValidationError', () => {
    const t = good();
    const e1 = thrown(() => validateStencilRelaxInputs([1, 2], t.taps, t.omega, t.bias, cfg2)) as ValidationError;
    expect(e1).toBeInstanceOf(ValidationError);
    expect(e1.path).toBe('z');
    const ints = tf.zeros([12], 'int32');
    const e2 = thrown(() => validateStencilRelaxInputs(t.z, t.taps, t.omega, ints, cfg2)) as ValidationError;
    expect(e2).toBeInstanceOf(ValidationError);
    expect(e2.path).toBe('bias.dtype');
    expect(e2.code).toBe(ErrorCodes.INVALID_SPEC);
    tf.dispose([ints, ...Object.values(t)]);
  });
});
