import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCodes, v, validate } from 'npde';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileDataSourceSchema, readArrayFile, readDataset, readManifestData } from './read-data.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'npde-data-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function put(name: string, content: string | Buffer | object): Promise<string> {
  const file = join(dir, name);
  await mkdir(join(file, '..'), { recursive: true });
  await writeFile(file, typeof content === 'string' || Buffer.isBuffer(content) ? content : JSON.stringify(content));
  return file;
}

/** Raw little-endian 32-bit bytes (the test machine is little-endian, as `tofile` on x86/ARM writes). */
function le32(values: Float32Array | Int32Array): Buffer {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
}

interface Failure {
  code: string;
  path: string;
  message: string;
  hint?: string;
}

async function failure(p: Promise<unknown>): Promise<Failure> {
  try {
    await p;
  } catch (err) {
    return err as Failure;
  }
  throw new Error('expected a rejection');
}

async function expectDataError(p: Promise<unknown>, path: string, message?: RegExp): Promise<Failure> {
  const err = await failure(p);
  expect(err.code).toBe(ErrorCodes.INVALID_DATA_FILE);
  expect(err.path).toBe(path);
  if (message) expect(err.message).toMatch(message);
  expect(err.hint).toBeTruthy();
  return err;
}

describe('readArrayFile on .json nested arrays', () => {
  it('reads a rectangular array as float32, exactly', async () => {
    const rows = [
      [0.5, -1.25, 3],
      [1e-3, 2e10, -7],
    ];
    const a = await readArrayFile(await put('x.json', rows));
    expect([a.dtype, a.shape]).toEqual(['float32', [2, 3]]);
    expect(a.data).toBeInstanceOf(Float32Array);
    expect(Array.from(a.data)).toEqual(rows.flat().map(Math.fround));
  });

  it('reads 1-D, 3-D and empty arrays', async () => {
    expect((await readArrayFile(await put('a1.json', [1, 2, 3]))).shape).toEqual([3]);
    const a3 = await readArrayFile(await put('a3.json', [[[1], [2]], [[3], [4]]]));
    expect([a3.shape, Array.from(a3.data)]).toEqual([[2, 2, 1], [1, 2, 3, 4]]);
    expect((await readArrayFile(await put('a0.json', []))).shape).toEqual([0]);
    expect((await readArrayFile(await put('a20.json', [[], []]))).shape).toEqual([2, 0]);
  });

  it('reads int32 when asked and every value is an integer', async () => {
    const a = await readArrayFile(await put('labels.json', [0, 2, 1, 2]), { dtype: 'int32' });
    expect([a.dtype, a.shape, Array.from(a.data)]).toEqual(['int32', [4], [0, 2, 1, 2]]);
    expect(a.data).toBeInstanceOf(Int32Array);
  });

  it('reads an array under a key path', async () => {
    const file = await put('nested.json', { inputs: { train: [[1, 2]] } });
    const a = await readArrayFile(file, { path: 'inputs.train' });
    expect([a.shape, Array.from(a.data)]).toEqual([[1, 2], [1, 2]]);
    await expectDataError(readArrayFile(file, { path: 'inputs.test' }), `${file}#inputs.test`, /no "test"/);
  });

  it('rejects ragged, non-numeric, non-integer and overflowing arrays at the bad element', async () => {
    const ragged = await put('ragged.json', [[1, 2], [3]]);
    await expectDataError(readArrayFile(ragged), `${ragged}#[1]`, /not rectangular[^]*length 2[^]*length 1/);
    const deep = await put('deep.json', [[1, 2], [3, [4]]]);
    await expectDataError(readArrayFile(deep), `${deep}#[1][1]`, /not a finite number/);
    const text = await put('text.json', [[1, '2']]);
    await expectDataError(readArrayFile(text), `${text}#[0][1]`, /expected a finite number, got "2"/);
    const nul = await put('null.json', [[1], [null]]);
    await expectDataError(readArrayFile(nul), `${nul}#[1][0]`, /got null/);
    const frac = await put('frac.json', [[0, 1], [2.5, 3]]);
    await expectDataError(readArrayFile(frac, { dtype: 'int32' }), `${frac}#[1][0]`, /32-bit integer[^]*2\.5/);
    const inf = await put('inf.json', '[1, 1e400]');
    await expectDataError(readArrayFile(inf), `${inf}#[1]`, /finite/);
    const big = await put('big.json', '[1, 1e39]');
    await expectDataError(readArrayFile(big), `${big}#[1]`, /float32/);
  });

  it('rejects bad JSON, non-arrays, objects and missing files', async () => {
    const bad = await put('bad.json', '[1, 2');
    await expectDataError(readArrayFile(bad), bad, /not valid JSON/);
    const num = await put('num.json', '3');
    await expectDataError(readArrayFile(num), num, /not an array/);
    const legacy = await put('legacy-as-array.json', { x: [[1]], y: [[2]] });
    const err = await expectDataError(readArrayFile(legacy), legacy, /holds an object/);
    expect(err.hint).toMatch(/"path"/);
    const fmt = await put('fmt.json', { format: 'hdf5' });
    expect((await expectDataError(readArrayFile(fmt), fmt)).hint).toMatch(/npde-raw/);
    const missing = join(dir, 'nope.json');
    await expectDataError(readArrayFile(missing), missing, /not found[^]*ENOENT/);
    await expectDataError(readArrayFile(dir + '/'), dir + '/', /unsupported data file type/);
  });

  it('rejects unknown extensions and key paths on non-JSON files', async () => {
    const csv = await put('x.csv', '1,2\n');
    expect((await expectDataError(readArrayFile(csv), csv, /unsupported data file type[^]*\.csv/)).hint).toMatch(/loadtxt/);
    const npz = await put('x.npz', '');
    expect((await expectDataError(readArrayFile(npz), npz)).hint).toMatch(/\.npz/);
    const npy = await put('k.npy', '');
    await expectDataError(readArrayFile(npy, { path: 'x' }), npy, /only to \.json/);
  });
});

