import type { SmoothingReading, LayerPhysics } from './layer-physics.js';
import type { BlockReport, PhysicsReport } from './model-report.js';

/** A number in 4 significant digits (exponent form for very large or small values). */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e4 || a < 1e-3 ? x.toExponential(3) : x.toPrecision(4);
}

/** Plain-text table: columns padded to their widest cell, a rule under the header. */
export function textTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: readonly string[]): string => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

function stats(xs: readonly number[]): string[] {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const x of xs) {
    min = Math.min(min, x);
    max = Math.max(max, x);
    sum += x;
  }
  return [formatNumber(min), formatNumber(sum / xs.length), formatNumber(max)];
}

function readingSummary(r: readonly SmoothingReading[]): string {
  const counts = new Map<SmoothingReading, number>();
  for (const x of r) counts.set(x, (counts.get(x) ?? 0) + 1);
  if (counts.size === 1) return `${r[0]} everywhere`;
  return [...counts].map(([k, n]) => `${k} at ${n}`).join(', ');
}

const AXES = ['x', 'y', 'z'];

/** The table rows (quantity, layer, min, mean, max, reading) of one layer's physics. */
export function physicsRows(p: LayerPhysics, layer: string): string[][] {
  const rows: string[][] = [];
  const tag = p.channels ? ` [${p.channels[0]}←${p.channels[1]}]` : '';
  const ax = (a: number): string => (p.dims === 1 ? '' : `_${AXES[a] ?? a}`);
  rows.push([`W0 amplitude${tag}`, layer, ...stats(p.amplitude), '']);
  rows.push([`R = W0 − 1 reaction${tag}`, layer, ...stats(p.reaction), p.reaction.every((v) => v < 0) ? 'decays' : p.reaction.every((v) => v > 0) ? 'grows' : '']);
  p.advection.forEach((u, a) => rows.push([`U${ax(a)} advection${tag}`, layer, ...stats(u), '']));
  p.diffusion.forEach((row, a) =>
    row.forEach((d, b) => {
      if (b < a) return;
      rows.push([`D${p.dims === 1 ? '' : `_${AXES[a]}${AXES[b]}`} diffusion${tag}`, layer, ...stats(d), a === 0 && b === 0 && p.dims === 1 ? readingSummary(p.diffusionReading) : '']);
    }),
  );
  if (p.dims > 1 && p.diffusionEigenvalues.length) {
    rows.push([`D eigenvalue min${tag}`, layer, ...stats(p.diffusionEigenvalues[0]!), readingSummary(p.diffusionReading)]);
  }
  for (const t of p.dispersion) rows.push([`${t.label}/α! dispersion${tag}`, layer, ...stats(t.coefficient), '']);
  p.hyperDiffusion.forEach((t, k) =>
    rows.push([`${t.label}/α! hyper-diffusion${tag}`, layer, ...stats(t.coefficient), k === 0 ? readingSummary(p.hyperDiffusionReading) : '']),
  );
  if (p.amplification) {
    const bad = p.amplification.filter((g) => g > 1 + 1e-6).length;
    rows.push([`step amplification${tag}`, layer, ...stats(p.amplification), bad ? `amplifies at ${bad} sites` : 'damps or keeps every wavelength']);
  }
  if (p.spectralRadius !== undefined) rows.push([`step spectral radius${tag}`, layer, '', formatNumber(p.spectralRadius), '', p.spectralRadius > 1 + 1e-6 ? 'unstable (grows)' : 'stable']);
  return rows;
}

/** One block's report as text. */
export function formatBlockReport(b: BlockReport): string {
  const head = `pde block ${b.stage || '(unnamed)'} (stage ${b.stageIndex}): ${b.kernel} with ${b.activation} on field [${b.field.shape.join(', ')}]×${b.field.realChannels}, ${b.layers.length} layers, ω = ${formatNumber(b.omega)}, f'(0) = ${formatNumber(b.slope)}`;
  const src = b.layers[0] ? `moments from ${b.layers[0].source === 'kernel' ? "the kernel's closed form" : `the dense W (${b.layers[0].convention} offsets${b.layers[0].maxOffset !== undefined ? `, |offset| ≤ ${b.layers[0].maxOffset}` : ''})`}` : '';
  const rows: string[][] = [['quantity', 'layer', 'min', 'mean', 'max', 'reading']];
  for (const q of b.quantities) {
    const distinct = q.values.some((r) => r.join() !== q.values[0]!.join());
    (distinct ? q.values : q.values.slice(0, 1)).forEach((r, l) => rows.push([`${q.name} (${q.description}, kernel)`, distinct ? String(l) : 'all', ...stats(r), '']));
  }
  // a W shared by every layer is shown once
  const same = b.layers.length > 1 && b.layers.every((l) => JSON.stringify([l.physics, l.pairs]) === JSON.stringify([b.layers[0]!.physics, b.layers[0]!.pairs]));
  for (const l of same ? b.layers.slice(0, 1) : b.layers) {
    const tag = same ? 'all' : String(l.layer);
    rows.push(...physicsRows(l.physics, tag));
    for (const p of l.pairs) if (p.channels && p.channels[0] === p.channels[1]) rows.push(...physicsRows(p, tag));
  }
  return [head, src, '', textTable(rows)].join('\n');
}

/**
 * A {@link PhysicsReport} as text: per block a header (kernel, field, ω,
 * f'(0), where the moments came from) and a table of every profile's min,
 * mean and max per layer (once, as `all`, when every layer is the same) with
 * its sign reading (diagonal channel pairs only).
 */
export function formatPhysicsReport(report: PhysicsReport): string {
  if (report.blocks.length === 0) return 'no relaxation (pde) block to read';
  return report.blocks.map(formatBlockReport).join('\n\n') + '\n';
}
