/*
 * stencil_relax.c - the fused stencil-relaxation step of npde, forward and
 * backward, in WebAssembly SIMD (f32x4 over the site axis).
 *
 * Contract: docs/design/stencil-relax.md.
 *
 *     u  = W z - b                  (per sample, per site)
 *     z' = (1 - w) z + w f(u)
 *
 * Backward, with g = w * dy * f'(u):
 *     dz     = (1 - w) dy + W^T g
 *     dtaps  = sum_batch g[b, s] * z[b, s + off_k]
 *     dbias  = -sum_batch g[b, s]
 *     domega = sum (f(u) - z) * dy
 *
 * Freestanding: no libc, no libm, no static data (every constant is an
 * immediate in code), no shadow stack. Every function reads only the input
 * buffers and writes only the output and scratch buffers it is given, of the
 * sizes its arguments imply; the JavaScript caller checks that those buffers
 * lie inside the linear memory before it calls.
 *
 * Geometry: a grid of H rows and W columns, row-major (1-D: H = 1, W = S).
 * `stencil` is the 1-D radius (1, 2, 3: K = 2r + 1 taps, offsets -r..r) or the
 * 2-D point count (5: the cross, 9: the 3x3 square; offsets in row-major order).
 * The kernels copy each sample into a padded grid (halo of r columns in 1-D,
 * one row and one column on each side in 2-D) whose halo holds zeros or the
 * periodic wrap, so the hot loops have no boundary branches.
 *
 * Scratch (floats), from npde_stencil_scratch_floats():
 *   forward:  tpad [K][Sp] (taps, transposed and padded) | zpad [Sp]
 *   backward: tpad [K][Sp] | zpad [Sp] | gpad [Sp] | dtapsT [K][St]
 * where Sp = plane_stride((H + 2 py)(W + 2 px)) and St = plane_stride(H W)
 * (py, px: the halo rows and columns; plane_stride pads against 4K aliasing).
 *
 * Backward, per sample: pass 1 computes u, f(u), g into gpad's interior and
 * accumulates domega (in float64), dbias and dtapsT; the halo of gpad is then
 * filled like z's, and pass 2 gathers dz[t] = (1 - w) dy[t] + sum_k
 * taps[t - off_k, k] g[t - off_k] from the padded taps and g (the halo of taps
 * holds the wrapped taps, or anything finite where g's halo is zero).
 */
#include <wasm_simd128.h>
#include "npde_scalar.h"

/* ------------------------------------------------------------------------ */
/* Stencil footprint                                                          */
/* ------------------------------------------------------------------------ */

INLINE int tap_count(int st) { return st <= 3 ? 2 * st + 1 : st; }
INLINE int pad_rows(int st) { return st <= 3 ? 0 : 1; }
INLINE int pad_cols(int st) { return st <= 3 ? st : 1; }

/* Row offset of tap k. */
INLINE int tap_di(int st, int k) {
  if (st <= 3) return 0;
  if (st == 9) return k / 3 - 1;
  return k == 0 ? -1 : (k == 4 ? 1 : 0); /* 5-point: (-1,0) (0,-1) (0,0) (0,1) (1,0) */
}

/* Column offset of tap k. */
INLINE int tap_dj(int st, int k) {
  if (st <= 3) return k - st;
  if (st == 9) return k % 3 - 1;
  return k == 1 ? -1 : (k == 3 ? 1 : 0);
}

/* Floats from one scratch plane to the next: n rounded up to 16 floats (64 bytes)
 * plus 16, so that planes never start a multiple of 4096 bytes apart (the loads of
 * one plane would then falsely wait on the stores to another: 4K aliasing). */
INLINE int plane_stride(int n) { return ((n + 15) & ~15) + 16; }
INLINE double plane_stride_f64(double n) {
  double r = (double)(long long)((n + 15.0) / 16.0);
  return r * 16.0 + 16.0;
}

INLINE int valid_stencil(int st) { return st == 1 || st == 2 || st == 3 || st == 5 || st == 9; }