describe('npde-raw manifests', () => {
  const values = Float32Array.from([0.1, -2, 3.5, 1e-20, 7, 8], Math.fround);

  it('reads raw float32 through the manifest, the raw file, or readManifestData', async () => {
    await put('raw/x.f32', le32(values));
    const manifest = await put('raw/x.json', { format: 'npde-raw', file: 'x.f32', shape: [3, 2], dtype: 'float32' });
    for (const a of [await readManifestData(manifest), await readArrayFile(manifest), await readArrayFile(join(dir, 'raw/x.f32'))]) {
      expect([a.dtype, a.shape]).toEqual(['float32', [3, 2]]);
      expect(a.data).toBeInstanceOf(Float32Array);
      expect(Array.from(a.data)).toEqual(Array.from(values));
    }
  });

  it('reads raw int32, finds a `<file>.json` manifest next to a .bin file, and converts dtypes when asked', async () => {
    await put('raw/labels.bin', le32(Int32Array.from([3, 0, -5, 2147483647])));
    await put('raw/labels.bin.json', { format: 'npde-raw', file: 'labels.bin', shape: [4], dtype: 'int32' });
    const a = await readArrayFile(join(dir, 'raw/labels.bin'));
    expect([a.dtype, a.shape, Array.from(a.data)]).toEqual(['int32', [4], [3, 0, -5, 2147483647]]);
    const f = await readArrayFile(join(dir, 'raw/labels.bin'), { dtype: 'float32' });
    expect([f.dtype, Array.from(f.data)]).toEqual(['float32', [3, 0, -5, 2147483648]]);
  });

  it('defaults dtype to float32 and accepts an absolute data path', async () => {
    const data = await put('raw/abs.f32', le32(Float32Array.from([1, 2])));
    const m = await put('elsewhere/abs-manifest.json', { format: 'npde-raw', file: data, shape: [2] });
    const a = await readManifestData(m);
    expect([a.dtype, Array.from(a.data)]).toEqual(['float32', [1, 2]]);
  });

  it('rejects a byte length that does not match the shape, naming the data file', async () => {
    await put('raw/short.f32', le32(values));
    const m = await put('raw/short.json', { format: 'npde-raw', file: 'short.f32', shape: [4, 2], dtype: 'float32' });
    const err = await expectDataError(readManifestData(m), join(dir, 'raw/short.f32'), /32 bytes[^]*got 24 bytes/);
    expect(err.message).toContain(m);
  });

  it.each([
    ['shape', { format: 'npde-raw', file: 'x.f32', shape: [3, -2] }, 'shape.1'],
    ['shape', { format: 'npde-raw', file: 'x.f32' }, 'shape'],
    ['dtype', { format: 'npde-raw', file: 'x.f32', shape: [6], dtype: 'float64' }, 'dtype'],
    ['file', { format: 'npde-raw', file: '', shape: [6] }, 'file'],
    ['unknown keys', { format: 'npde-raw', file: 'x.f32', shape: [6], order: 'C' }, 'order'],
  ])('rejects a bad %s field at manifest#field', async (_what, manifest, field) => {
    const m = await put(`raw/bad-${field}.json`, manifest);
    await expectDataError(readManifestData(m), `${m}#${field}`, /invalid npde-raw manifest/);
  });

  it('rejects a manifest whose data file is missing, and a raw file without a manifest', async () => {
    const m = await put('raw/ghost.json', { format: 'npde-raw', file: 'ghost.f32', shape: [1] });
    await expectDataError(readManifestData(m), join(dir, 'raw/ghost.f32'), /not found/);
    const lone = await put('raw/lone.f32', le32(values));
    expect((await expectDataError(readArrayFile(lone), lone, /no manifest/)).hint).toMatch(/"format": "npde-raw"/);
    const other = await put('raw/mixed.f32', le32(values));
    await put('raw/mixed.json', { format: 'npde-raw', file: 'x.f32', shape: [6] });
    await expectDataError(readArrayFile(other), `${join(dir, 'raw/mixed.json')}#file`, /another file/);
  });
});

