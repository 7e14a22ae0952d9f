import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  BackendUnavailableError,
  DataFileError,
  ERROR_CLASS_BY_CODE,
  ErrorCodes,
  NpdeError,
  ShapeError,
  TrainingDivergedError,
  UnknownModelStoreError,
  UnknownPluginError,
  ValidationError,
  type ErrorCode,
  type NpdeErrorDetails,
} from './errors.js';

/** The class each code must map to, written out so the map is checked against an independent list. */
const EXPECTED_CLASS_NAME: Record<ErrorCode, string> = {
  NPDE_INVALID_OPTIONS: 'ValidationError',
  NPDE_INVALID_SPEC: 'ValidationError',
  NPDE_UNKNOWN_PLUGIN: 'UnknownPluginError',
  NPDE_DUPLICATE_PLUGIN: 'DuplicatePluginError',
  NPDE_PLUGIN_FAILED: 'PluginError',
  NPDE_BACKEND_UNAVAILABLE: 'BackendUnavailableError',
  NPDE_SHAPE_MISMATCH: 'ShapeError',
  NPDE_NON_FINITE: 'NonFiniteError',
  NPDE_UNSUPPORTED_FIELD: 'UnsupportedFieldError',
  NPDE_TRAINING_DIVERGED: 'TrainingDivergedError',
  NPDE_INVALID_MODEL_FILE: 'ModelFileError',
  NPDE_TOO_LARGE: 'TooLargeError',
  NPDE_INVALID_DATA_FILE: 'DataFileError',
  NPDE_UNKNOWN_MODEL_STORE: 'UnknownModelStoreError',
};

type CodeFirstClass = new (code: ErrorCode, summary: string, details?: NpdeErrorDetails) => NpdeError;

const details: NpdeErrorDetails = {
  path: 'a.b',
  expected: 'x',
  received: 'y',
  hint: 'do z',
  plugin: '@test/p',
  hook: 'create',
};

/**
 * Classes that fill in their own code, as `(summary, details)`, and take extra
 * structured details. Every other class takes `(code, summary, details)`; a new
 * self-coded class needs an entry here.
 */
const SELF_CODED = new Map<unknown, () => NpdeError>([
  [UnknownPluginError, () => new UnknownPluginError('summary', { ...details, suggestions: ['@test/q'] })],
  [BackendUnavailableError, () => new BackendUnavailableError('summary', { ...details, attempts: [{ backend: 'wasm', reason: 'r' }] })],
  [TrainingDivergedError, () => new TrainingDivergedError('summary', { ...details, epoch: 3, loss: Number.NaN })],
  [UnknownModelStoreError, () => new UnknownModelStoreError('summary', { ...details, suggestions: ['file'] })],
]);

function construct(code: ErrorCode): NpdeError {
  const Cls = ERROR_CLASS_BY_CODE[code];
  return SELF_CODED.get(Cls)?.() ?? new (Cls as unknown as CodeFirstClass)(code, 'summary', details);
}

const codes = Object.values(ErrorCodes);
const codeFirstClasses = [...new Set(Object.values(ERROR_CLASS_BY_CODE))].filter((c) => !SELF_CODED.has(c)) as unknown as CodeFirstClass[];

describe('ERROR_CLASS_BY_CODE', () => {
  it('is frozen and has exactly one class per code', () => {
    expect(Object.isFrozen(ERROR_CLASS_BY_CODE)).toBe(true);
    expect(Object.keys(ERROR_CLASS_BY_CODE).sort()).toEqual([...codes].sort());
    for (const code of codes) expect(ERROR_CLASS_BY_CODE[code].name, code).toBe(EXPECTED_CLASS_NAME[code]);
  });

  it('has distinct code values', () => {
    expect(new Set(codes).size).toBe(codes.length);
  });
});