/* a mod n for n >= 1, result in [0, n). */
INLINE int mod_pos(int a, int n) {
  int m = a % n;
  return m < 0 ? m + n : m;
}

#define V_SPLAT(c) wasm_f32x4_splat(c)
#define V_ADD(a, b) wasm_f32x4_add(a, b)
#define V_SUB(a, b) wasm_f32x4_sub(a, b)
#define V_MUL(a, b) wasm_f32x4_mul(a, b)
#define V_LOAD(p) wasm_v128_load(p)
#define V_STORE(p, v) wasm_v128_store(p, v)

/* Four lanes of exp_neg (trunc_sat does not trap; a NaN lane stays NaN). */
INLINE v128_t exp_neg4(v128_t x) {
  v128_t t, r, r2, p, nf;
  v128_t n;
  x = wasm_f32x4_pmax(x, V_SPLAT(-87.0f)); /* x < -87 ? -87 : x */
  t = V_MUL(x, V_SPLAT(1.44269504088896341f));
  n = wasm_i32x4_trunc_sat_f32x4(V_SUB(t, V_SPLAT(0.5f)));
  nf = wasm_f32x4_convert_i32x4(n);
  r = V_SUB(x, V_MUL(nf, V_SPLAT(0.693359375f)));
  r = V_SUB(r, V_MUL(nf, V_SPLAT(-2.12194440e-4f)));
  r2 = V_MUL(r, r);
  p = V_SPLAT(1.9875691500e-4f);
  p = V_ADD(V_MUL(p, r), V_SPLAT(1.3981999507e-3f));
  p = V_ADD(V_MUL(p, r), V_SPLAT(8.3334519073e-3f));
  p = V_ADD(V_MUL(p, r), V_SPLAT(4.1665795894e-2f));
  p = V_ADD(V_MUL(p, r), V_SPLAT(1.6666665459e-1f));
  p = V_ADD(V_MUL(p, r), V_SPLAT(5.0000001201e-1f));
  p = V_ADD(V_ADD(V_MUL(p, r2), r), V_SPLAT(1.0f));
  return V_MUL(p, wasm_i32x4_shl(wasm_i32x4_add(n, wasm_i32x4_splat(127)), 23));
}

INLINE v128_t log1p_unit4(v128_t t) {
  v128_t s = wasm_f32x4_div(t, V_ADD(V_SPLAT(2.0f), t));
  v128_t s2 = V_MUL(s, s);
  v128_t p = V_SPLAT(1.0f / 13.0f);
  p = V_ADD(V_MUL(p, s2), V_SPLAT(1.0f / 11.0f));
  p = V_ADD(V_MUL(p, s2), V_SPLAT(1.0f / 9.0f));
  p = V_ADD(V_MUL(p, s2), V_SPLAT(1.0f / 7.0f));
  p = V_ADD(V_MUL(p, s2), V_SPLAT(1.0f / 5.0f));
  p = V_ADD(V_MUL(p, s2), V_SPLAT(1.0f / 3.0f));
  p = V_ADD(V_MUL(p, s2), V_SPLAT(1.0f));
  return V_MUL(V_ADD(s, s), p);
}

INLINE v128_t sigmoid4(v128_t u) {
  const v128_t e = exp_neg4(wasm_f32x4_neg(wasm_f32x4_abs(u)));
  const v128_t num = wasm_v128_bitselect(e, V_SPLAT(1.0f), wasm_f32x4_lt(u, V_SPLAT(0.0f)));
  return wasm_f32x4_div(num, V_ADD(V_SPLAT(1.0f), e));
}

INLINE v128_t softplus4(v128_t u) {
  v128_t au = wasm_f32x4_abs(u);
  v128_t mx = wasm_f32x4_pmax(u, V_SPLAT(0.0f)); /* u < 0 ? 0 : u, like the scalar */
  return V_ADD(mx, log1p_unit4(exp_neg4(wasm_f32x4_neg(au))));
}

