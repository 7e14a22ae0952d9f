/*
 * Fused multi-channel 2-D stencil-relaxation step for npde (WebAssembly SIMD):
 *
 *   u[b,s,c] = sum_k taps[c,k] z[b,nb(s,k),c] + sum_c' mixing[c,c'] z[b,s,c'] - bias[s,c]
 *   z'       = (1 - w) z + w f(u)
 *
 * and its backward (dz, dtaps, dmixing, dw, dbias), for the `channelStencilRelax` op of
 * @npde/core (docs/design/stencil-relax.md, "Multi-channel 2-D step"). Layout: z is
 * [B, H, W, C] (channels last, an npde field state), taps [C, K] with K = 5 (the cross
 * (-1,0) (0,-1) (0,0) (0,1) (1,0)) or 9 (the 3x3 square, row-major), mixing [C, C]
 * entries [out, in], bias [H*W*C]. Boundary: 0 = zero (reads 0 outside), 1 = periodic.
 * Activation codes as in stencil_relax.c (core's FUSED_ACTIVATIONS table).
 *
 * The channel axis is the SIMD axis (f32x4 over 4 channels, a scalar tail for the rest).
 * Freestanding, like stencil_relax.c: no libc, no static data, no stack (every working
 * array lives in the caller's scratch), so the module imports its memory and defines
 * no globals.
 */
#include <wasm_simd128.h>
#include "npde_scalar.h"

/* ---- channel-vector helpers: f32x4 over channels, scalar tail ---- */

/* y[c] += a[c] * x[c] */
INLINE void vfma(float *y, const float *a, const float *x, int C) {
  int c = 0;
  for (; c + 4 <= C; c += 4)
    wasm_v128_store(y + c, wasm_f32x4_add(wasm_v128_load(y + c), wasm_f32x4_mul(wasm_v128_load(a + c), wasm_v128_load(x + c))));
  for (; c < C; c++) y[c] += a[c] * x[c];
}

/* y[c] += a[c] * s */
INLINE void vaxpy(float *y, const float *a, float s, int C) {
  int c = 0;
  const v128_t vs = wasm_f32x4_splat(s);
  for (; c + 4 <= C; c += 4) wasm_v128_store(y + c, wasm_f32x4_add(wasm_v128_load(y + c), wasm_f32x4_mul(wasm_v128_load(a + c), vs)));
  for (; c < C; c++) y[c] += a[c] * s;
}

INLINE int tap_di(int points, int k) {
  if (points == 9) return k / 3 - 1;
  return k == 0 ? -1 : (k == 4 ? 1 : 0);
}

INLINE int tap_dj(int points, int k) {
  if (points == 9) return k % 3 - 1;
  return k == 1 ? -1 : (k == 3 ? 1 : 0);
}

INLINE int mod_pos(int a, int n) {
  int m = a % n;
  return m < 0 ? m + n : m;
}

/* The site tap k of site (i, j) reads, or -1 outside a zero boundary. */
INLINE int neighbour(int points, int k, int i, int j, int H, int W, int periodic) {
  int ni = i + tap_di(points, k), nj = j + tap_dj(points, k);
  if (periodic) return mod_pos(ni, H) * W + mod_pos(nj, W);
  if (ni < 0 || ni >= H || nj < 0 || nj >= W) return -1;
  return ni * W + nj;
}

INLINE int round4(int n) { return (n + 3) & ~3; }

static int check_args(int B, int H, int W, int C, int points, int act) {
  if (points != 5 && points != 9) return NPDE_BAD_GEOMETRY;
  if (act < ACT_IDENTITY || act > ACT_SOFTPLUS) return NPDE_BAD_ACTIVATION;
  if (B < 1 || H < 1 || W < 1 || C < 1 || C > 4096) return NPDE_BAD_SIZE;
  if ((double)B * H * W * C > 536870911.0) return NPDE_BAD_SIZE;
  return NPDE_OK;
}

/* Scratch floats: tapsT [K*C], mixT [C*C], u [C], g [C], dtapsT [K*C], nbr [K] (ints), and the
 * backward's per-sample gradient plane G [sites*C], each rounded up to 4. */
EXPORT("npde_channel_scratch_floats")
int npde_channel_scratch_floats(int C, int points, int sites) {
  if ((points != 5 && points != 9) || C < 1 || C > 4096 || sites < 1 || (double)sites * C > 536870911.0) return -1;
  return 2 * round4(points * C) + round4(C * C) + 2 * round4(C) + round4(points) + round4(sites * C);
}

