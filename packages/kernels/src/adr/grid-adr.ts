import {
  tf,
  type FieldInfo,
  type KernelChannelStencil,
  type KernelInstance,
  type KernelMoments,
  type KernelStencil,
  type PhysicalQuantity,
  type Tensor,
  type Tensor2D,
  type Variable,
} from '@npde/core';
import { assertLayer, assertMaxOrder } from '../instance/layer-index.js';
import { instancePrefix } from '../instance/variable-name.js';
import { applyTaps, fusedBoundary, fusedGeometry, siteTaps, tapKernelMoments, tapsToDense, type GridLayout, type TapStencil } from '../stencil/index.js';
import { adrGridStencil } from './grid-stencil.js';
import type { AdrOptions } from './options.js';

/**
 * The ADR kernel on a d-dimensional grid (d = 1..3) with C ≥ 1 real channels
 * (see `adr` for the operator and parameter layout). Used for every field the
 * 1-D single-channel fast path does not take.
 */
export function createGridAdr(id: string, field: FieldInfo, grid: GridLayout, layers: number, options: AdrOptions, seed: number): KernelInstance {
  const { family, dx, boundary, init } = options;
  const dims = grid.shape.length;
  const S = field.sites;
  const C = grid.channels;
  const st = adrGridStencil(dims, options.diffusion ?? 'tensor', dx);
  const K = st.offsets.length;
  const nU = st.uNames.length;
  const nD = st.dNames.length;
  const perLayer = family === 'time-dependent';
  const lead = family === 'homogeneous' ? [] : family === 'heterogeneous' ? [S] : [layers, S];
  const cells = lead.reduce((a, b) => a * b, 1);
  const chan = C > 1 ? [C] : [];
  const shapes = {
    U: [...lead, ...chan, ...(nU > 1 ? [nU] : [])],
    D: [...lead, ...chan, ...(nD > 1 ? [nD] : [])],
    R: [...lead, ...(C > 1 ? [C, C] : [])],
  };
  // one cell's initial values, tiled over the leading axes
  const cell = {
    U: new Array<number>(C * nU).fill(init.U),
    D: Array.from({ length: C * nD }, (_, i) => (st.dDiagonal[i % nD] ? init.D : 0)),
    R: Array.from({ length: C * C }, (_, i) => (Math.floor(i / C) === i % C ? init.R : 0)),
  };
  const prefix = instancePrefix(id, ['U', 'D', 'R']);
  const make = (name: 'U' | 'D' | 'R', k: number): Variable =>
    tf.tidy(() => {
      const one = cell[name];
      const values = new Float32Array(cells * one.length);
      for (let i = 0; i < values.length; i++) values[i] = one[i % one.length]!;
      let value: Tensor = tf.tensor(values, shapes[name]);
      if (init.noise > 0) value = tf.add(value, tf.randomNormal(shapes[name], 0, init.noise, 'float32', seed + k));
      return tf.variable(value, true, `${prefix}/${name}`);
    });
  const params = { U: make('U', 0), D: make('D', 1), R: make('R', 2) };
  const P = family === 'homogeneous' ? 1 : S; // sites per layer slice of a parameter

  const uConst = tf.tensor2d(Array.from({ length: nU }, (_, a) => Array.from({ length: K }, (_, k) => st.uCoef[k * nU + a]!)));
  const dConst = tf.tensor2d(Array.from({ length: nD }, (_, c) => Array.from({ length: K }, (_, k) => st.dCoef[k * nD + c]!)));
  const idConst = tf.tensor1d(Array.from(st.constant));
  const centreHot = tf.tensor2d([Array.from({ length: K }, (_, k) => (k === st.centre ? 1 : 0))]);

  const layerSlice = (p: Variable, layer: number): Tensor => {
    if (!perLayer) return p;
    const rest = p.shape.slice(1);
    return tf.reshape(tf.slice(p, [layer, ...rest.map(() => 0)], [1, ...rest]), rest);
  };
  /** Transport taps `[P·C, K]` of one layer (no reaction), differentiable. */
  const transportTaps = (layer: number): Tensor2D => {
    const u = tf.reshape(layerSlice(params.U, layer), [P * C, nU]);
    const d = tf.reshape(layerSlice(params.D, layer), [P * C, nD]);
    return tf.add(tf.add(tf.matMul(u, uConst), tf.matMul(d, dConst)), idConst) as Tensor2D;
  };
  /** Single channel: the whole W as taps `[K]` (homogeneous) or `[S, K]`. */
  const scalarTaps = (layer: number): Tensor => {
    const r = tf.reshape(layerSlice(params.R, layer), [P, 1]);
    const t = tf.add(transportTaps(layer), tf.mul(r, centreHot));
    return family === 'homogeneous' ? tf.reshape(t, [K]) : t;
  };
  const stencilOf = (channels: TapStencil['channels']): TapStencil => ({ offsets: st.offsets, boundary, channels });

  const apply = (z: Tensor2D, layer: number): Tensor2D => {
    assertLayer(layer, layers, id);
    if (C === 1) return applyTaps(z, grid, stencilOf('shared'), scalarTaps(layer));
    const t = tf.transpose(tf.reshape(transportTaps(layer), [P, C, K]), [0, 2, 1]); // [P, K, C]
    const transport = applyTaps(z, grid, stencilOf('depthwise'), family === 'homogeneous' ? tf.reshape(t, [K, C]) : t);
    const r = tf.reshape(layerSlice(params.R, layer), [P, C, C]);
    const B = z.shape[0];
    const reaction =
      family === 'homogeneous'
        ? tf.matMul(tf.reshape(z, [B * S, C]), tf.reshape(r, [C, C]), false, true)
        : tf.sum(tf.mul(tf.reshape(z, [B, S, 1, C]), tf.reshape(r, [1, S, C, C])), -1);
    return tf.add(transport, tf.reshape(reaction, [B, S * C])) as Tensor2D;
  };

  /** One layer's parameter values for every site, `[S][…]` flattened per site, float64. */
  const siteValues = (p: Variable, layer: number, per: number): Float64Array => {
    const all = p.dataSync();
    const out = new Float64Array(S * per);
    const base = perLayer ? layer * S * per : 0;
    for (let s = 0; s < S; s++) for (let i = 0; i < per; i++) out[s * per + i] = all[base + (family === 'homogeneous' ? 0 : s * per) + i]!;
    return out;
  };
  /** The whole W of one layer as per-site taps in float64: `[S, K]` (C = 1) or mixing `[S, K, C, C]`. */
  const numericTaps = (layer: number): Float64Array => {
    const u = siteValues(params.U, layer, C * nU);
    const d = siteValues(params.D, layer, C * nD);
    const r = siteValues(params.R, layer, C * C);
    const per = C * C;
    const out = new Float64Array(S * K * per);
    for (let s = 0; s < S; s++) {
      for (let k = 0; k < K; k++) {
        for (let c = 0; c < C; c++) {
          let w = st.constant[k]!;
          for (let a = 0; a < nU; a++) w += st.uCoef[k * nU + a]! * u[(s * C + c) * nU + a]!;
          for (let q = 0; q < nD; q++) w += st.dCoef[k * nD + q]! * d[(s * C + c) * nD + q]!;
          out[(s * K + k) * per + c * C + c] = w;
        }
        if (k === st.centre) for (let i = 0; i < per; i++) out[(s * K + k) * per + i]! += r[s * per + i]!;
      }
    }
    return out;
  };
  const numericStencil = stencilOf(C === 1 ? 'shared' : 'mixing');

  const geometry = C === 1 ? fusedGeometry(grid, st.offsets, boundary) : undefined;
  const fused = fusedBoundary(boundary);
  const physicsNames = (): { name: string; description: string; param: Variable; per: number; index: number }[] => {
    const out: { name: string; description: string; param: Variable; per: number; index: number }[] = [];
    const suffix = (c: number) => (C > 1 ? `[${c}]` : '');
    for (let c = 0; c < C; c++) {
      st.uNames.forEach((n, a) => out.push({ name: `${n}${suffix(c)}`, description: 'advection speed', param: params.U, per: C * nU, index: c * nU + a }));
      st.dNames.forEach((n, q) => out.push({ name: `${n}${suffix(c)}`, description: 'diffusion coefficient', param: params.D, per: C * nD, index: c * nD + q }));
    }
    for (let o = 0; o < C; o++) {
      for (let i = 0; i < C; i++) {
        out.push({ name: C > 1 ? `R[${o},${i}]` : 'R', description: C > 1 ? 'reaction rate (channel mixing, [out, in])' : 'reaction rate', param: params.R, per: C * C, index: o * C + i });
      }
    }
    return out;
  };

  const instance: KernelInstance = {
    params,
    paramCount: Object.values(params).reduce((n, p) => n + p.size, 0),
    apply,
    dense(layer: number): Tensor2D {
      assertLayer(layer, layers, id);
      const w = tapsToDense(grid, numericStencil, numericTaps(layer), true, id);
      return tf.tensor2d(w, [S * C, S * C]);
    },
    moments(layer: number, maxOrder: number): KernelMoments {
      assertLayer(layer, layers, id);
      assertMaxOrder(maxOrder, id);
      return tapKernelMoments(grid, numericStencil, numericTaps(layer), true, maxOrder);
    },
    physics(): PhysicalQuantity[] {
      return physicsNames().map(({ name, description, param, per, index }) => ({
        name,
        description,
        values: Array.from({ length: layers }, (_, l) => {
          const v = siteValues(param, l, per);
          return Array.from({ length: S }, (_, s) => v[s * per + index]!);
        }),
      }));
    },
    dispose(): void {
      for (const p of Object.values(params)) p.dispose();
      [uConst, dConst, idConst, centreHot].forEach((t) => t.dispose());
    },
  };
  // Several channels on a 2-D grid with coefficients shared over sites: W is per-channel
  // 5/9-point stencils (the transport taps, identity included) plus the reaction matrix
  // as channel mixing — R only in the mixing, so its diagonal is not counted twice.
  const plane = dims === 2 && C > 1 && family === 'homogeneous' && fused ? fusedGeometry({ shape: grid.shape, channels: 1 }, st.offsets, boundary) : undefined;
  if (plane?.dims === 2 && fused) {
    instance.channelStencil = (layer: number): KernelChannelStencil => {
      assertLayer(layer, layers, id);
      return {
        taps: transportTaps(layer),
        mixing: tf.reshape(params.R, [C, C]) as Tensor2D,
        height: plane.height,
        width: plane.width,
        channels: C,
        points: plane.points,
        boundary: fused,
      };
    };
  }
  if (geometry && fused) {
    return {
      ...instance,
      stencil(layer: number): KernelStencil {
        assertLayer(layer, layers, id);
        return { taps: siteTaps(scalarTaps(layer), S), geometry, boundary: fused, sameForEveryLayer: !perLayer };
      },
    };
  }
  return instance;
}
