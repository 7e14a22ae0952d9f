import { lightCone } from './targets.js';
import type { Family } from './plan.js';
import type { RunRow } from './run.js';

/** Line colours of the families in the plots (colour-blind-safe Okabe–Ito). */
export const FAMILY_COLORS: Readonly<Record<Family, string>> = {
  homogeneous: '#E69F00',
  heterogeneous: '#56B4E9',
  'time-dependent': '#009E73',
  dense: '#CC79A7',
};

const W = 300;
const H = 170;
const M = { left: 34, right: 8, top: 22, bottom: 22 };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function polyline(values: readonly number[], x0: number, y0: number, attrs: string): string {
  const n = values.length;
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const pts = values.map((v, i) => {
    const x = x0 + M.left + (n > 1 ? (i / (n - 1)) * pw : pw / 2);
    const y = y0 + M.top + ((1 - Math.max(-1, Math.min(1, v))) / 2) * ph;
    return `${x.toFixed(1)},${y.toFixed(1)}`;
  });
  return `<polyline fill="none" ${attrs} points="${pts.join(' ')}"/>`;
}

/**
 * One SVG per target: a panel per depth L with the target (black), the seed
 * z₀ (grey, dotted) and the state each family reached (coloured); sites
 * outside the light cone of depth L (where every ADR model stays at 0) are
 * shaded. Values are drawn on [−1, 1], the range of tanh.
 */
export function targetPlotSvg(
  target: string,
  y: readonly number[],
  initial: readonly number[],
  rows: readonly RunRow[],
  depths: readonly number[],
  families: readonly Family[],
): string {
  const n = y.length;
  const width = W * depths.length;
  const legendH = 20;
  const height = H + legendH;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
  );
  const legend = [
    { name: 'target', color: '#000000' },
    { name: 'z₀', color: '#999999' },
    ...families.map((f) => ({ name: f, color: FAMILY_COLORS[f] })),
  ];
  legend.forEach((l, i) => {
    const x = 8 + i * 120;
    parts.push(`<line x1="${x}" y1="10" x2="${x + 18}" y2="10" stroke="${l.color}" stroke-width="2"/>`, `<text x="${x + 22}" y="14">${esc(l.name)}</text>`);
  });
  depths.forEach((L, p) => {
    const x0 = p * W;
    const y0 = legendH;
    const pw = W - M.left - M.right;
    const ph = H - M.top - M.bottom;
    const cone = lightCone(n, L);
    const step = n > 1 ? pw / (n - 1) : pw;
    cone.forEach((inside, i) => {
      if (!inside) {
        const x = x0 + M.left + i * step - step / 2;
        parts.push(`<rect x="${Math.max(x0 + M.left, x).toFixed(1)}" y="${y0 + M.top}" width="${step.toFixed(1)}" height="${ph}" fill="#eeeeee"/>`);
      }
    });
    parts.push(
      `<rect x="${x0 + M.left}" y="${y0 + M.top}" width="${pw}" height="${ph}" fill="none" stroke="#888888"/>`,
      `<line x1="${x0 + M.left}" y1="${y0 + M.top + ph / 2}" x2="${x0 + M.left + pw}" y2="${y0 + M.top + ph / 2}" stroke="#cccccc"/>`,
      `<text x="${x0 + M.left + pw / 2}" y="${y0 + 14}" text-anchor="middle">${esc(target)}, L = ${L}</text>`,
      `<text x="${x0 + M.left - 4}" y="${y0 + M.top + 4}" text-anchor="end">1</text>`,
      `<text x="${x0 + M.left - 4}" y="${y0 + M.top + ph / 2 + 4}" text-anchor="end">0</text>`,
      `<text x="${x0 + M.left - 4}" y="${y0 + M.top + ph + 4}" text-anchor="end">−1</text>`,
      `<text x="${x0 + M.left}" y="${y0 + H - 6}">q = 0</text>`,
      `<text x="${x0 + M.left + pw}" y="${y0 + H - 6}" text-anchor="end">${n - 1}</text>`,
      polyline(initial, x0, y0, 'stroke="#999999" stroke-width="1" stroke-dasharray="2,2"'),
      polyline(y, x0, y0, 'stroke="#000000" stroke-width="2.5"'),
    );
    for (const f of families) {
      const row = rows.find((r) => r.layers === L && r.family === f);
      if (row) parts.push(polyline(row.reached, x0, y0, `stroke="${FAMILY_COLORS[f]}" stroke-width="1.5"`));
    }
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
