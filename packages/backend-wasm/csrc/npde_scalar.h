/*
 * What npde's WASM kernels share (stencil_relax.c and channel_stencil.c): the export and
 * inline macros, the activation and status codes of the fused ops' contract, and the
 * scalar activations f and f' (exp, log1p, sigmoid, softplus written out, freestanding,
 * with no libm), so that both modules perform the same float operations.
 */
#ifndef NPDE_SCALAR_H
#define NPDE_SCALAR_H

#include "tanh_approx.h"

#define EXPORT(name) __attribute__((export_name(name)))
#define INLINE static inline __attribute__((always_inline))

enum { ACT_IDENTITY = 0, ACT_TANH = 1, ACT_RELU = 2, ACT_SIGMOID = 3, ACT_SOFTPLUS = 4 };

/* Status codes returned by the kernels (0: done; otherwise nothing was written). */
enum { NPDE_OK = 0, NPDE_BAD_GEOMETRY = 1, NPDE_BAD_ACTIVATION = 2, NPDE_BAD_SIZE = 3 };

/* ------------------------------------------------------------------------ */
/* Activations: scalar and f32x4 variants perform the same float operations. */
/* ------------------------------------------------------------------------ */

typedef union {
  float f;
  int i;
} npde_bits;

/* exp(x) for x <= 0 (sigmoid and softplus use exp(-|u|)); relative error ~1e-7.
 * NaN returns early: the float-to-int conversion below would trap on it. */
INLINE float exp_neg(float x) {
  float t, r, r2, p;
  int n;
  npde_bits s;
  if (x != x) return x;
  if (x < -87.0f) x = -87.0f;
  t = x * 1.44269504088896341f;
  n = (int)(t - 0.5f); /* round half away from zero, t <= 0 */
  r = x - (float)n * 0.693359375f;
  r = r - (float)n * -2.12194440e-4f;
  r2 = r * r;
  p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r2 + r + 1.0f;
  s.i = (n + 127) << 23;
  return p * s.f;
}

/* log(1 + t) for t in [0, 1]: 2 atanh(s), s = t / (2 + t) in [0, 1/3]. */
INLINE float log1p_unit(float t) {
  float s = t / (2.0f + t);
  float s2 = s * s;
  float p = 1.0f / 13.0f;
  p = p * s2 + 1.0f / 11.0f;
  p = p * s2 + 1.0f / 9.0f;
  p = p * s2 + 1.0f / 7.0f;
  p = p * s2 + 1.0f / 5.0f;
  p = p * s2 + 1.0f / 3.0f;
  p = p * s2 + 1.0f;
  return (s + s) * p;
}

/* 1 / (1 + e^-u) for u >= 0, e^u / (1 + e^u) below: relative accuracy on both sides. */
INLINE float sigmoid_s(float u) {
  const float e = exp_neg(u < 0.0f ? u : -u);
  return (u < 0.0f ? e : 1.0f) / (1.0f + e);
}

INLINE float softplus_s(float u) {
  float au = u < 0.0f ? -u : u;
  float mx = u < 0.0f ? 0.0f : u;
  return mx + log1p_unit(exp_neg(-au));
}

INLINE float act_s(int act, float u) {
  switch (act) {
    case ACT_TANH: return npde_tanhf(u);
    case ACT_RELU: return u < 0.0f ? 0.0f : u; /* NaN passes through */
    case ACT_SIGMOID: return sigmoid_s(u);
    case ACT_SOFTPLUS: return softplus_s(u);
    default: return u;
  }
}

/* f'(u), given a = f(u). */
INLINE float dact_s(int act, float u, float a) {
  switch (act) {
    case ACT_TANH: return 1.0f - a * a;
    case ACT_RELU: return u > 0.0f ? 1.0f : 0.0f;
    case ACT_SIGMOID: return a * (1.0f - a);
    case ACT_SOFTPLUS: return sigmoid_s(u);
    default: return 1.0f;
  }
}

#endif
