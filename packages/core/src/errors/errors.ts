/**
 * Stable error codes of npde. A code never changes meaning once released; match on
 * `err.code`, never on the message.
 */
export const ErrorCodes = {
  /** A plugin's options failed its schema. */
  INVALID_OPTIONS: 'NPDE_INVALID_OPTIONS',
  /** A model spec, training config or other structured input failed validation. */
  INVALID_SPEC: 'NPDE_INVALID_SPEC',
  /** A plugin id is not in the registry. */
  UNKNOWN_PLUGIN: 'NPDE_UNKNOWN_PLUGIN',
  /** A different plugin object is already registered under the same id. */
  DUPLICATE_PLUGIN: 'NPDE_DUPLICATE_PLUGIN',
  /** A plugin threw from one of its hooks; the original error is the `cause`. */
  PLUGIN_FAILED: 'NPDE_PLUGIN_FAILED',
  /** No requested tensor backend could be initialized. */
  BACKEND_UNAVAILABLE: 'NPDE_BACKEND_UNAVAILABLE',
  /** A tensor does not have the shape the model expects. */
  SHAPE_MISMATCH: 'NPDE_SHAPE_MISMATCH',
  /** Input data holds NaN or infinite values. */
  NON_FINITE: 'NPDE_NON_FINITE',
  /** The field geometry is not supported by a plugin (e.g. a 1-D kernel on a 2-D field). */
  UNSUPPORTED_FIELD: 'NPDE_UNSUPPORTED_FIELD',
  /** The training loss became NaN/infinite or exploded; the last good weights were restored. */
  TRAINING_DIVERGED: 'NPDE_TRAINING_DIVERGED',
  /** A saved model directory is missing, unreadable or malformed. */
  INVALID_MODEL_FILE: 'NPDE_INVALID_MODEL_FILE',
  /**
   * An operation would allocate more than a stated limit (e.g. materializing the
   * dense `W` of a large field); it was refused before allocating anything.
   */
  TOO_LARGE: 'NPDE_TOO_LARGE',
  /**
   * A data file (JSON, raw float32 + manifest, `.npy`) is missing, unreadable or
   * malformed. Saved model directories have their own code, `INVALID_MODEL_FILE`.
   */
  INVALID_DATA_FILE: 'NPDE_INVALID_DATA_FILE',
  /**
   * A model location (`saveModel` / `loadModel` target) names no storage handler:
   * an unknown scheme, a plain path with no file router registered (Node:
   * `import '@npde/core/node'`), or a browser store used outside a browser.
   */
  UNKNOWN_MODEL_STORE: 'NPDE_UNKNOWN_MODEL_STORE',
} as const;

/** One of the stable {@link ErrorCodes}. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** Structured details carried by every {@link NpdeError}. */
export interface NpdeErrorDetails {
  /** Dotted path of the bad value in the user's input, e.g. `kernel.options.dx`. */
  readonly path?: string;
  /** What was expected there, in words (`"a number > 0"`). */
  readonly expected?: string;
  /** What arrived, rendered briefly (`"-1"`). */
  readonly received?: string;
  /** How to fix it. */
  readonly hint?: string;
  /** Id of the plugin involved, if any. */
  readonly plugin?: string;
  /** The plugin hook that was running (`create`, `apply`, ...). */
  readonly hook?: string;
  /** The underlying error. */
  readonly cause?: unknown;
}

/**
 * Base class of every error npde throws on purpose. It has a stable `code`, the
 * `path` of the bad value, what was `expected` and what was `received`, and a `hint`.
 *
 * It is abstract: every code belongs to exactly one subclass (see
 * {@link ERROR_CLASS_BY_CODE}), so throw that subclass, e.g.
 * `new ShapeError(ErrorCodes.SHAPE_MISMATCH, ...)`. Constructing any class with a
 * code that belongs to another class throws a `TypeError`, so `instanceof` and
 * `code` always agree. Catch with `instanceof NpdeError`, then match on `code`.
 *
 * @example
 * ```ts
 * try { registry.get('kernel', 'adr'); }
 * catch (e) { if (e instanceof NpdeError && e.code === ErrorCodes.UNKNOWN_PLUGIN) console.log(e.hint); }
 * ```
 */
export abstract class NpdeError extends Error {
  /** Stable machine-readable code. */
  readonly code: ErrorCode;
  /** Dotted path of the bad value, when there is one. */
  readonly path?: string;
  /** What was expected. */
  readonly expected?: string;
  /** What arrived. */
  readonly received?: string;
  /** How to fix it. */
  readonly hint?: string;
  /** Plugin id involved. */
  readonly plugin?: string;
  /** Plugin hook involved. */
  readonly hook?: string;

