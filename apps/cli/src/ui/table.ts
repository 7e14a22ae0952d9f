const NUMERIC = /^[-+]?(\d|\.\d)[\d.,]*(e[-+]?\d+)?\s?(%|s|×)?$/i;

/** Render rows as an aligned text table (first row = header); numbers are right-aligned, text left-aligned. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const numeric = widths.map((_, c) => c > 0 && rows.length > 1 && rows.slice(1).every((r) => NUMERIC.test(r[c] ?? '') || r[c] === '-'));
  const line = (r: readonly string[]) => r.map((cell, c) => (numeric[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd();
  return [line(rows[0]!), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** Format a number compactly with `digits` significant digits. */
export function num(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return String(x);
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5)) return x.toExponential(digits - 1);
  return x.toPrecision(digits);
}

/** Format a ratio as a percentage. */
export function pct(x: number): string {
  return x < 1e-4 ? `${(x * 100).toExponential(2)}%` : `${(x * 100).toPrecision(3)}%`;
}