describe('readDataset', () => {
  it('reads x and y files relative to baseDir', async () => {
    await put('ds/x.json', [[1, 2], [3, 4], [5, 6]]);
    await put('ds/y.json', [[0.5], [1.5], [2.5]]);
    const d = await readDataset({ source: 'file', x: 'x.json', y: 'y.json' }, join(dir, 'ds'));
    expect([d.samples, d.labels, d.x.shape, d.y.shape, d.y.dtype]).toEqual([3, false, [3, 2], [3, 1], 'float32']);
    expect(Array.from(d.y.data)).toEqual([0.5, 1.5, 2.5]);
  });

  it('reads integer class labels as int32', async () => {
    await put('ds/labels.json', [2, 0, 1]);
    const d = await readDataset({ source: 'file', x: 'x.json', y: 'labels.json', labels: true }, join(dir, 'ds'));
    expect([d.y.dtype, d.y.shape, Array.from(d.y.data), d.labels]).toEqual(['int32', [3], [2, 0, 1], true]);
    expect(d.x.dtype).toBe('float32');
  });

  it('reads the legacy single-file form', async () => {
    await put('ds/data.json', { x: [[1, 2], [3, 4]], y: [[5], [6]] });
    const d = await readDataset({ source: 'file', path: 'data.json' }, join(dir, 'ds'));
    expect([d.samples, d.x.shape, Array.from(d.y.data)]).toEqual([2, [2, 2], [5, 6]]);
  });

  it('rejects mismatched sample counts, naming both files', async () => {
    await put('ds/y4.json', [[1], [2], [3], [4]]);
    const err = await expectDataError(readDataset({ source: 'file', x: 'x.json', y: 'y4.json' }, join(dir, 'ds')), join(dir, 'ds/y4.json'), /different numbers of samples/);
    expect(err.message).toContain(join(dir, 'ds/x.json'));
    expect(err.message).toMatch(/3 samples[^]*4 samples/);
    await put('ds/short.json', { x: [[1], [2]], y: [[1]] });
    const legacy = await expectDataError(readDataset({ source: 'file', path: 'short.json' }, join(dir, 'ds')), `${join(dir, 'ds/short.json')}#y`);
    expect(legacy.message).toContain(`${join(dir, 'ds/short.json')}#x`);
  });

  it('rejects bad class labels at the bad element', async () => {
    const base = join(dir, 'ds');
    await put('ds/neg.json', [1, -1, 0]);
    await expectDataError(readDataset({ source: 'file', x: 'x.json', y: 'neg.json', labels: true }, base), `${join(base, 'neg.json')}#[1]`, /negative/);
    await put('ds/half.json', [1, 0.5, 0]);
    await expectDataError(readDataset({ source: 'file', x: 'x.json', y: 'half.json', labels: true }, base), `${join(base, 'half.json')}#[1]`, /integer/);
    await put('ds/onehot.json', [[0, 1], [1, 0], [0, 1]]);
    await expectDataError(readDataset({ source: 'file', x: 'x.json', y: 'onehot.json', labels: true }, base), join(base, 'onehot.json'), /one integer per sample/);
  });

  it('rejects legacy files without x and y, non-JSON legacy files, and empty data', async () => {
    const base = join(dir, 'ds');
    await put('ds/xonly.json', { x: [[1]] });
    await expectDataError(readDataset({ source: 'file', path: 'xonly.json' }, base), join(base, 'xonly.json'), /lacks x and y/);
    await expectDataError(readDataset({ source: 'file', path: 'x.npy' }, base), join(base, 'x.npy'), /takes a JSON file/);
    await put('ds/none.json', []);
    await expectDataError(readDataset({ source: 'file', x: 'none.json', y: 'none.json' }, base), join(base, 'none.json'), /no samples/);
    await expectDataError(readDataset({ source: 'file', x: 'missing.json', y: 'y.json' }, base), join(base, 'missing.json'), /not found/);
  });

  it('rejects a malformed data section as INVALID_SPEC under data.', async () => {
    const both = await failure(readDataset({ source: 'file', path: 'data.json', x: 'x.json', y: 'y.json' } as never, dir));
    expect([both.code, both.path]).toEqual([ErrorCodes.INVALID_SPEC, 'data.x']);
    expect(both.message).toMatch(/give either "path" .* or "x" and "y"/);
    const none = await failure(readDataset({ source: 'file' } as never, dir));
    expect([none.code, none.path]).toEqual([ErrorCodes.INVALID_SPEC, 'data.x']);
    const onlyX = await failure(readDataset({ source: 'file', x: 'x.json' } as never, dir));
    expect([onlyX.code, onlyX.path]).toEqual([ErrorCodes.INVALID_SPEC, 'data.y']);
    const labels = await failure(readDataset({ source: 'file', x: 'x.json', y: 'y.json', labels: 'yes' } as never, dir));
    expect([labels.code, labels.path]).toEqual([ErrorCodes.INVALID_SPEC, 'data.labels']);
  });
});