INLINE v128_t act4(int act, v128_t u) {
  switch (act) {
    case ACT_TANH: return npde_tanhf_f32x4(u);
    case ACT_RELU: return wasm_f32x4_pmax(u, V_SPLAT(0.0f)); /* u < 0 ? 0 : u */
    case ACT_SIGMOID: return sigmoid4(u);
    case ACT_SOFTPLUS: return softplus4(u);
    default: return u;
  }
}

INLINE v128_t dact4(int act, v128_t u, v128_t a) {
  switch (act) {
    case ACT_TANH: return V_SUB(V_SPLAT(1.0f), V_MUL(a, a));
    case ACT_RELU: return wasm_v128_and(wasm_f32x4_gt(u, V_SPLAT(0.0f)), V_SPLAT(1.0f));
    case ACT_SIGMOID: return V_MUL(a, V_SUB(V_SPLAT(1.0f), a));
    case ACT_SOFTPLUS: return sigmoid4(u);
    default: return V_SPLAT(1.0f);
  }
}

/* ------------------------------------------------------------------------ */
/* Padded grids                                                               */
/* ------------------------------------------------------------------------ */

/* Copy n floats (no overlap). */
INLINE void copy_floats(float *dst, const float *src, int n) {
  int j = 0;
  for (; j + 4 <= n; j += 4) V_STORE(dst + j, V_LOAD(src + j));
  for (; j < n; j++) dst[j] = src[j];
}

INLINE void zero_floats(float *dst, int n) {
  int j = 0;
  for (; j + 4 <= n; j += 4) V_STORE(dst + j, V_SPLAT(0.0f));
  for (; j < n; j++) dst[j] = 0.0f;
}

/* Copy an unpadded H x W grid into the interior of a padded one. */
static void pad_interior(float *pad, const float *src, int H, int W, int py, int px) {
  const int Wp = W + 2 * px;
  for (int i = 0; i < H; i++) copy_floats(pad + (i + py) * Wp + px, src + i * W, W);
}

/* Fill the halo of a padded grid whose interior is set: zeros, or the periodic wrap
 * of each axis (columns first, then whole rows, so the corners wrap in both axes). */
static void fill_halo(float *pad, int H, int W, int py, int px, int periodic) {
  const int Wp = W + 2 * px;
  const int Hp = H + 2 * py;
  for (int i = 0; i < H; i++) {
    float *row = pad + (i + py) * Wp;
    for (int q = 0; q < px; q++) {
      row[q] = periodic ? row[px + mod_pos(q - px, W)] : 0.0f;
      row[px + W + q] = periodic ? row[px + mod_pos(W + q, W)] : 0.0f;
    }
  }
  for (int ip = 0; ip < Hp; ip++) {
    if (ip >= py && ip < py + H) continue;
    float *row = pad + ip * Wp;
    if (periodic) {
      copy_floats(row, pad + (py + mod_pos(ip - py, H)) * Wp, Wp);
    } else {
      zero_floats(row, Wp);
    }
  }
}

/* tpad[k] = padded plane of taps[:, k]. */
static void pad_taps(float *tpad, const float *taps, int H, int W, int K, int py, int px, int periodic) {
  const int Wp = W + 2 * px;
  const int Sp = plane_stride((H + 2 * py) * Wp);
  for (int k = 0; k < K; k++) {
    float *plane = tpad + k * Sp;
    for (int i = 0; i < H; i++) {
      float *row = plane + (i + py) * Wp + px;
      const float *src = taps + (i * W) * K + k;
      for (int j = 0; j < W; j++) row[j] = src[j * K];
    }
    fill_halo(plane, H, W, py, px, periodic);
  }
}

/* ------------------------------------------------------------------------ */
/* Forward                                                                    */
/* ------------------------------------------------------------------------ */

