import { InvalidArgumentError, type Command } from 'commander';
import { exitCodeFor, reportError } from '../ui/exit.js';

/** Backends the CLI accepts by name. */
export const BACKENDS = ['wasm', 'cpu', 'cuda'] as const;

/**
 * Parse `--backend`: one name or a comma-separated fallback order
 * (`cuda,wasm`), each one of {@link BACKENDS}.
 */
export function parseBackends(value: string): string[] {
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = names.find((n) => !(BACKENDS as readonly string[]).includes(n));
  if (!names.length || bad !== undefined) {
    throw new InvalidArgumentError(`expected one of ${BACKENDS.join(', ')} (or a comma-separated fallback order such as cuda,wasm), got '${bad ?? value}'`);
  }
  return names;
}

/** Add `--backend wasm|cpu|cuda[,...]` to a command. */
export function addBackendOption(cmd: Command, fallback: string): Command {
  return cmd.option('--backend <names>', `tensor backend, or a comma-separated fallback order: ${BACKENDS.join(', ')}`, parseBackends, [fallback]);
}

/** Parser for a number option within [min, max]. */
export function parseNumber(flag: string, min: number, max = Infinity): (v: string) => number {
  return (v) => {
    const x = Number(v);
    if (v.trim() === '' || !Number.isFinite(x) || x < min || x > max) throw new InvalidArgumentError(`${flag}: expected a number in [${min}, ${max}], got '${v}'`);
    return x;
  };
}

/** Parser for an integer option ≥ min. */
export function parseInteger(flag: string, min: number): (v: string) => number {
  return (v) => {
    const x = Number(v);
    if (!Number.isInteger(x) || x < min) throw new InvalidArgumentError(`${flag}: expected an integer ≥ ${min}, got '${v}'`);
    return x;
  };
}

/** Run a command body, mapping errors to exit codes (2: bad usage/config, 1: runtime failure). */
export async function runAction(json: boolean, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    reportError(err, json);
    process.exitCode = exitCodeFor(err);
  }
}