describe('FileDataSourceSchema', () => {
  const Data = v.variant('source', [v.strictObject({ source: v.literal('adr'), sites: v.optional(v.number(), 64) }), FileDataSourceSchema]);
  const parse = (input: unknown): unknown => validate(Data, input, { path: 'data', code: ErrorCodes.INVALID_SPEC });

  it('works as one option of the config variant on `source`', () => {
    expect(parse({ source: 'adr' })).toEqual({ source: 'adr', sites: 64 });
    expect(parse({ source: 'file', x: 'x.npy', y: 'y.npy' })).toEqual({ source: 'file', x: 'x.npy', y: 'y.npy', labels: false });
    expect(parse({ source: 'file', path: 'data.json', labels: true })).toEqual({ source: 'file', path: 'data.json', labels: true });
  });

  it('reports bad sections by path', () => {
    expect(() => parse({ source: 'file', x: 'x.npy' })).toThrow(expect.objectContaining({ path: 'data.y' }));
    expect(() => parse({ source: 'file', path: 'd.json', y: 'y.npy' })).toThrow(expect.objectContaining({ path: 'data.y', message: expect.stringMatching(/not both/) }));
    expect(() => parse({ source: 'file', x: 'x.npy', y: '' })).toThrow(expect.objectContaining({ path: 'data.y' }));
    expect(() => parse({ source: 'files', x: 'x.npy', y: 'y.npy' })).toThrow(expect.objectContaining({ path: 'data.source' }));
  });
});