INLINE void fwd_impl(const int st, const int act, const int keep, const float *z, const float *tpad, float *zpad,
                     const float *bias, float *out, float *acts, float omega, int B, int H, int W, int periodic) {
  const int K = tap_count(st);
  const int py = pad_rows(st);
  const int px = pad_cols(st);
  const int Wp = W + 2 * px;
  const int Sp = plane_stride((H + 2 * py) * Wp);
  const int S = H * W;
  const float om1 = 1.0f - omega;
  const v128_t vom = V_SPLAT(omega);
  const v128_t vom1 = V_SPLAT(om1);
  for (int b = 0; b < B; b++) {
    const float *zb = z + b * S;
    float *ob = out + b * S;
    float *ab = acts + b * S;
    pad_interior(zpad, zb, H, W, py, px);
    fill_halo(zpad, H, W, py, px, periodic);
    for (int i = 0; i < H; i++) {
      const int c = (i + py) * Wp + px;
      const float *zi = zb + i * W;
      const float *bi = bias + i * W;
      float *oi = ob + i * W;
      float *ai = ab + i * W;
      int j = 0;
      for (; j + 4 <= W; j += 4) {
        v128_t u = V_MUL(V_LOAD(tpad + c + j), V_LOAD(zpad + c + tap_di(st, 0) * Wp + tap_dj(st, 0) + j));
#pragma clang loop unroll(full)
        for (int k = 1; k < K; k++) {
          const int o = tap_di(st, k) * Wp + tap_dj(st, k);
          u = V_ADD(u, V_MUL(V_LOAD(tpad + k * Sp + c + j), V_LOAD(zpad + c + o + j)));
        }
        u = V_SUB(u, V_LOAD(bi + j));
        v128_t a = act4(act, u);
        if (keep) V_STORE(ai + j, a);
        V_STORE(oi + j, V_ADD(V_MUL(vom1, V_LOAD(zi + j)), V_MUL(vom, a)));
      }
      for (; j < W; j++) {
        float u = tpad[c + j] * zpad[c + tap_di(st, 0) * Wp + tap_dj(st, 0) + j];
#pragma clang loop unroll(full)
        for (int k = 1; k < K; k++) {
          const int o = tap_di(st, k) * Wp + tap_dj(st, k);
          u = u + tpad[k * Sp + c + j] * zpad[c + o + j];
        }
        u = u - bi[j];
        const float a = act_s(act, u);
        if (keep) ai[j] = a;
        oi[j] = om1 * zi[j] + omega * a;
      }
    }
  }
}

/* One out-of-line function per (stencil, activation), so that each is a small,
 * fully specialized body (the engine tiers them up one by one). */
#define FWD_PARAMS \
  const float *z, const float *tpad, float *zpad, const float *bias, float *out, float *acts, int keep, float w, int B, \
      int H, int W, int periodic
#define FWD_ARGS z, tpad, zpad, bias, out, acts, keep, w, B, H, W, periodic
/* keep: whether f(u) is also stored into acts (for the backward of a whole trajectory);
 * each function holds both specializations, so the hot loop has no branch on it. */
#define DEF_FWD(ST, ACT)                                                          \
  static __attribute__((noinline)) void fwd_##ST##_##ACT(FWD_PARAMS) {           \
    if (keep) fwd_impl(ST, ACT, 1, z, tpad, zpad, bias, out, acts, w, B, H, W, periodic); \
    else fwd_impl(ST, ACT, 0, z, tpad, zpad, bias, out, out, w, B, H, W, periodic);       \
  }
#define DEF_FWD_ACTS(ST) DEF_FWD(ST, 0) DEF_FWD(ST, 1) DEF_FWD(ST, 2) DEF_FWD(ST, 3) DEF_FWD(ST, 4)
DEF_FWD_ACTS(1)
DEF_FWD_ACTS(2)
DEF_FWD_ACTS(3)
DEF_FWD_ACTS(5)
DEF_FWD_ACTS(9)

#define FWD_ACTS(ST)                          \
  switch (act) {                              \
    case ACT_IDENTITY: fwd_##ST##_0(FWD_ARGS); break; \
    case ACT_TANH: fwd_##ST##_1(FWD_ARGS); break;     \
    case ACT_RELU: fwd_##ST##_2(FWD_ARGS); break;     \
    case ACT_SIGMOID: fwd_##ST##_3(FWD_ARGS); break;  \
    default: fwd_##ST##_4(FWD_ARGS); break;           \
  }

