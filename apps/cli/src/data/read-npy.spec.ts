import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCodes } from 'npde';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readArrayFile } from './read-data.js';

/**
 * A .npy file built byte by byte per the NumPy format spec
 * (numpy.org/doc/stable/reference/generated/numpy.lib.format.html): magic
 * `\x93NUMPY`, major and minor version, header length (uint16 LE in v1, uint32
 * LE in v2), the header dict padded with spaces and ended by `\n` so that the
 * data starts at a multiple of 64 bytes, then the raw values.
 */
function npyBytes(descr: string, shape: number[], values: readonly (number | bigint)[], opts: { version?: 1 | 2; fortran?: boolean } = {}): Buffer {
  const version = opts.version ?? 1;
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': ${opts.fortran ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const prefix = version === 1 ? 10 : 12;
  const total = Math.ceil((prefix + header.length + 1) / 64) * 64;
  header = header.padEnd(total - prefix - 1, ' ') + '\n';
  const pre = Buffer.alloc(prefix);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = version;
  pre[7] = 0;
  if (version === 1) pre.writeUInt16LE(header.length, 8);
  else pre.writeUInt32LE(header.length, 8);
  const code = descr.slice(1);
  const little = descr[0] !== '>';
  const size = Number(code.slice(1));
  const data = Buffer.alloc(size * values.length);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  values.forEach((x, i) => {
    const at = i * size;
    if (code === 'f4') view.setFloat32(at, Number(x), little);
    else if (code === 'f8') view.setFloat64(at, Number(x), little);
    else if (code === 'f2') view.setUint16(at, 0, little);
    else if (code === 'i4') view.setInt32(at, Number(x), little);
    else if (code === 'i8') view.setBigInt64(at, BigInt(x), little);
    else if (code === 'u1') view.setUint8(at, Number(x));
    else if (code === 'i1') view.setInt8(at, Number(x));
    else throw new Error(`test helper: no writer for ${descr}`);
  });
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), data]);
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'npde-npy-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fixture(name: string, bytes: Buffer): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, bytes);
  return file;
}

async function failure(p: Promise<unknown>): Promise<{ code: string; path: string; message: string; hint?: string }> {
  try {
    await p;
  } catch (err) {
    return err as { code: string; path: string; message: string; hint?: string };
  }
  throw new Error('expected a rejection');
}