/* Transpose taps [C, K] -> tT [K, C] and mixing [C, C] -> mT (mT[c2*C + c] = mixing[c*C + c2]). */
static void prepare(const float *taps, const float *mixing, float *tT, float *mT, int C, int K) {
  for (int c = 0; c < C; c++) {
    for (int k = 0; k < K; k++) tT[k * C + c] = taps[c * K + k];
    for (int c2 = 0; c2 < C; c2++) mT[c2 * C + c] = mixing[c * C + c2];
  }
}

/* The sites the taps of site (i, j) read (-1: outside a zero boundary), into nbr[0..K). Interior
 * sites read s + di*W + dj whatever the boundary. */
INLINE void neighbours(int *nbr, int points, int i, int j, int H, int W, int periodic) {
  const int s = i * W + j;
  if (i > 0 && i < H - 1 && j > 0 && j < W - 1) {
    for (int k = 0; k < points; k++) nbr[k] = s + tap_di(points, k) * W + tap_dj(points, k);
  } else {
    for (int k = 0; k < points; k++) nbr[k] = neighbour(points, k, i, j, H, W, periodic);
  }
}

/* u = stencils + mixing - bias at site s (generic C: accumulates in memory). */
INLINE void preact(const float *zb, const float *tT, const float *mT, const float *bias, float *u, const int *nbr, int s, int C, int points) {
  const float *zs = zb + s * C;
  const float *bs = bias + s * C;
  for (int c = 0; c < C; c++) u[c] = -bs[c];
  for (int k = 0; k < points; k++)
    if (nbr[k] >= 0) vfma(u, tT + k * C, zb + nbr[k] * C, C);
  for (int c2 = 0; c2 < C; c2++) vaxpy(u, mT + c2 * C, zs[c2], C);
}

/* u for channels cb..cb+3 at site s, in a register (C a multiple of 4). */
INLINE v128_t preact4(const float *zb, const float *tT, const float *mT, const float *bias, const int *nbr, int s, int cb, int C, int points) {
  const float *zs = zb + s * C;
  v128_t acc = wasm_f32x4_neg(wasm_v128_load(bias + s * C + cb));
  for (int k = 0; k < points; k++) {
    const int n = nbr[k];
    if (n >= 0) acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_v128_load(tT + k * C + cb), wasm_v128_load(zb + n * C + cb)));
  }
  for (int c2 = 0; c2 < C; c2++) acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_v128_load(mT + c2 * C + cb), wasm_f32x4_splat(zs[c2])));
  return acc;
}

/* f on four lanes: the vector tanh, else the scalar f per lane (through `tmp`, 4 floats). */
INLINE v128_t act4(int act, v128_t u, float *tmp) {
  if (act == ACT_TANH) return npde_tanhf_f32x4(u);
  if (act == ACT_IDENTITY) return u;
  wasm_v128_store(tmp, u);
  for (int l = 0; l < 4; l++) tmp[l] = act_s(act, tmp[l]);
  return wasm_v128_load(tmp);
}

/* f'(u) on four lanes given a = f(u). */
INLINE v128_t dact4(int act, v128_t u, v128_t a, float *tmp) {
  const v128_t one = wasm_f32x4_splat(1.0f);
  if (act == ACT_TANH) return wasm_f32x4_sub(one, wasm_f32x4_mul(a, a));
  if (act == ACT_IDENTITY) return one;
  if (act == ACT_SIGMOID) return wasm_f32x4_mul(a, wasm_f32x4_sub(one, a));
  wasm_v128_store(tmp, u);
  for (int l = 0; l < 4; l++) tmp[l] = dact_s(act, tmp[l], 0.0f); /* relu and softplus do not use a */
  return wasm_v128_load(tmp);
}

EXPORT("npde_channel_fwd")
int npde_channel_fwd(const float *z, const float *taps, const float *mixing, const float *omega, const float *bias, float *out, float *scratch, int B,
                     int H, int W, int C, int points, int periodic, int act) {
  int status = check_args(B, H, W, C, points, act);
  if (status != NPDE_OK) return status;
  const int K = points, S = H * W, N = S * C;
  float *tT = scratch;
  float *mT = tT + round4(K * C);
  float *u = mT + round4(C * C);
  int *nbr = (int *)(u + 2 * round4(C) + round4(K * C)); /* after u, g and dtT: the same layout as the backward */
  const float w = omega[0], keep = 1.0f - omega[0];
  const v128_t vw = wasm_f32x4_splat(w), vk = wasm_f32x4_splat(keep);
  prepare(taps, mixing, tT, mT, C, K);
  for (int b = 0; b < B; b++) {
    const float *zb = z + (long)b * N;
    float *ob = out + (long)b * N;
    for (int i = 0; i < H; i++) {
      for (int j = 0; j < W; j++) {
        const int s = i * W + j;
        const float *zs = zb + s * C;
        float *os = ob + s * C;
        neighbours(nbr, points, i, j, H, W, periodic != 0);
        if ((C & 3) == 0) {
          for (int cb = 0; cb < C; cb += 4) {
            const v128_t a = act4(act, preact4(zb, tT, mT, bias, nbr, s, cb, C, points), u);
            wasm_v128_store(os + cb, wasm_f32x4_add(wasm_f32x4_mul(vk, wasm_v128_load(zs + cb)), wasm_f32x4_mul(vw, a)));
          }
        } else {
          preact(zb, tT, mT, bias, u, nbr, s, C, points);
          for (int c = 0; c < C; c++) os[c] = keep * zs[c] + w * act_s(act, u[c]);
        }
      }
    }
  }
  return NPDE_OK;
}