describe.each(codes)('%s', (code) => {
  const err = construct(code);
  const Cls = ERROR_CLASS_BY_CODE[code];

  it('is an instance of its class, of NpdeError and of Error, and of no other npde class', () => {
    expect(err).toBeInstanceOf(Cls);
    expect(err).toBeInstanceOf(NpdeError);
    expect(err).toBeInstanceOf(Error);
    for (const Other of new Set(Object.values(ERROR_CLASS_BY_CODE))) {
      if (Other !== Cls) expect(err instanceof Other, `${code} instanceof ${Other.name}`).toBe(false);
    }
  });

  it('carries its code and its class name', () => {
    expect(err.code).toBe(code);
    expect(err.name).toBe(EXPECTED_CLASS_NAME[code]);
  });

  it('serializes with toJSON()', () => {
    expect(err.toJSON()).toEqual({
      name: EXPECTED_CLASS_NAME[code],
      code,
      message: "'@test/p' (create): a.b: summary — expected x, got y\nhint: do z",
      ...details,
    });
    expect(JSON.parse(JSON.stringify(err))).toMatchObject({ name: EXPECTED_CLASS_NAME[code], code });
  });
});

describe('code ownership', () => {
  it.each(codeFirstClasses.map((c) => [c.name, c] as const))('%s refuses every code it does not own', (_name, Cls) => {
    for (const code of codes) {
      const owner = ERROR_CLASS_BY_CODE[code];
      if (owner === (Cls as unknown)) continue;
      expect(() => new Cls(code, 'summary'), `${Cls.name} with ${code}`).toThrow(TypeError);
      expect(() => new Cls(code, 'summary'), `${Cls.name} with ${code}`).toThrow(new RegExp(`belongs to ${owner.name}`));
    }
  });

  it('refuses an unknown code', () => {
    expect(() => new ShapeError('NPDE_NOPE' as typeof ErrorCodes.SHAPE_MISMATCH, 'summary')).toThrow(TypeError);
  });

  it('rejects a wrong code at compile time too', () => {
    // @ts-expect-error NON_FINITE belongs to NonFiniteError
    expect(() => new ShapeError(ErrorCodes.NON_FINITE, 'summary')).toThrow(/ShapeError cannot carry code NPDE_NON_FINITE/);
    // @ts-expect-error INVALID_MODEL_FILE belongs to ModelFileError
    expect(() => new DataFileError(ErrorCodes.INVALID_MODEL_FILE, 'summary')).toThrow(TypeError);
    expect(new ValidationError(ErrorCodes.INVALID_SPEC, 'summary').code).toBe(ErrorCodes.INVALID_SPEC);
  });

  it('NpdeError itself cannot be constructed, for any code', () => {
    for (const code of codes) {
      // @ts-expect-error NpdeError is abstract
      expect(() => new NpdeError(code, 'summary')).toThrow(TypeError);
    }
  });

  it('a subclass of the owning class may carry its code', () => {
    class StencilShapeError extends ShapeError {}
    const err = new StencilShapeError(ErrorCodes.SHAPE_MISMATCH, 'summary');
    expect(err).toBeInstanceOf(ShapeError);
    expect(err.name).toBe('StencilShapeError');
    expect(() => new StencilShapeError(ErrorCodes.INVALID_SPEC as typeof ErrorCodes.SHAPE_MISMATCH, 'summary')).toThrow(TypeError);
  });
});

describe('source', () => {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
  const sourceFile = /\.(?:[cm]?ts|tsx|[cm]?js)$/;
  const specFile = /\.(?:spec|test)\.[cm]?[jt]sx?$/;

  function sources(dir: string): string[] {
    const out: string[] = [];
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === 'dist') continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) out.push(...sources(full));
      else if (entry.isFile() && sourceFile.test(entry.name) && !specFile.test(entry.name)) out.push(full);
    }
    return out;
  }

  function srcDirs(): string[] {
    return ['packages', 'apps'].flatMap((group) => {
      const base = path.join(root, group);
      return readdirSync(base)
        .map((name) => path.join(base, name, 'src'))
        .filter((dir) => statSync(dir, { throwIfNoEntry: false })?.isDirectory());
    });
  }

  it('never constructs NpdeError directly (packages/*/src, apps/*/src, non-spec)', () => {
    const files = srcDirs().flatMap(sources);
    expect(files).toContain(fileURLToPath(new URL('./errors.ts', import.meta.url)));
    const offenders: string[] = [];
    for (const file of files) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/\bnew\s+NpdeError\s*\(/.test(line)) offenders.push(`${path.relative(root, file)}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(offenders, 'throw the class that owns the code (ERROR_CLASS_BY_CODE) instead').toEqual([]);
  });
});
