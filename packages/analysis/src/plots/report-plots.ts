import { convTaps, type ForeignReport } from '../foreign/foreign-report.js';
import type { ForeignModel } from '../foreign/tfjs-layers.js';
import type { LayerPhysics } from '../physics/layer-physics.js';
import type { BlockReport, PhysicsReport } from '../physics/model-report.js';
import { heatmapSvg, linePlotSvg, type LineSeries } from './svg.js';

/** One SVG plot of a report. */
export interface ReportPlot {
  /** A file name for it (kebab-case, `.svg`), unique within the report. */
  readonly file: string;
  /** Its title. */
  readonly title: string;
  /** The SVG document. */
  readonly svg: string;
}

const AXES = ['x', 'y', 'z'];

/** One named per-site profile of a layer's physics, as {@link physicsProfiles} lists them. */
export interface PhysicsProfile {
  /** A file-name-safe key, unique within the layer: `reaction`, `advection` (1-D) or `advection-x`, `diffusion-xy`, `dispersion-w3`, `hyperdiffusion-mxxyy`, … */
  readonly key: string;
  /** A human-readable label with the symbol and its meaning, e.g. `D = W2/2 (diffusion)`. */
  readonly label: string;
  /** The profile, one value per site (row-major over the field's grid). */
  readonly values: readonly number[];
}

/**
 * The named profiles of one layer's physics, in report order: reaction, advection
 * per axis, the diffusion tensor's upper triangle, then every dispersion and
 * hyper-diffusion term `c_α = W_α/α!` (terms above the order the layer was read
 * to are absent). The plots ({@link reportPlots}) draw one figure per profile.
 */
export function physicsProfiles(p: LayerPhysics): PhysicsProfile[] {
  const one = p.dims === 1;
  const out: PhysicsProfile[] = [{ key: 'reaction', label: 'R = W0 − 1 (reaction)', values: p.reaction }];
  p.advection.forEach((u, a) => out.push({ key: one ? 'advection' : `advection-${AXES[a]}`, label: one ? 'U = W1 (advection)' : `U_${AXES[a]} (advection)`, values: u }));
  p.diffusion.forEach((row, a) =>
    row.forEach((d, b) => {
      if (b >= a) out.push({ key: one ? 'diffusion' : `diffusion-${AXES[a]}${AXES[b]}`, label: one ? 'D = W2/2 (diffusion)' : `D_${AXES[a]}${AXES[b]} (diffusion)`, values: d });
    }),
  );
  for (const t of p.dispersion) out.push({ key: `dispersion-${t.label.toLowerCase()}`, label: `${t.label}/α! (dispersion)`, values: t.coefficient });
  for (const t of p.hyperDiffusion) out.push({ key: `hyperdiffusion-${t.label.toLowerCase()}`, label: `${t.label}/α! (hyper-diffusion)`, values: t.coefficient });
  return out;
}

function blockPrefix(b: BlockReport): string {
  return `block${b.stageIndex}${b.stage ? '-' + b.stage.replace(/[^A-Za-z0-9_-]+/g, '_') : ''}`;
}

/**
 * SVG plots of a {@link PhysicsReport}: for a 1-D field one line plot per
 * profile (reaction, advection, diffusion, dispersion, hyper-diffusion) with
 * one line per layer (one line when every layer is the same); for a 2-D field one heat map per profile and layer.
 * Fields of other dimensions, and homogeneous one-site reports, get none.
 */
export function reportPlots(report: PhysicsReport): ReportPlot[] {
  const plots: ReportPlot[] = [];
  for (const b of report.blocks) {
    const pre = blockPrefix(b);
    const dims = b.field.dims;
    const first = b.layers[0];
    if (!first || first.physics.sites < 2) continue;
    if (dims === 1) {
      const profiles = physicsProfiles(first.physics);
      profiles.forEach((prof, k) => {
        const per = b.layers.map((l) => physicsProfiles(l.physics)[k]!.values);
        const same = per.every((v) => v.join() === per[0]!.join());
        const series: LineSeries[] = same ? [{ name: per.length > 1 ? 'every layer' : 'layer 0', values: per[0]! }] : per.map((values, l) => ({ name: `layer ${l}`, values }));
        const title = `${prof.label}, ${b.stage || 'block'} (${b.kernel.split('/').pop()})`;
        plots.push({ file: `${pre}-${prof.key}.svg`, title, svg: linePlotSvg(title, series, { xLabel: 'site q', yLabel: prof.label.split(' ')[0] }) });
      });
    } else if (dims === 2 && b.field.shape.length === 2) {
      const shape = [b.field.shape[0]!, b.field.shape[1]!] as const;
      for (const l of b.layers) {
        for (const prof of physicsProfiles(l.physics)) {
          const title = `${prof.label}, layer ${l.layer}`;
          plots.push({ file: `${pre}-layer${l.layer}-${prof.key}.svg`, title, svg: heatmapSvg(title, [...prof.values], shape) });
        }
      }
    }
  }
  return plots;
}

/**
 * SVG plots of a {@link ForeignReport}: for each Dense layer read as a 1-D
 * kernel one line plot of its profiles (reaction, advection, diffusion,
 * dispersion, hyper-diffusion over the units); for each 2-D convolution a heat
 * map of the taps of every diagonal channel pair (at most 8 per layer).
 */
export function foreignPlots(report: ForeignReport, model: ForeignModel): ReportPlot[] {
  const plots: ReportPlot[] = [];
  report.layers.forEach((l, k) => {
    const safe = `layer${k}-${l.name.replace(/[^A-Za-z0-9_-]+/g, '_')}`;
    if (l.readAs === '1-d kernel' && l.physics[0]) {
      const series: LineSeries[] = physicsProfiles(l.physics[0]).map((p) => ({ name: p.label.split(' (')[0]!, values: p.values }));
      const title = `${l.name} (${l.className}) read as a 1-D kernel`;
      plots.push({ file: `${safe}-profiles.svg`, title, svg: linePlotSvg(title, series, { xLabel: 'unit q', yLabel: 'coefficient' }) });
    }
    const layer = model.layers[k];
    if (l.readAs === '2-d stencil' && layer && layer.kind !== 'dense' && layer.kind !== 'other') {
      const [kh, kw] = [layer.kernelSize[0]!, layer.kernelSize[1]!];
      const diag = l.physics.map((p) => p.channels ?? ([0, 0] as const)).filter(([o, i]) => layer.kind === 'depthwise-conv2d' || o === i || layer.outChannels === 1);
      for (const [o, i] of diag.slice(0, 8)) {
        const taps = convTaps(layer, o, i);
        const title = `${l.name} taps [${o}←${i}]`;
        plots.push({ file: `${safe}-taps-${o}-${i}.svg`, title, svg: heatmapSvg(title, taps.map((t) => t.w), [kh, kw]) });
      }
    }
  });
  return plots;
}