static int check_args(int B, int H, int W, int st, int act) {
  if (!valid_stencil(st)) return NPDE_BAD_GEOMETRY;
  if (st <= 3 && H != 1) return NPDE_BAD_GEOMETRY;
  if (act < ACT_IDENTITY || act > ACT_SOFTPLUS) return NPDE_BAD_ACTIVATION;
  if (B < 0 || H < 1 || W < 1) return NPDE_BAD_SIZE;
  return NPDE_OK;
}

/**
 * Scratch floats the kernels need for this geometry (grad: 0 forward, 1 backward),
 * computed in float64 so that it cannot wrap; -1 for an invalid stencil code.
 */
EXPORT("npde_stencil_scratch_floats")
double npde_stencil_scratch_floats(int H, int W, int st, int grad) {
  if (!valid_stencil(st) || H < 1 || W < 1) return -1.0;
  double K = (double)tap_count(st);
  double Sp = plane_stride_f64(((double)H + 2.0 * pad_rows(st)) * ((double)W + 2.0 * pad_cols(st)));
  double S = plane_stride_f64((double)H * (double)W);
  return grad ? (K + 2.0) * Sp + K * S : (K + 1.0) * Sp;
}

static int forward_entry(const float *z, const float *taps, const float *omega, const float *bias, float *out,
                         float *acts, int keep, float *scratch, int B, int H, int W, int stencil, int periodic, int act) {
  const int status = check_args(B, H, W, stencil, act);
  if (status != NPDE_OK) return status;
  const int K = tap_count(stencil);
  const int py = pad_rows(stencil);
  const int px = pad_cols(stencil);
  const int Sp = plane_stride((H + 2 * py) * (W + 2 * px));
  const float w = omega[0];
  float *tpad = scratch;
  float *zpad = scratch + K * Sp;
  periodic = periodic != 0;
  keep = keep != 0;
  pad_taps(tpad, taps, H, W, K, py, px, periodic);
  switch (stencil) {
    case 1: FWD_ACTS(1) break;
    case 2: FWD_ACTS(2) break;
    case 3: FWD_ACTS(3) break;
    case 5: FWD_ACTS(5) break;
    default: FWD_ACTS(9) break;
  }
  return NPDE_OK;
}

/**
 * Forward step. z, out: [B, H*W]; taps: [H*W, K]; omega: one float; bias: [H*W];
 * scratch: npde_stencil_scratch_floats(H, W, stencil, 0) floats. Returns 0, or a
 * nonzero status (and writes nothing) for invalid arguments.
 */
EXPORT("npde_stencil_fwd")
int npde_stencil_fwd(const float *z, const float *taps, const float *omega, const float *bias, float *out,
                     float *scratch, int B, int H, int W, int stencil, int periodic, int act) {
  return forward_entry(z, taps, omega, bias, out, out, 0, scratch, B, H, W, stencil, periodic, act);
}

/**
 * Forward step that also stores acts = f(u), [B, H*W] (a buffer of its own), for
 * npde_stencil_bwd_cached. Otherwise as npde_stencil_fwd.
 */
EXPORT("npde_stencil_fwd_keep")
int npde_stencil_fwd_keep(const float *z, const float *taps, const float *omega, const float *bias, float *out,
                          float *acts, float *scratch, int B, int H, int W, int stencil, int periodic, int act) {
  return forward_entry(z, taps, omega, bias, out, acts, 1, scratch, B, H, W, stencil, periodic, act);
}

/**
 * 1 when npde_stencil_bwd_cached implements activation code act: when f'(u) follows
 * from f(u) alone (identity, tanh, sigmoid; relu: f(u) > 0 exactly when u > 0), so
 * the backward needs no u. 0 otherwise (softplus: f' = sigmoid(u)).
 */
EXPORT("npde_stencil_caches")
int npde_stencil_caches(int act) {
  return act == ACT_IDENTITY || act == ACT_TANH || act == ACT_RELU || act == ACT_SIGMOID;
}