/* The site whose tap k reads site (i, j) (the transposed stencil), or -1 outside a zero boundary. */
INLINE int reader(int points, int k, int i, int j, int H, int W, int periodic) {
  int ri = i - tap_di(points, k), rj = j - tap_dj(points, k);
  if (periodic) return mod_pos(ri, H) * W + mod_pos(rj, W);
  if (ri < 0 || ri >= H || rj < 0 || rj >= W) return -1;
  return ri * W + rj;
}

/* Backward of one sample for C a multiple of 4, in two passes over its sites with the
 * accumulators in registers: (1) g = w dy f'(u) into the plane G, dbias, the dw part and the
 * (1 - w) dy part of dz; (2) per site, dz += transposed stencils of G + mixing^T G (gathered,
 * one store per vector), then per tap and channel block dtaps, and per channel pair dmixing,
 * each summed over the sites in a register. */
static double bwd_sample4(const float *zb, const float *dyb, float *dzb, const float *tT, const float *mT, const float *mixing, const float *bias,
                          float *dbias, float *dtT, float *dmixing, float *G, int *nbr, float *tmp, float w, float keep, int H, int W, int C,
                          int points, int periodic, int act) {
  const v128_t vw = wasm_f32x4_splat(w), vk = wasm_f32x4_splat(keep);
  const int S = H * W;
  double dw = 0.0;
  for (int i = 0; i < H; i++) {
    for (int j = 0; j < W; j++) {
      const int s = i * W + j;
      const float *zs = zb + s * C;
      v128_t vpart = wasm_f32x4_splat(0.0f);
      neighbours(nbr, points, i, j, H, W, periodic);
      for (int cb = 0; cb < C; cb += 4) {
        const v128_t uu = preact4(zb, tT, mT, bias, nbr, s, cb, C, points);
        const v128_t a = act4(act, uu, tmp);
        const v128_t d = wasm_v128_load(dyb + s * C + cb);
        const v128_t gc = wasm_f32x4_mul(wasm_f32x4_mul(vw, d), dact4(act, uu, a, tmp));
        vpart = wasm_f32x4_add(vpart, wasm_f32x4_mul(wasm_f32x4_sub(a, wasm_v128_load(zs + cb)), d));
        wasm_v128_store(dzb + s * C + cb, wasm_f32x4_mul(vk, d));
        wasm_v128_store(dbias + s * C + cb, wasm_f32x4_sub(wasm_v128_load(dbias + s * C + cb), gc));
        wasm_v128_store(G + s * C + cb, gc);
      }
      dw += (double)((wasm_f32x4_extract_lane(vpart, 0) + wasm_f32x4_extract_lane(vpart, 1)) +
                     (wasm_f32x4_extract_lane(vpart, 2) + wasm_f32x4_extract_lane(vpart, 3)));
    }
  }
  for (int i = 0; i < H; i++) {
    for (int j = 0; j < W; j++) {
      const int s = i * W + j;
      const float *gs = G + s * C;
      const int interior = i > 0 && i < H - 1 && j > 0 && j < W - 1;
      for (int k = 0; k < points; k++) nbr[k] = interior ? s - tap_di(points, k) * W - tap_dj(points, k) : reader(points, k, i, j, H, W, periodic);
      for (int cb = 0; cb < C; cb += 4) {
        v128_t acc = wasm_v128_load(dzb + s * C + cb);
        for (int k = 0; k < points; k++) {
          const int r = nbr[k];
          if (r >= 0) acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_v128_load(tT + k * C + cb), wasm_v128_load(G + r * C + cb)));
        }
        for (int c = 0; c < C; c++) acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_v128_load(mixing + c * C + cb), wasm_f32x4_splat(gs[c])));
        wasm_v128_store(dzb + s * C + cb, acc);
      }
    }
  }
  for (int k = 0; k < points; k++) {
    const int dk = tap_di(points, k) * W + tap_dj(points, k);
    for (int cb = 0; cb < C; cb += 4) {
      v128_t acc = wasm_f32x4_splat(0.0f);
      for (int i = 0; i < H; i++) {
        for (int j = 0; j < W; j++) {
          const int s = i * W + j;
          const int n = (i > 0 && i < H - 1 && j > 0 && j < W - 1) ? s + dk : neighbour(points, k, i, j, H, W, periodic);
          if (n >= 0) acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_v128_load(G + s * C + cb), wasm_v128_load(zb + n * C + cb)));
        }
      }
      wasm_v128_store(dtT + k * C + cb, wasm_f32x4_add(wasm_v128_load(dtT + k * C + cb), acc));
    }
  }
  for (int c = 0; c < C; c++) {
    for (int cb = 0; cb < C; cb += 4) {
      v128_t acc = wasm_f32x4_splat(0.0f);
      for (int s = 0; s < S; s++) acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_f32x4_splat(G[s * C + c]), wasm_v128_load(zb + s * C + cb)));
      wasm_v128_store(dmixing + c * C + cb, wasm_f32x4_add(wasm_v128_load(dmixing + c * C + cb), acc));
    }
  }
  return dw;
}

