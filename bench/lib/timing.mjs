/**
 * Timing and comparison helpers.
 */
import { performance } from 'node:perf_hooks';

export const now = () => performance.now();

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

/** Least wall time of warm-up before timing, ms: V8 needs a few hundred calls to optimize a sub-millisecond path. */
export const MIN_WARMUP_MS = 200;

/**
 * Run `once()` warmup + reps times; `once` returns the milliseconds of its own
 * timed region (so that disposal can sit outside it). The warm-up lasts at least
 * `warmup` runs and {@link MIN_WARMUP_MS}: with 3 runs a 0.1 ms call was timed before
 * V8 had optimized the engine's and the kernel's JavaScript (64 × 1024 forward:
 * 0.14–0.18 ms against 0.09–0.13 ms after 300 runs); `minWarmupMs` lowers that
 * minimum for a function that already ran warm. Returns the median and spread.
 */
export async function measure(once, { warmup, reps, minWarmupMs = MIN_WARMUP_MS }) {
  const start = now();
  for (let i = 0; i < warmup || now() - start < minWarmupMs; i++) await once();
  const times = [];
  for (let i = 0; i < reps; i++) times.push(await once());
  return { medianMs: median(times), minMs: Math.min(...times), maxMs: Math.max(...times), reps: times.length };
}

/**
 * Largest absolute difference between `got` and `ref`, relative to max(1, max |ref|).
 */
export function scaledMaxDiff(got, ref) {
  if (got.length !== ref.length) return Infinity;
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < ref.length; i++) {
    const d = Math.abs(got[i] - ref[i]);
    if (!(d <= diff)) diff = d; // NaN-sticky
    const a = Math.abs(ref[i]);
    if (a > scale) scale = a;
  }
  return diff / scale;
}

/** Tolerances of the output checks (scaled max diff). */
export const TOLERANCE = { forward: 1e-5, gradient: 1e-3 };

/**
 * Compare a column's outputs with the reference outputs (the JavaScript loop's).
 * `got`/`ref`: { out } or { dz, dtaps, domega, dbias } (any subset present in both).
 * Returns { maxDiff, ok, fields }.
 */
export function compareOutputs(got, ref) {
  const fields = {};
  let ok = true;
  let maxDiff = 0;
  for (const key of ['out', 'dz', 'dtaps', 'domega', 'dbias']) {
    if (!got[key] || !ref[key]) continue;
    const d = scaledMaxDiff(got[key], ref[key]);
    fields[key] = d;
    const tol = key === 'out' ? TOLERANCE.forward : TOLERANCE.gradient;
    if (!(d <= tol)) ok = false;
    if (!(d <= maxDiff)) maxDiff = d;
  }
  return { maxDiff, ok, fields };
}

/** Format milliseconds with 3 significant digits. */
export function fmtMs(ms) {
  if (ms === null || ms === undefined) return '—';
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(2);
  return ms.toPrecision(3);
}

export function fmtRatio(r) {
  if (r === null || r === undefined || !Number.isFinite(r)) return '—';
  if (r >= 10) return `${r.toFixed(1)}×`;
  if (r >= 0.1) return `${r.toFixed(2)}×`;
  return `${r.toPrecision(2)}×`;
}