/* ------------------------------------------------------------------------ */
/* Backward                                                                   */
/* ------------------------------------------------------------------------ */

INLINE void bwd_impl(const int st, const int act, const int cached, const float *dy, const float *z, const float *acts,
                     const float *tpad, float *zpad, float *gpad, float *dtT, const float *bias, float *dz, float *dbias,
                     float *domega, float omega, int B, int H, int W, int periodic) {
  const int K = tap_count(st);
  const int py = pad_rows(st);
  const int px = pad_cols(st);
  const int Wp = W + 2 * px;
  const int Sp = plane_stride((H + 2 * py) * Wp);
  const int S = H * W;
  const int St = plane_stride(S);
  const float om1 = 1.0f - omega;
  const v128_t vom = V_SPLAT(omega);
  const v128_t vom1 = V_SPLAT(om1);
  double dw = 0.0;
  for (int b = 0; b < B; b++) {
    const float *zb = z + b * S;
    const float *dyb = dy + b * S;
    const float *ab = acts + b * S;
    float *dzb = dz + b * S;
    v128_t vdw = V_SPLAT(0.0f);
    float sdw = 0.0f;
    pad_interior(zpad, zb, H, W, py, px);
    fill_halo(zpad, H, W, py, px, periodic);
    /* Pass 1: u, a, g; accumulate domega, dbias, dtaps. */
    for (int i = 0; i < H; i++) {
      const int c = (i + py) * Wp + px;
      const float *zi = zb + i * W;
      const float *dyi = dyb + i * W;
      const float *ai = ab + i * W;
      const float *bi = bias + i * W;
      float *dbi = dbias + i * W;
      float *gi = gpad + c;
      int j = 0;
      for (; j + 4 <= W; j += 4) {
        v128_t u, a;
        if (cached) {
          /* dact4 reads u only for relu, where f(u) > 0 exactly when u > 0. */
          a = V_LOAD(ai + j);
          u = a;
        } else {
          u = V_MUL(V_LOAD(tpad + c + j), V_LOAD(zpad + c + tap_di(st, 0) * Wp + tap_dj(st, 0) + j));
#pragma clang loop unroll(full)
          for (int k = 1; k < K; k++) {
            const int o = tap_di(st, k) * Wp + tap_dj(st, k);
            u = V_ADD(u, V_MUL(V_LOAD(tpad + k * Sp + c + j), V_LOAD(zpad + c + o + j)));
          }
          u = V_SUB(u, V_LOAD(bi + j));
          a = act4(act, u);
        }
        const v128_t d = V_LOAD(dyi + j);
        const v128_t g = V_MUL(V_MUL(vom, d), dact4(act, u, a));
        V_STORE(gi + j, g);
        vdw = V_ADD(vdw, V_MUL(V_SUB(a, V_LOAD(zi + j)), d));
        V_STORE(dbi + j, V_SUB(V_LOAD(dbi + j), g));
#pragma clang loop unroll(full)
        for (int k = 0; k < K; k++) {
          const int o = tap_di(st, k) * Wp + tap_dj(st, k);
          float *t = dtT + k * St + i * W + j;
          V_STORE(t, V_ADD(V_LOAD(t), V_MUL(g, V_LOAD(zpad + c + o + j))));
        }
      }
      for (; j < W; j++) {
        float u, a;
        if (cached) {
          a = ai[j];
          u = a;
        } else {
          u = tpad[c + j] * zpad[c + tap_di(st, 0) * Wp + tap_dj(st, 0) + j];
#pragma clang loop unroll(full)
          for (int k = 1; k < K; k++) {
            const int o = tap_di(st, k) * Wp + tap_dj(st, k);
            u = u + tpad[k * Sp + c + j] * zpad[c + o + j];
          }
          u = u - bi[j];
          a = act_s(act, u);
        }
        const float d = dyi[j];
        const float g = (omega * d) * dact_s(act, u, a);
        gi[j] = g;
        sdw = sdw + (a - zi[j]) * d;
        dbi[j] = dbi[j] - g;
#pragma clang loop unroll(full)
        for (int k = 0; k < K; k++) {
          const int o = tap_di(st, k) * Wp + tap_dj(st, k);
          dtT[k * St + i * W + j] += g * zpad[c + o + j];
        }
      }
    }
    dw += (double)wasm_f32x4_extract_lane(vdw, 0) + (double)wasm_f32x4_extract_lane(vdw, 1) +
          (double)wasm_f32x4_extract_lane(vdw, 2) + (double)wasm_f32x4_extract_lane(vdw, 3) + (double)sdw;
    fill_halo(gpad, H, W, py, px, periodic);
    /* Pass 2: dz[t] = (1 - w) dy[t] + sum_k taps[t - off_k, k] g[t - off_k]. */
    for (int i = 0; i < H; i++) {
      const int c = (i + py) * Wp + px;
      const float *dyi = dyb + i * W;
      float *dzi = dzb + i * W;
      int j = 0;
      for (; j + 4 <= W; j += 4) {
        const int o0 = tap_di(st, 0) * Wp + tap_dj(st, 0);
        v128_t acc = V_MUL(V_LOAD(tpad + c - o0 + j), V_LOAD(gpad + c - o0 + j));
#pragma clang loop unroll(full)
        for (int k = 1; k < K; k++) {
          const int o = tap_di(st, k) * Wp + tap_dj(st, k);
          acc = V_ADD(acc, V_MUL(V_LOAD(tpad + k * Sp + c - o + j), V_LOAD(gpad + c - o + j)));
        }
        V_STORE(dzi + j, V_ADD(V_MUL(vom1, V_LOAD(dyi + j)), acc));
      }
      for (; j < W; j++) {
        const int o0 = tap_di(st, 0) * Wp + tap_dj(st, 0);
        float acc = tpad[c - o0 + j] * gpad[c - o0 + j];
#pragma clang loop unroll(full)
        for (int k = 1; k < K; k++) {
          const int o = tap_di(st, k) * Wp + tap_dj(st, k);
          acc = acc + tpad[k * Sp + c - o + j] * gpad[c - o + j];
        }
        dzi[j] = om1 * dyi[j] + acc;
      }
    }
  }
  domega[0] = (float)dw;
}