EXPORT("npde_channel_bwd")
int npde_channel_bwd(const float *dy, const float *z, const float *taps, const float *mixing, const float *omega, const float *bias, float *dz,
                     float *dtaps, float *dmixing, float *domega, float *dbias, float *scratch, int B, int H, int W, int C, int points, int periodic,
                     int act) {
  int status = check_args(B, H, W, C, points, act);
  if (status != NPDE_OK) return status;
  const int K = points, S = H * W, N = S * C;
  float *tT = scratch;
  float *mT = tT + round4(K * C);
  float *u = mT + round4(C * C);
  float *g = u + round4(C);
  float *dtT = g + round4(C);
  int *nbr = (int *)(dtT + round4(K * C));
  float *G = (float *)nbr + round4(K);
  const float w = omega[0], keep = 1.0f - omega[0];
  double dw = 0.0;
  prepare(taps, mixing, tT, mT, C, K);
  for (int x = 0; x < K * C; x++) dtT[x] = 0.0f;
  for (int x = 0; x < C * C; x++) dmixing[x] = 0.0f;
  for (int x = 0; x < N; x++) dbias[x] = 0.0f;
  if ((C & 3) == 0) {
    for (int b = 0; b < B; b++)
      dw += bwd_sample4(z + (long)b * N, dy + (long)b * N, dz + (long)b * N, tT, mT, mixing, bias, dbias, dtT, dmixing, G, nbr, u, w, keep, H, W, C,
                        points, periodic != 0, act);
  } else {
    for (long x = 0; x < (long)B * N; x++) dz[x] = 0.0f;
    for (int b = 0; b < B; b++) {
      const float *zb = z + (long)b * N;
      const float *dyb = dy + (long)b * N;
      float *dzb = dz + (long)b * N;
      for (int i = 0; i < H; i++) {
        for (int j = 0; j < W; j++) {
          const int s = i * W + j;
          const float *zs = zb + s * C;
          const float *dys = dyb + s * C;
          float *dzs = dzb + s * C;
          float *dbs = dbias + s * C;
          float part = 0.0f;
          neighbours(nbr, points, i, j, H, W, periodic != 0);
          preact(zb, tT, mT, bias, u, nbr, s, C, points);
          for (int c = 0; c < C; c++) {
            const float a = act_s(act, u[c]);
            const float d = dys[c];
            const float gc = w * d * dact_s(act, u[c], a);
            part += (a - zs[c]) * d;
            dzs[c] += keep * d;
            dbs[c] -= gc;
            g[c] = gc;
          }
          dw += (double)part;
          for (int k = 0; k < K; k++) {
            const int n = nbr[k];
            if (n < 0) continue;
            vfma(dzb + n * C, tT + k * C, g, C);
            vfma(dtT + k * C, g, zb + n * C, C);
          }
          for (int c = 0; c < C; c++) {
            vaxpy(dzs, mixing + c * C, g[c], C);
            vaxpy(dmixing + c * C, zs, g[c], C);
          }
        }
      }
    }
  }
  for (int c = 0; c < C; c++)
    for (int k = 0; k < K; k++) dtaps[c * K + k] = dtT[k * C + c];
  domega[0] = (float)dw;
  return NPDE_OK;
}
