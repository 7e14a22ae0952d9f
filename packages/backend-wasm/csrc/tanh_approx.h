/*
 * tanh_approx.h - float32 tanh without libm and without tables.
 *
 * A clamped rational approximation in two steps, all in float32:
 *   h = clamp(x / 2, -4.5, 4.5)
 *   r = h * P(h^2) / Q(h^2)         (~ tanh(h); P of degree 2, Q of degree 3 in h^2)
 *   tanh(x) = 2 r / (1 + r^2)       (the double-angle identity)
 * The double-angle step damps r's error by 2 (1 - r^2) / (1 + r^2)^2, which
 * vanishes as |r| -> 1, so float32 rounding at large |x| costs nothing, and the
 * rational only needs to be accurate on [0, 4.5]. Its coefficients are a
 * minimax fit (linear programming on a dense grid, weighted by that damping
 * factor) rounded to float32; all are positive, so P and Q never cancel and
 * Q >= 1.
 *
 * Maximum absolute error against float64 tanh over every finite float32 input:
 * 1.74e-7 (the exhaustive sweep in csrc/README.md); NaN propagates; +-inf give
 * +-1; odd symmetry is exact. Clamping x/2 at 4.5 costs less than one float32
 * ulp of 1 (tanh(9) = 1 - 3.0e-8).
 *
 * Plain C99 so that gcc (native benchmark references) and clang --target=wasm32
 * (the npde WASM kernel) compile the same arithmetic (no FMA contraction is
 * needed or wanted: build native references with -ffp-contract=off to get the
 * same bits). The f32x4 variant, defined only when compiling for WebAssembly
 * SIMD (-msimd128), performs the same float operations in the same order.
 *
 * Every constant is a literal in code: including this header creates no data.
 */
#ifndef NPDE_TANH_APPROX_H
#define NPDE_TANH_APPROX_H

#define NPDE_TANH_HALF_CLAMP 4.5f

/* r = h (1 + P1 h^2 + P2 h^4) / (1 + Q1 h^2 + Q2 h^4 + Q3 h^6) */
#define NPDE_TANH_P1 0.118969113f
#define NPDE_TANH_P2 0.00181576132f
#define NPDE_TANH_Q1 0.452302456f
#define NPDE_TANH_Q2 0.0192500614f
#define NPDE_TANH_Q3 7.75144072e-05f

/** tanh(x) in float32, |error| <= 1.74e-7 against float64 tanh. */
static inline float npde_tanhf(float x) {
  float h, h2, p, q, r;
  h = 0.5f * x;
  /* The comparisons are false for NaN, which therefore passes through. */
  if (h > NPDE_TANH_HALF_CLAMP) h = NPDE_TANH_HALF_CLAMP;
  if (h < -NPDE_TANH_HALF_CLAMP) h = -NPDE_TANH_HALF_CLAMP;
  h2 = h * h;
  p = NPDE_TANH_P2;
  p = p * h2 + NPDE_TANH_P1;
  p = p * h2 + 1.0f;
  p = p * h;
  q = NPDE_TANH_Q3;
  q = q * h2 + NPDE_TANH_Q2;
  q = q * h2 + NPDE_TANH_Q1;
  q = q * h2 + 1.0f;
  r = p / q;
  return (r + r) / (1.0f + r * r);
}

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>

/** Four lanes of npde_tanhf: the same operations in the same order. */
static inline v128_t npde_tanhf_f32x4(v128_t x) {
  v128_t h, h2, p, q, r;
  h = wasm_f32x4_mul(wasm_f32x4_splat(0.5f), x);
  /* pmin(a, b) = b < a ? b : a and pmax(a, b) = a < b ? b : a keep h when the
   * comparison is false, so NaN passes through like the scalar. */
  h = wasm_f32x4_pmin(h, wasm_f32x4_splat(NPDE_TANH_HALF_CLAMP));
  h = wasm_f32x4_pmax(h, wasm_f32x4_splat(-NPDE_TANH_HALF_CLAMP));
  h2 = wasm_f32x4_mul(h, h);
  p = wasm_f32x4_splat(NPDE_TANH_P2);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, h2), wasm_f32x4_splat(NPDE_TANH_P1));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, h2), wasm_f32x4_splat(1.0f));
  p = wasm_f32x4_mul(p, h);
  q = wasm_f32x4_splat(NPDE_TANH_Q3);
  q = wasm_f32x4_add(wasm_f32x4_mul(q, h2), wasm_f32x4_splat(NPDE_TANH_Q2));
  q = wasm_f32x4_add(wasm_f32x4_mul(q, h2), wasm_f32x4_splat(NPDE_TANH_Q1));
  q = wasm_f32x4_add(wasm_f32x4_mul(q, h2), wasm_f32x4_splat(1.0f));
  r = wasm_f32x4_div(p, q);
  return wasm_f32x4_div(wasm_f32x4_add(r, r), wasm_f32x4_add(wasm_f32x4_splat(1.0f), wasm_f32x4_mul(r, r)));
}
#endif

#endif /* NPDE_TANH_APPROX_H */