describe('readArrayFile on .npy files built byte by byte', () => {
  it('reads v1.0 <f4 [2, 3] exactly', async () => {
    const values = [0.1, -2.5, 3e-7, 1e30, 0, -0].map(Math.fround);
    const file = await fixture('f4.npy', npyBytes('<f4', [2, 3], values));
    const a = await readArrayFile(file);
    expect(a.dtype).toBe('float32');
    expect(a.shape).toEqual([2, 3]);
    expect(a.data).toBeInstanceOf(Float32Array);
    expect(Array.from(a.data)).toEqual(values);
  });

  it('reads v1.0 <f8 [3, 2] as float32 (each value rounded once)', async () => {
    const values = [0.1, 1 / 3, -1e-10, 12345.678901, 2 ** 40 + 1, -7];
    const a = await readArrayFile(await fixture('f8.npy', npyBytes('<f8', [3, 2], values)));
    expect(a.dtype).toBe('float32');
    expect(a.shape).toEqual([3, 2]);
    expect(Array.from(a.data)).toEqual(values.map(Math.fround));
  });

  it('reads v1.0 <i8 [4] as int32', async () => {
    const values = [0n, -1n, 2147483647n, -2147483648n];
    const a = await readArrayFile(await fixture('i8.npy', npyBytes('<i8', [4], values)));
    expect(a.dtype).toBe('int32');
    expect(a.shape).toEqual([4]);
    expect(a.data).toBeInstanceOf(Int32Array);
    expect(Array.from(a.data)).toEqual([0, -1, 2147483647, -2147483648]);
  });

  it('reads <i4, |u1 and |i1, and converts integers to float32 when asked', async () => {
    const i4 = await readArrayFile(await fixture('i4.npy', npyBytes('<i4', [2, 2], [1, -2, 3, -4])));
    expect([i4.dtype, i4.shape, Array.from(i4.data)]).toEqual(['int32', [2, 2], [1, -2, 3, -4]]);
    const u1 = await readArrayFile(await fixture('u1.npy', npyBytes('|u1', [3], [0, 200, 255])));
    expect([u1.dtype, Array.from(u1.data)]).toEqual(['int32', [0, 200, 255]]);
    const i1 = await readArrayFile(await fixture('i1.npy', npyBytes('|i1', [3], [-128, 0, 127])), { dtype: 'float32' });
    expect([i1.dtype, Array.from(i1.data)]).toEqual(['float32', [-128, 0, 127]]);
    expect(i1.data).toBeInstanceOf(Float32Array);
  });

  it('reads a v2.0 header and a 0-d array', async () => {
    const v2 = await readArrayFile(await fixture('v2.npy', npyBytes('<f4', [1, 2, 2], [1, 2, 3, 4], { version: 2 })));
    expect(v2.shape).toEqual([1, 2, 2]);
    expect(Array.from(v2.data)).toEqual([1, 2, 3, 4]);
    const scalar = await readArrayFile(await fixture('scalar.npy', npyBytes('<f8', [], [2.5])));
    expect([scalar.shape, Array.from(scalar.data)]).toEqual([[], [2.5]]);
  });

  it('reads float data as int32 when asked and every value is an integer', async () => {
    const a = await readArrayFile(await fixture('f4int.npy', npyBytes('<f4', [3], [0, 1, 2])), { dtype: 'int32' });
    expect([a.dtype, Array.from(a.data)]).toEqual(['int32', [0, 1, 2]]);
  });

  it.each([
    ['i8 out of int32 range', 'big.npy', npyBytes('<i8', [2], [1n, 2n ** 31n]), '#[1]', /not a 32-bit integer/],
    ['f8 beyond float32', 'huge.npy', npyBytes('<f8', [2, 2], [1, 2, 3, 1e300]), '#[1][1]', /does not fit in float32/],
    ['fortran order', 'fortran.npy', npyBytes('<f4', [2, 2], [1, 2, 3, 4], { fortran: true }), '', /Fortran/],
    ['big-endian data', 'be.npy', npyBytes('>f4', [2], [1, 2]), '', /unsupported .npy element type[^]*big-endian/],
    ['float16 data', 'f2.npy', npyBytes('<f2', [2], [0, 0]), '', /unsupported .npy element type/],
    ['a truncated element', 'cut.npy', npyBytes('<f4', [2, 3], [1, 2, 3, 4, 5, 6]).subarray(0, -2), '', /malformed[^]*truncated/],
    ['a missing row', 'short.npy', npyBytes('<f4', [2, 3], [1, 2, 3, 4, 5, 6]).subarray(0, -12), '', /does not match its shape[^]*6 elements/],
    ['trailing bytes', 'long.npy', Buffer.concat([npyBytes('<f4', [2], [1, 2]), Buffer.alloc(4)]), '', /does not match its shape/],
    ['no magic', 'text.npy', Buffer.from('hello, this is not numpy'), '', /not a \.npy file/],
    ['an empty file', 'empty.npy', Buffer.alloc(0), '', /not a \.npy file/],
  ])('rejects %s with INVALID_DATA_FILE naming the file', async (_what, name, bytes, inner, message) => {
    const file = await fixture(name, bytes);
    const err = await failure(readArrayFile(file));
    expect(err.code).toBe(ErrorCodes.INVALID_DATA_FILE);
    expect(err.path).toBe(file + inner);
    expect(err.message).toMatch(message);
    expect(err.hint).toBeTruthy();
  });

  it('rejects a non-integer when int32 is asked', async () => {
    const file = await fixture('frac.npy', npyBytes('<f8', [2], [1, 1.5]));
    const err = await failure(readArrayFile(file, { dtype: 'int32' }));
    expect([err.code, err.path]).toEqual([ErrorCodes.INVALID_DATA_FILE, `${file}#[1]`]);
  });
});

const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;

describe('readArrayFile on .npy files written by numpy', () => {
  // Skipped where python3 with numpy is not installed; the byte-built files above cover the format.
  it.skipIf(!hasNumpy)(`reads what numpy.save writes${hasNumpy ? '' : ' (skipped: python3 with numpy not found)'}`, async () => {
    const script = [
      'import sys, numpy as np',
      'd = sys.argv[1]',
      "np.save(d + '/np-f4.npy', (np.arange(12, dtype=np.float32) / 7).reshape(3, 4))",
      "np.save(d + '/np-f8.npy', np.array([[-1, -0.6, 0.1], [1 / 3, 2.5, 1e-8]]))",
      "np.save(d + '/np-i8.npy', np.array([3, -1, 0, 7], dtype=np.int64))",
      "np.lib.format.write_array(open(d + '/np-v2.npy', 'wb'), np.ones((2, 2), dtype='<f4'), version=(2, 0))",
    ].join('\n');
    const run = spawnSync('python3', ['-c', script, dir], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const f4 = await readArrayFile(join(dir, 'np-f4.npy'));
    expect(f4.shape).toEqual([3, 4]);
    expect(Array.from(f4.data)).toEqual(Array.from({ length: 12 }, (_, i) => Math.fround(Math.fround(i) / 7)));
    const f8 = await readArrayFile(join(dir, 'np-f8.npy'));
    expect(f8.shape).toEqual([2, 3]);
    expect(Array.from(f8.data)).toEqual([-1, -0.6, 0.1, 1 / 3, 2.5, 1e-8].map((x) => Math.fround(x)));
    const i8 = await readArrayFile(join(dir, 'np-i8.npy'));
    expect([i8.dtype, i8.shape, Array.from(i8.data)]).toEqual(['int32', [4], [3, -1, 0, 7]]);
    const v2 = await readArrayFile(join(dir, 'np-v2.npy'));
    expect([v2.shape, Array.from(v2.data)]).toEqual([[2, 2], [1, 1, 1, 1]]);
  });
});
