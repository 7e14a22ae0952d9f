/** One line of a {@link linePlotSvg}. */
export interface LineSeries {
  /** Legend name. */
  readonly name: string;
  /** y values at x = 0, 1, 2, … (the site index). */
  readonly values: readonly number[];
  /** CSS color (default: a palette color). */
  readonly color?: string;
  /** Dash pattern, e.g. `4 3` (default solid). */
  readonly dash?: string;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function tick(x: number): string {
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e4 || a < 1e-3 ? x.toExponential(1) : String(Number(x.toPrecision(3)));
}

/** Three to six round tick values spanning [lo, hi]. */
function ticks(lo: number, hi: number): number[] {
  const span = hi - lo || Math.abs(hi) || 1;
  const step0 = span / 4;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => span / s <= 5) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

/**
 * A line plot as a small standalone SVG document (no dependencies): one line
 * per series over the site index, axes with ticks, a title and a legend.
 *
 * @example
 * ```ts
 * const svg = linePlotSvg('D(q)', [{ name: 'layer 0', values: d0 }], { xLabel: 'site', yLabel: 'D' });
 * ```
 */
export function linePlotSvg(title: string, series: readonly LineSeries[], labels: { readonly xLabel?: string; readonly yLabel?: string } = {}): string {
  const W = 640;
  const H = 360;
  const L = 70;
  const R = 150;
  const T = 36;
  const B = 46;
  const all = series.flatMap((s) => s.values.filter(Number.isFinite));
  let lo = Math.min(...all, 0);
  let hi = Math.max(...all, 0);
  if (!all.length) {
    lo = -1;
    hi = 1;
  }
  if (hi - lo < 1e-12) {
    hi += 1e-12 + Math.abs(hi) * 0.1;
    lo -= 1e-12 + Math.abs(lo) * 0.1;
  }
  const pad = (hi - lo) * 0.05;
  lo -= pad;
  hi += pad;
  const n = Math.max(...series.map((s) => s.values.length), 2);
  const px = (i: number): number => L + ((W - L - R) * i) / (n - 1);
  const py = (v: number): number => T + ((H - T - B) * (hi - v)) / (hi - lo);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${(L + W - R) / 2}" y="20" text-anchor="middle" font-size="14">${esc(title)}</text>`,
  ];
  for (const v of ticks(lo, hi)) {
    out.push(`<line x1="${L}" x2="${W - R}" y1="${py(v).toFixed(1)}" y2="${py(v).toFixed(1)}" stroke="${v === 0 ? '#999' : '#eee'}"/>`);
    out.push(`<text x="${L - 6}" y="${(py(v) + 4).toFixed(1)}" text-anchor="end">${tick(v)}</text>`);
  }
  for (const i of ticks(0, n - 1).filter((i) => Number.isInteger(i) && i >= 0 && i <= n - 1)) {
    out.push(`<text x="${px(i).toFixed(1)}" y="${H - B + 16}" text-anchor="middle">${i}</text>`);
  }
  out.push(`<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="none" stroke="#333"/>`);
  if (labels.xLabel) out.push(`<text x="${(L + W - R) / 2}" y="${H - 10}" text-anchor="middle">${esc(labels.xLabel)}</text>`);
  if (labels.yLabel) out.push(`<text x="16" y="${(T + H - B) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(T + H - B) / 2})">${esc(labels.yLabel)}</text>`);
  series.forEach((s, k) => {
    const color = s.color ?? PALETTE[k % PALETTE.length]!;
    const pts = s.values.map((v, i) => (Number.isFinite(v) ? `${px(i).toFixed(1)},${py(v).toFixed(1)}` : '')).filter(Boolean).join(' ');
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="1.6"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''} points="${pts}"/>`);
    const ly = T + 8 + k * 16;
    out.push(`<line x1="${W - R + 10}" x2="${W - R + 30}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
    out.push(`<text x="${W - R + 34}" y="${ly + 4}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** Diverging color for t ∈ [−1, 1]: blue (negative), white (0), red (positive). */
function diverging(t: number): string {
  const c = Math.max(-1, Math.min(1, t));
  const mix = (a: number): number => Math.round(255 - (255 - a) * Math.abs(c));
  return c >= 0 ? `rgb(${mix(178)},${mix(24)},${mix(43)})` : `rgb(${mix(33)},${mix(102)},${mix(172)})`;
}

/**
 * A heat map of a 2-D field as a small standalone SVG: `values` row-major over
 * `[rows, cols]`, a diverging color scale symmetric about 0 (blue negative,
 * red positive) with its range printed under the map.
 *
 * @example
 * ```ts
 * const svg = heatmapSvg('D_xx, layer 0', dxx, [16, 16]);
 * ```
 */
export function heatmapSvg(title: string, values: readonly number[], shape: readonly [number, number]): string {
  const [rows, cols] = shape;
  if (values.length !== rows * cols) throw new RangeError(`heatmapSvg: ${values.length} values for a ${rows}×${cols} map`);
  const cell = Math.max(4, Math.min(24, Math.floor(400 / Math.max(rows, cols))));
  const L = 20;
  const T = 36;
  const W = L * 2 + cols * cell;
  const H = T + rows * cell + 44;
  const scale = Math.max(...values.map((v) => (Number.isFinite(v) ? Math.abs(v) : 0)), 1e-30);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${Math.max(W, 260)}" height="${H}" viewBox="0 0 ${Math.max(W, 260)} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${L}" y="20" font-size="14">${esc(title)}</text>`,
  ];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = values[r * cols + c]!;
      out.push(`<rect x="${L + c * cell}" y="${T + r * cell}" width="${cell}" height="${cell}" fill="${Number.isFinite(v) ? diverging(v / scale) : '#000'}"><title>[${r}, ${c}] ${v}</title></rect>`);
    }
  }
  out.push(`<rect x="${L}" y="${T}" width="${cols * cell}" height="${rows * cell}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${L}" y="${T + rows * cell + 18}">min ${tick(Math.min(...values))}, max ${tick(Math.max(...values))} (blue &lt; 0 &lt; red, scale ±${tick(scale)})</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}