  /**
   * @param code - A code whose class in {@link ERROR_CLASS_BY_CODE} is the class being
   *   constructed or one it extends; any other code throws a `TypeError`.
   * @param summary - What went wrong, in a few words.
   * @param details - Where, what was expected and received, how to fix it.
   */
  constructor(code: ErrorCode, summary: string, details: NpdeErrorDetails = {}) {
    checkCodeOwner(new.target, code);
    super(formatMessage(summary, details), details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = code;
    this.path = details.path;
    this.expected = details.expected;
    this.received = details.received;
    this.hint = details.hint;
    this.plugin = details.plugin;
    this.hook = details.hook;
  }

  /** A plain-object form, for `--json` output and logs. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      path: this.path,
      expected: this.expected,
      received: this.received,
      hint: this.hint,
      plugin: this.plugin,
      hook: this.hook,
    };
  }
}

function formatMessage(summary: string, d: NpdeErrorDetails): string {
  const parts: string[] = [];
  const where = [d.plugin ? `'${d.plugin}'` : '', d.hook ? `(${d.hook})` : ''].filter(Boolean).join(' ');
  parts.push(`${where ? where + ': ' : ''}${d.path ? d.path + ': ' : ''}${summary}`);
  if (d.expected !== undefined || d.received !== undefined) {
    parts.push(`expected ${d.expected ?? '?'}, got ${d.received ?? '?'}`);
  }
  let msg = parts.join(' — ');
  if (d.hint) msg += `\nhint: ${d.hint}`;
  return msg;
}

/**
 * Bad user input: plugin options failed their schema (`INVALID_OPTIONS`), or a
 * model spec, training config or other structured input failed validation
 * (`INVALID_SPEC`). `path` names the bad value.
 */
export class ValidationError extends NpdeError {
  declare readonly code: typeof ErrorCodes.INVALID_OPTIONS | typeof ErrorCodes.INVALID_SPEC;
  /** @param code - `INVALID_OPTIONS` or `INVALID_SPEC`; any other code throws a `TypeError`. */
  constructor(code: typeof ErrorCodes.INVALID_OPTIONS | typeof ErrorCodes.INVALID_SPEC, summary: string, details?: NpdeErrorDetails) {
    super(code, summary, details);
  }
}
/** A plugin id is not in the registry (`UNKNOWN_PLUGIN`); carries the closest ids as `suggestions`. */
export class UnknownPluginError extends NpdeError {
  declare readonly code: typeof ErrorCodes.UNKNOWN_PLUGIN;
  /** Ids that resemble the one asked for, best first. */
  readonly suggestions: readonly string[];
  constructor(summary: string, details: NpdeErrorDetails & { suggestions?: readonly string[] }) {
    super(ErrorCodes.UNKNOWN_PLUGIN, summary, details);
    this.suggestions = details.suggestions ?? [];
  }
}
/** A different plugin object is already registered under the same id (`DUPLICATE_PLUGIN`); the message names both. */
export class DuplicatePluginError extends NpdeError {
  declare readonly code: typeof ErrorCodes.DUPLICATE_PLUGIN;
  /** @param code - `DUPLICATE_PLUGIN`; any other code throws a `TypeError`. */
  constructor(code: typeof ErrorCodes.DUPLICATE_PLUGIN, summary: string, details?: NpdeErrorDetails) {
    super(code, summary, details);
  }
}
/**
 * A plugin hook threw something that was not an {@link NpdeError}
 * (`PLUGIN_FAILED`); `plugin` and `hook` name where, `cause` is the original.
 * Made by {@link wrapPluginError}.
 */
export class PluginError extends NpdeError {
  declare readonly code: typeof ErrorCodes.PLUGIN_FAILED;
  /** @param code - `PLUGIN_FAILED`; any other code throws a `TypeError`. */
  constructor(code: typeof ErrorCodes.PLUGIN_FAILED, summary: string, details?: NpdeErrorDetails) {
    super(code, summary, details);
  }
}
/**
 * A tensor backend cannot run (`BACKEND_UNAVAILABLE`): `registry.ready()` found
 * none that initializes (each one tried is in `attempts`), or one backend failed
 * on its own, in its `setup` or a kernel (then `plugin` and `hook` name it and
 * `attempts` is empty).
 */
export class BackendUnavailableError extends NpdeError {
  declare readonly code: typeof ErrorCodes.BACKEND_UNAVAILABLE;
  /** Each backend `registry.ready()` tried, and why it failed; empty when one backend reports its own failure. */
  readonly attempts: readonly {
    /** The backend name (or id) that was tried. */
    readonly backend: string;
    /** Why it could not be initialized. */
    readonly reason: string;
  }[];
  constructor(summary: string, details: NpdeErrorDetails & { attempts?: readonly { backend: string; reason: string }[] }) {
    super(ErrorCodes.BACKEND_UNAVAILABLE, summary, details);
    this.attempts = details.attempts ?? [];
  }
}
/** A tensor or array does not have the shape (or dtype) expected there (`SHAPE_MISMATCH`). */
export class ShapeError extends NpdeError {
  declare readonly code: typeof ErrorCodes.SHAPE_MISMATCH;
  /** @param code - `SHAPE_MISMATCH`; any other code throws a `TypeError`. */
  constructor(code: typeof ErrorCodes.SHAPE_MISMATCH, summary: string, details?: NpdeErrorDetails) {
    super(code, summary, details);
  }
}
/** Input data holds NaN or ±Infinity (`NON_FINITE`); `path` names the tensor (`data.x`). */
export class NonFiniteError extends NpdeError {
  declare readonly code: typeof ErrorCodes.NON_FINITE;
  /** @param code - `NON_FINITE`; any other code throws a `TypeError`. */
  constructor(code: typeof ErrorCodes.NON_FINITE, summary: string, details?: NpdeErrorDetails) {
    super(code, summary, details);
  }
}
/**
 * A plugin cannot handle the field geometry it was given (`UNSUPPORTED_FIELD`),
 * e.g. a 1-D stencil kernel on a 2-D field; `path` is `field`.
 */
export class UnsupportedFieldError extends NpdeError {
  declare readonly code: typeof ErrorCodes.UNSUPPORTED_FIELD;
  /** @param code - `UNSUPPORTED_FIELD`; any other code throws a `TypeError`. */
  constructor(code: typeof ErrorCodes.UNSUPPORTED_FIELD, summary: string, details?: NpdeErrorDetails) {
    super(code, summary, details);
  }
}
/** Training diverged (`TRAINING_DIVERGED`); the model holds the last good weights. */
export class TrainingDivergedError extends NpdeError {
  declare readonly code: typeof ErrorCodes.TRAINING_DIVERGED;
  /** 1-based epoch at which the loss went bad. */
  readonly epoch: number;
  /** The offending loss value (NaN, Infinity or a blown-up number). */
  readonly loss: number;
  constructor(summary: string, details: NpdeErrorDetails & { epoch: number; loss: number }) {
    super(ErrorCodes.TRAINING_DIVERGED, summary, details);
    this.epoch = details.epoch;
    this.loss = details.loss;
  }
}
/** A saved model directory is missing, unreadable, malformed or cannot be written (`INVALID_MODEL_FILE`). */
export class ModelFileError extends NpdeError {
  declare readonly code: typeof ErrorCodes.INVALID_MODEL_FILE;
  /** @param code - `INVALID_MODEL_FILE`; any other code throws a `TypeError`. */
  constructor(code: typeof ErrorCodes.INVALID_MODEL_FILE, summary: string, details?: NpdeErrorDetails) {
    super(code, summary, details);
  }
}
/**
 * An operation was refused before allocating because it would need more than a
 * stated limit (`TOO_LARGE`), e.g. materializing the dense `W` of a large field:
 * `expected` states the limit, `received` what was asked for.
 */
export class TooLargeError extends NpdeError {
  declare readonly code: typeof ErrorCodes.TOO_LARGE;
  /** @param code - `TOO_LARGE`; any other code throws a `TypeError`. */
  constructor(code: typeof ErrorCodes.TOO_LARGE, summary: string, details?: NpdeErrorDetails) {
    super(code, summary, details);
  }
}
/**
 * A data file (JSON, raw float32 + manifest, `.npy`) is missing, unreadable or
 * malformed (`INVALID_DATA_FILE`). Saved model directories throw
 * {@link ModelFileError} instead.
 */
export class DataFileError extends NpdeError {
  declare readonly code: typeof ErrorCodes.INVALID_DATA_FILE;
  /** @param code - `INVALID_DATA_FILE`; any other code throws a `TypeError`. */
  constructor(code: typeof ErrorCodes.INVALID_DATA_FILE, summary: string, details?: NpdeErrorDetails) {
    super(code, summary, details);
  }
}
/**
 * A model location names no storage handler (`UNKNOWN_MODEL_STORE`): an unknown
 * scheme (`suggestions` holds the closest known ones), a plain path with no file
 * router registered, or a browser store outside a browser. `path` is the location.
 */
export class UnknownModelStoreError extends NpdeError {
  declare readonly code: typeof ErrorCodes.UNKNOWN_MODEL_STORE;
  /** Known schemes that resemble the one asked for, best first. */
  readonly suggestions: readonly string[];
  constructor(summary: string, details: NpdeErrorDetails & { suggestions?: readonly string[] }) {
    super(ErrorCodes.UNKNOWN_MODEL_STORE, summary, details);
    this.suggestions = details.suggestions ?? [];
  }
}

/**
 * The one class that owns each {@link ErrorCode}: npde throws an error with code
 * `c` only as an instance of `ERROR_CLASS_BY_CODE[c]` (or a subclass of it), so
 * `err instanceof ShapeError` and `err.code === ErrorCodes.SHAPE_MISMATCH` always
 * agree. Frozen; every code has exactly one entry. Constructing a class with a
 * code it does not own throws a `TypeError`.
 *
 * @example
 * ```ts
 * ERROR_CLASS_BY_CODE[ErrorCodes.NON_FINITE] === NonFiniteError; // true
 * ERROR_CLASS_BY_CODE[err.code].name;                             // the class to catch
 * ```
 */
export const ERROR_CLASS_BY_CODE = Object.freeze({
  /** Plugin options that fail their schema: a {@link ValidationError}, shared with `INVALID_SPEC`. */
  [ErrorCodes.INVALID_OPTIONS]: ValidationError,
  /** A spec or config that fails validation: a {@link ValidationError}, shared with `INVALID_OPTIONS`. */
  [ErrorCodes.INVALID_SPEC]: ValidationError,
  /** A plugin id missing from the registry: {@link UnknownPluginError}. */
  [ErrorCodes.UNKNOWN_PLUGIN]: UnknownPluginError,
  /** A second, different plugin under a taken id: {@link DuplicatePluginError}. */
  [ErrorCodes.DUPLICATE_PLUGIN]: DuplicatePluginError,
  /** A plugin hook threw (original error as `cause`): {@link PluginError}. */
  [ErrorCodes.PLUGIN_FAILED]: PluginError,
  /** No requested tensor backend initialized: {@link BackendUnavailableError}. */
  [ErrorCodes.BACKEND_UNAVAILABLE]: BackendUnavailableError,
  /** A tensor of the wrong shape: {@link ShapeError}. */
  [ErrorCodes.SHAPE_MISMATCH]: ShapeError,
  /** NaN or infinite input values: {@link NonFiniteError}. */
  [ErrorCodes.NON_FINITE]: NonFiniteError,
  /** A field geometry a plugin cannot handle: {@link UnsupportedFieldError}. */
  [ErrorCodes.UNSUPPORTED_FIELD]: UnsupportedFieldError,
  /** A non-finite or exploding training loss: {@link TrainingDivergedError}. */
  [ErrorCodes.TRAINING_DIVERGED]: TrainingDivergedError,
  /** A missing or malformed saved model directory: {@link ModelFileError}. */
  [ErrorCodes.INVALID_MODEL_FILE]: ModelFileError,
  /** An allocation refused for exceeding a stated limit: {@link TooLargeError}. */
  [ErrorCodes.TOO_LARGE]: TooLargeError,
  /** A missing or malformed data file (JSON, raw float32, `.npy`): {@link DataFileError}. */
  [ErrorCodes.INVALID_DATA_FILE]: DataFileError,
  /** A model location no storage handler serves: {@link UnknownModelStoreError}. */
  [ErrorCodes.UNKNOWN_MODEL_STORE]: UnknownModelStoreError,
}) satisfies { readonly [C in ErrorCode]: new (...args: never[]) => NpdeError & { readonly code: ErrorCode } };

function checkCodeOwner(target: abstract new (...args: never[]) => NpdeError, code: unknown): void {
  const owner = typeof code === 'string' && Object.hasOwn(ERROR_CLASS_BY_CODE, code) ? ERROR_CLASS_BY_CODE[code as ErrorCode] : undefined;
  if (owner === undefined) {
    throw new TypeError(`${target.name}: unknown error code ${describeValue(code)}; expected one of ${Object.values(ErrorCodes).join(', ')}`);
  }
  if (target !== owner && !(target.prototype instanceof owner)) {
    throw new TypeError(`${target.name} cannot carry code ${code}: that code belongs to ${owner.name}; throw new ${owner.name}(...) instead`);
  }
}

/** Render a value briefly for the `received` field of an error. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? value.slice(0, 57) + '...' : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'function') return 'a function';
  try {
    const s = JSON.stringify(value);
    return s.length > 60 ? s.slice(0, 57) + '...' : s;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * Run `fn` as the hook `hook` of plugin `plugin`: any non-npde error it throws is
 * wrapped in a {@link PluginError} that names the plugin and hook and keeps the
 * original as `cause`.
 */
export function withPluginContext<T>(plugin: string, hook: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw wrapPluginError(plugin, hook, err);
  }
}

/** Wrap `err` (unless already an {@link NpdeError}) as a {@link PluginError}. */
export function wrapPluginError(plugin: string, hook: string, err: unknown): NpdeError {
  if (err instanceof NpdeError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  return new PluginError(ErrorCodes.PLUGIN_FAILED, `plugin threw: ${msg}`, {
    plugin,
    hook,
    cause: err,
    hint: 'This is likely a bug in the plugin or a value it cannot handle; the original error is attached as `cause`.',
  });
}
