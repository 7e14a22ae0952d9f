import { formatNumber, physicsRows, textTable } from '../physics/format.js';
import type { ForeignReport } from './foreign-report.js';

/**
 * A {@link ForeignReport} as text: one line per layer saying how it was read
 * (or why not), then a table of the physics of every layer read (for
 * convolutions the diagonal channel pairs, or all pairs of a one-input
 * convolution), with the raw stencil moments.
 */
export function formatForeignReport(report: ForeignReport): string {
  const out: string[] = [];
  const lines = report.layers.map((l, k) => [
    String(k),
    l.name,
    l.className,
    l.readAs ? `${l.readAs}${l.convention ? ` (${l.convention} offsets)` : ''}` : `skipped: ${l.skipped ?? ''}`,
    l.activation ?? '',
  ]);
  out.push(textTable([['#', 'layer', 'class', 'read as', 'activation'], ...lines]), '');
  report.layers.forEach((l, k) => {
    if (!l.readAs) return;
    const rows: string[][] = [['quantity', 'layer', 'min', 'mean', 'max', 'reading']];
    const shown = l.physics.filter((p) => !p.channels || p.channels[0] === p.channels[1] || l.physics.every((q) => q.channels?.[1] === 0));
    for (const p of shown) rows.push(...physicsRows(p, String(k)));
    out.push(`${l.name} (${l.className}):`, textTable(rows), '');
    if (l.moments && l.moments.sites === 1) {
      const entries = l.moments.moments.filter((e) => !e.channels || e.channels[0] === e.channels[1] || l.physics.every((q) => q.channels?.[1] === 0));
      out.push(
        'stencil moments: ' + entries.map((e) => `${e.label}${e.channels ? `[${e.channels[0]}←${e.channels[1]}]` : ''} = ${formatNumber(e.values[0]!)}`).join(', '),
        '',
      );
    }
  });
  return out.join('\n');
}