#define BWD_PARAMS                                                                                            \
  const float *dy, const float *z, const float *acts, const float *tpad, float *zpad, float *gpad, float *dtT,  \
      const float *bias, float *dz, float *dbias, float *domega, float w, int B, int H, int W, int periodic
#define BWD_ARGS dy, z, acts, tpad, zpad, gpad, dtT, bias, dz, dbias, domega, w, B, H, W, periodic
#define DEF_BWD(ST, ACT) \
  static __attribute__((noinline)) void bwd_##ST##_##ACT(BWD_PARAMS) { bwd_impl(ST, ACT, 0, BWD_ARGS); }
/* From stored f(u) (npde_stencil_caches(ACT) = 1: ACT 0..3). */
#define DEF_BWDC(ST, ACT) \
  static __attribute__((noinline)) void bwdc_##ST##_##ACT(BWD_PARAMS) { bwd_impl(ST, ACT, 1, BWD_ARGS); }
#define DEF_BWD_ACTS(ST)                                                                                      \
  DEF_BWD(ST, 0) DEF_BWD(ST, 1) DEF_BWD(ST, 2) DEF_BWD(ST, 3) DEF_BWD(ST, 4) DEF_BWDC(ST, 0) DEF_BWDC(ST, 1) \
      DEF_BWDC(ST, 2) DEF_BWDC(ST, 3)
DEF_BWD_ACTS(1)
DEF_BWD_ACTS(2)
DEF_BWD_ACTS(3)
DEF_BWD_ACTS(5)
DEF_BWD_ACTS(9)

