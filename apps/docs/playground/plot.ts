/** One curve of a {@link linePlot}. */
export interface Series {
  /** Legend text. */
  readonly label: string;
  /** Abscissae. */
  readonly x: readonly number[];
  /** Ordinates (non-finite points are skipped). */
  readonly y: readonly number[];
  /** Draw dashed (the reference curve). */
  readonly dashed: boolean;
}

const W = 320;
const H = 200;
const PAD = { left: 48, right: 10, top: 22, bottom: 30 };
const COLORS = ['#888', '#d2452b', '#2b6cd2'];

function tick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-2 ? v.toExponential(0) : Number(v.toPrecision(2)).toString();
}

/** An SVG line plot (as markup) of a few series, with a log-scaled y axis when `logY`. */
export function linePlot(o: { title: string; xLabel: string; logY?: boolean; series: readonly Series[] }): string {
  const ty = (v: number) => (o.logY ? Math.log10(v) : v);
  const pts = o.series.flatMap((s) => s.x.map((x, i) => [x, ty(s.y[i]!)] as const)).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (pts.length === 0) pts.push([0, 0], [1, 1]);
  const x0 = Math.min(...pts.map((p) => p[0]));
  let x1 = Math.max(...pts.map((p) => p[0]));
  let [y0, y1] = [Math.min(...pts.map((p) => p[1])), Math.max(...pts.map((p) => p[1]))];
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  const margin = 0.05 * (y1 - y0);
  [y0, y1] = [y0 - margin, y1 + margin];
  const px = (x: number) => PAD.left + ((x - x0) / (x1 - x0)) * (W - PAD.left - PAD.right);
  const py = (y: number) => H - PAD.bottom - ((y - y0) / (y1 - y0)) * (H - PAD.top - PAD.bottom);
  const lines = o.series.map((s, k) => {
    const d = s.x
      .map((x, i) => [x, ty(s.y[i]!)] as const)
      .filter(([, y]) => Number.isFinite(y))
      .map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${px(x).toFixed(1)},${py(y).toFixed(1)}`)
      .join('');
    const dash = s.dashed ? ' stroke-dasharray="5 4"' : '';
    return `<path d="${d}" fill="none" stroke="${COLORS[k % COLORS.length]}" stroke-width="2"${dash}><title>${s.label}</title></path>`;
  });
  const legend = o.series.map((s, k) => `<text x="${W - PAD.right - 4}" y="${PAD.top + 12 + 12 * k}" text-anchor="end" fill="${COLORS[k % COLORS.length]}">${s.label}</text>`);
  const yTicks = [y0 + margin, (y0 + y1) / 2, y1 - margin].map(
    (v) => `<text x="${PAD.left - 4}" y="${py(v) + 4}" text-anchor="end">${tick(o.logY ? 10 ** v : v)}</text>`,
  );
  const xTicks = [x0, x1].map((v) => `<text x="${px(v)}" y="${H - PAD.bottom + 14}" text-anchor="middle">${tick(v)}</text>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" font-size="10" font-family="sans-serif" fill="currentColor" role="img" aria-label="${o.title}">`,
    `<text x="${W / 2}" y="14" text-anchor="middle" font-weight="bold">${o.title}</text>`,
    `<rect x="${PAD.left}" y="${PAD.top}" width="${W - PAD.left - PAD.right}" height="${H - PAD.top - PAD.bottom}" fill="none" stroke="#8884"/>`,
    ...lines,
    ...legend,
    ...yTicks,
    ...xTicks,
    `<text x="${(PAD.left + W - PAD.right) / 2}" y="${H - 4}" text-anchor="middle">${o.xLabel}</text>`,
    '</svg>',
  ].join('');
}
