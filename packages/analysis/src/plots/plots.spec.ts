import { beforeAll, describe, expect, it } from 'vitest';
import { formatPhysicsReport } from '../physics/format.js';
import { physicsReport } from '../physics/model-report.js';
import { adrProfiles, analysisTestRegistry, testModel } from '../testing/registry.test-util.js';
import { physicsProfiles, reportPlots } from './report-plots.js';
import { heatmapSvg, linePlotSvg } from './svg.js';

beforeAll(async () => {
  await analysisTestRegistry().ready({ backend: 'cpu' });
});

describe('SVG plots', () => {
  it('draws one polyline per series through every finite value, with a legend entry each', () => {
    const svg = linePlotSvg('D(q) <test>', [
      { name: 'a', values: [0, 1, 2, 3] },
      { name: 'b', values: [1, NaN, 1, 1] },
    ]);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('D(q) &lt;test&gt;');
    const lines = [...svg.matchAll(/<polyline[^>]*points="([^"]*)"/g)].map((m) => m[1]!.split(' ').length);
    expect(lines).toEqual([4, 3]);
    // the largest value is drawn above (smaller y than) the smallest
    const pts = [...svg.matchAll(/<polyline[^>]*points="([^"]*)"/g)][0]![1]!.split(' ').map((p) => Number(p.split(',')[1]));
    expect(pts[3]!).toBeLessThan(pts[0]!);
  });

  it('colors a heat map cell per value, red for positive and blue for negative', () => {
    const svg = heatmapSvg('M', [1, -1, 0, 0.5, -0.5, 0], [2, 3]);
    const cells = [...svg.matchAll(/<rect x="\d+" y="\d+" width="\d+" height="\d+" fill="(rgb\([^)]*\))"/g)].map((m) => m[1]);
    expect(cells).toHaveLength(6);
    expect(cells[0]).toBe('rgb(178,24,43)');
    expect(cells[1]).toBe('rgb(33,102,172)');
    expect(cells[2]).toBe('rgb(255,255,255)');
    expect(() => heatmapSvg('bad', [1, 2, 3], [2, 2])).toThrow(RangeError);
  });
});

describe('reportPlots and formatPhysicsReport', () => {
  it('draws one line per layer where the layers differ, one where they share W, and prints the sign reading', () => {
    const n = 12;
    const p = adrProfiles(n);
    // two layers with different diffusion: layer 1 has twice layer 0's D
    const w = new Float32Array(2 * n * n);
    for (let l = 0; l < 2; l++)
      for (let i = 0; i < n; i++) {
        const d = (l + 1) * p.D[i]!;
        w[l * n * n + i * n + i] = 1 - 2 * d;
        w[l * n * n + i * n + ((i + 1) % n)] = d;
        w[l * n * n + i * n + ((i - 1 + n) % n)] = d;
      }
    const model = testModel({ field: { shape: [n] }, layers: 2, kernel: { id: '@npde/kernels/dense', options: { shared: false } }, activation: '@npde/core/testing/identity' });
    model.setWeights({ 'kernel/W': w }, { partial: true });
    const report = physicsReport(model, { order: 4, convention: 'periodic' });
    const plots = reportPlots(report);
    const files = plots.map((q) => q.file);
    expect(files).toEqual(physicsProfiles(report.blocks[0]!.layers[0]!.physics).map((q) => `block0-${q.key}.svg`));
    expect(files).toContain('block0-diffusion.svg');
    const diffusion = plots.find((q) => q.file === 'block0-diffusion.svg')!.svg;
    expect(diffusion.match(/<polyline/g)).toHaveLength(2);
    expect(diffusion).toContain('layer 1');
    // layer 1's diffusion line lies above layer 0's (larger D: smaller y) at every site
    const ys = [...diffusion.matchAll(/<polyline[^>]*points="([^"]*)"/g)].map((m) => m[1]!.split(' ').map((pt) => Number(pt.split(',')[1])));
    ys[1]!.forEach((y, i) => expect(y).toBeLessThan(ys[0]![i]!));
    const text = formatPhysicsReport(report);
    expect(text).toContain('moments from the dense W (periodic offsets)');
    expect(text).toMatch(/D diffusion +0 .*smoothing everywhere/);
    expect(text).toMatch(/D diffusion +1 /);
    model.dispose();
  });

  it('draws one heat map per profile and layer for a 2-D field, one colored cell per site', () => {
    const model = testModel({ field: { shape: [3, 4] }, layers: 1, kernel: { id: '@npde/kernels/dense', options: { shared: true, init: 'identity' } }, activation: '@npde/core/testing/identity' });
    const report = physicsReport(model, { order: 2, convention: 'periodic' });
    const plots = reportPlots(report);
    // reaction, advection x/y, diffusion xx/xy/yy
    expect(plots.map((q) => q.file)).toEqual(['reaction', 'advection-x', 'advection-y', 'diffusion-xx', 'diffusion-xy', 'diffusion-yy'].map((k) => `block0-layer0-${k}.svg`));
    for (const q of plots) expect(q.svg.match(/<rect x="\d+" y="\d+" width="\d+" height="\d+" fill="rgb/g)).toHaveLength(12);
    model.dispose();
  });
});
