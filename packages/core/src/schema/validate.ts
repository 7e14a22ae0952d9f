import * as v from 'valibot';
import { ErrorCodes, ValidationError, describeValue } from '../errors/errors.js';

/** A valibot schema whose parsed output is `T` (the options type a plugin receives). */
export type Schema<T> = v.GenericSchema<unknown, T> | v.GenericSchema<never, T>;

/** One problem found while validating input. */
export interface ValidationIssue {
  /** Dotted path from the root of the validated value, e.g. `kernel.options.dx`. */
  readonly path: string;
  /** What was expected, in words. */
  readonly expected: string;
  /** What arrived. */
  readonly received: string;
  /** valibot's message. */
  readonly message: string;
}

function joinPath(prefix: string, rest: string): string {
  if (!prefix) return rest;
  if (!rest) return prefix;
  return rest.startsWith('[') ? prefix + rest : `${prefix}.${rest}`;
}

/** Convert valibot issues to {@link ValidationIssue}s with full dotted paths. */
export function toIssues(issues: readonly v.BaseIssue<unknown>[], prefix = ''): ValidationIssue[] {
  return issues.map((issue) => {
    const local = (issue.path ?? []).map((p) => String(p.key)).join('.');
    return {
      path: joinPath(prefix, local) || '(root)',
      expected: issue.expected ?? 'a valid value',
      received: issue.path && issue.path.length ? describeValue(issue.path[issue.path.length - 1]!.value) : describeValue(issue.input),
      message: issue.message,
    };
  });
}

/**
 * Validate `input` against `schema`. Returns the parsed output (defaults
 * applied) or throws a {@link ValidationError} whose `path` is the first bad
 * value's full dotted path (under `opts.path`), listing every issue found.
 *
 * @example
 * ```ts
 * const opts = validate(v.object({ dx: v.pipe(v.number(), v.gtValue(0)) }), { dx: -1 }, { path: 'kernel.options' });
 * // throws: kernel.options.dx: invalid options — expected >0, got -1
 * ```
 */
export function validate<T>(
  schema: Schema<T>,
  input: unknown,
  opts: { path?: string; plugin?: string; what?: string; code?: typeof ErrorCodes.INVALID_OPTIONS | typeof ErrorCodes.INVALID_SPEC } = {},
): T {
  const result = v.safeParse(schema as v.GenericSchema<unknown, T>, input);
  if (result.success) return result.output;
  const issues = toIssues(result.issues, opts.path ?? '');
  const first = issues[0]!;
  const more = issues.length > 1 ? `\n${issues.slice(1).map((i) => `  also ${i.path}: expected ${i.expected}, got ${i.received}`).join('\n')}` : '';
  const detail = first.expected === 'a valid value' ? `: ${first.message}` : '';
  throw new ValidationError(opts.code ?? ErrorCodes.INVALID_OPTIONS, `invalid ${opts.what ?? 'options'}${detail}${more}`, {
    path: first.path,
    expected: first.expected,
    received: first.received,
    plugin: opts.plugin,
    hint: opts.plugin
      ? `See the options of '${opts.plugin}' with \`npde plugins\` or in its package documentation.`
      : 'Fix the value at the path shown; the documentation lists every field.',
  });
}
