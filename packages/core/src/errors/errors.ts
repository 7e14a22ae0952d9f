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
 * @example
 * ```ts
 * try { registry.get('kernel', 'adr'); }
 * catch (e) { if (e instanceof NpdeError && e.code === ErrorCodes.UNKNOWN_PLUGIN) console.log(e.hint); }
 * ```
 */
export class NpdeError extends Error {
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

  constructor(code: ErrorCode, summary: string, details: NpdeErrorDetails = {}) {
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

/** Bad user input: a spec, a config or plugin options failed validation. */
export class ValidationError extends NpdeError {}
/** A plugin id could not be resolved. */
export class UnknownPluginError extends NpdeError {
  /** Ids that resemble the one asked for, best first. */
  readonly suggestions: readonly string[];
  constructor(summary: string, details: NpdeErrorDetails & { suggestions?: readonly string[] }) {
    super(ErrorCodes.UNKNOWN_PLUGIN, summary, details);
    this.suggestions = details.suggestions ?? [];
  }
}
/** Two different plugin objects claim one id. */
export class DuplicatePluginError extends NpdeError {}
/** A plugin hook threw; see `cause`. */
export class PluginError extends NpdeError {}
/** No backend could be initialized. */
export class BackendUnavailableError extends NpdeError {
  /** Each backend tried, and why it failed. */
  readonly attempts: readonly {
    /** The backend name (or id) that was tried. */
    readonly backend: string;
    /** Why it could not be initialized. */
    readonly reason: string;
  }[];
  constructor(summary: string, details: NpdeErrorDetails & { attempts: readonly { backend: string; reason: string }[] }) {
    super(ErrorCodes.BACKEND_UNAVAILABLE, summary, details);
    this.attempts = details.attempts;
  }
}
/** A tensor has the wrong shape. */
export class ShapeError extends NpdeError {}
/** Training diverged; the model holds the last good weights. */
export class TrainingDivergedError extends NpdeError {
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
/** A model directory could not be read or written. */
export class ModelFileError extends NpdeError {}

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
