import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ReportPlot } from '@npde/analysis';

/** Write each plot as `<dir>/<plot.file>` (creating the directory); returns the paths written. */
export async function writePlots(dir: string, plots: readonly ReportPlot[]): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const out: string[] = [];
  for (const p of plots) {
    const file = path.join(dir, p.file);
    await writeFile(file, p.svg);
    out.push(file);
  }
  return out;
}