#define BWD_ACTS(ST)                                                         \
  if (cached) {                                                              \
    switch (act) {                                                           \
      case ACT_IDENTITY: bwdc_##ST##_0(BWD_ARGS); break;                     \
      case ACT_TANH: bwdc_##ST##_1(BWD_ARGS); break;                         \
      case ACT_RELU: bwdc_##ST##_2(BWD_ARGS); break;                         \
      default: bwdc_##ST##_3(BWD_ARGS); break;                               \
    }                                                                        \
  } else {                                                                   \
    switch (act) {                                                           \
      case ACT_IDENTITY: bwd_##ST##_0(BWD_ARGS); break;                      \
      case ACT_TANH: bwd_##ST##_1(BWD_ARGS); break;                          \
      case ACT_RELU: bwd_##ST##_2(BWD_ARGS); break;                          \
      case ACT_SIGMOID: bwd_##ST##_3(BWD_ARGS); break;                       \
      default: bwd_##ST##_4(BWD_ARGS); break;                                \
    }                                                                        \
  }

static int backward_entry(const float *dy, const float *z, const float *acts, int cached, const float *taps,
                          const float *omega, const float *bias, float *dz, float *dtaps, float *domega, float *dbias,
                          float *scratch, int B, int H, int W, int stencil, int periodic, int act) {
  const int status = check_args(B, H, W, stencil, act);
  if (status != NPDE_OK) return status;
  if (cached && !npde_stencil_caches(act)) return NPDE_BAD_ACTIVATION;
  const int K = tap_count(stencil);
  const int py = pad_rows(stencil);
  const int px = pad_cols(stencil);
  const int Sp = plane_stride((H + 2 * py) * (W + 2 * px));
  const int S = H * W;
  const int St = plane_stride(S);
  const float w = omega[0];
  float *tpad = scratch;
  float *zpad = tpad + K * Sp;
  float *gpad = zpad + Sp;
  float *dtT = gpad + Sp;
  periodic = periodic != 0;
  pad_taps(tpad, taps, H, W, K, py, px, periodic);
  zero_floats(dtT, K * St);
  zero_floats(dbias, S);
  switch (stencil) {
    case 1: BWD_ACTS(1) break;
    case 2: BWD_ACTS(2) break;
    case 3: BWD_ACTS(3) break;
    case 5: BWD_ACTS(5) break;
    default: BWD_ACTS(9) break;
  }
  /* dtaps[s, k] = dtapsT[k][s]. */
  for (int s = 0; s < S; s++) {
    for (int k = 0; k < K; k++) dtaps[s * K + k] = dtT[k * St + s];
  }
  return NPDE_OK;
}

/**
 * Backward step. dy, z, dz: [B, H*W]; taps, dtaps: [H*W, K]; omega, domega: one
 * float; bias, dbias: [H*W]; scratch: npde_stencil_scratch_floats(H, W, stencil, 1)
 * floats. Returns 0, or a nonzero status (and writes nothing) for invalid arguments.
 */
EXPORT("npde_stencil_bwd")
int npde_stencil_bwd(const float *dy, const float *z, const float *taps, const float *omega, const float *bias,
                     float *dz, float *dtaps, float *domega, float *dbias, float *scratch, int B, int H, int W,
                     int stencil, int periodic, int act) {
  return backward_entry(dy, z, z, 0, taps, omega, bias, dz, dtaps, domega, dbias, scratch, B, H, W, stencil, periodic,
                        act);
}

/**
 * Backward step from the acts = f(u) that npde_stencil_fwd_keep stored for this z
 * (same taps, omega, bias): the same results as npde_stencil_bwd, bit for bit,
 * without recomputing u and f(u). Only for activations with npde_stencil_caches(act)
 * = 1 (otherwise NPDE_BAD_ACTIVATION, nothing written).
 */
EXPORT("npde_stencil_bwd_cached")
int npde_stencil_bwd_cached(const float *dy, const float *z, const float *acts, const float *taps, const float *omega,
                            const float *bias, float *dz, float *dtaps, float *domega, float *dbias, float *scratch,
                            int B, int H, int W, int stencil, int periodic, int act) {
  return backward_entry(dy, z, acts, 1, taps, omega, bias, dz, dtaps, domega, dbias, scratch, B, H, W, stencil,
                        periodic, act);
}
