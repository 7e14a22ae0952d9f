import { ErrorCodes, NpdeError, type ErrorCode } from 'npde';

/** Exit codes of the `npde` command. */
export const ExitCode = {
  /** Success. */
  OK: 0,
  /** Runtime failure (backend unavailable, training diverged, I/O). */
  RUNTIME: 1,
  /** Bad usage or bad config; the message names the path of the bad value. */
  USAGE: 2,
} as const;

const USAGE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  ErrorCodes.INVALID_OPTIONS,
  ErrorCodes.INVALID_SPEC,
  ErrorCodes.UNKNOWN_PLUGIN,
  ErrorCodes.SHAPE_MISMATCH,
  ErrorCodes.NON_FINITE,
  ErrorCodes.UNSUPPORTED_FIELD,
  ErrorCodes.INVALID_MODEL_FILE,
]);

/** The exit code for an error thrown by a command. */
export function exitCodeFor(err: unknown): number {
  return err instanceof NpdeError && USAGE_CODES.has(err.code) ? ExitCode.USAGE : ExitCode.RUNTIME;
}

/** Print an error for a person (or as JSON), without a stack trace unless NPDE_DEBUG is set. */
export function reportError(err: unknown, json: boolean): void {
  if (json) {
    const body = err instanceof NpdeError ? err.toJSON() : { name: 'Error', message: err instanceof Error ? err.message : String(err) };
    process.stdout.write(JSON.stringify({ error: body }) + '\n');
  }
  if (err instanceof NpdeError) {
    process.stderr.write(`npde: error ${err.code}: ${err.message}\n`);
  } else {
    process.stderr.write(`npde: ${err instanceof Error ? err.message : String(err)}\n`);
  }
  if (process.env['NPDE_DEBUG'] && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
  else if (!(err instanceof NpdeError)) process.stderr.write('(set NPDE_DEBUG=1 to see the stack trace)\n');
}
