/*
 * stencil_bench.c - native C reference of npde's fused stencil-relaxation op
 * (docs/design/stencil-relax.md), for the benchmark in bench/run.js.
 *
 *   u  = W z - b,  z' = (1 - w) z + w tanh(u)                     (forward)
 *   g  = w dy (1 - a^2),  dz = (1 - w) dy + W^T g,
 *   dtaps[s,k] = sum_b g[b,s] z[b, s + off_k],  dbias = -sum_b g,
 *   domega = sum (a - z) dy                                         (backward)
 *
 * The forward+backward pass runs the forward kernel and then the gradient
 * kernel (which recomputes u and a), like the tfjs path does.
 *
 * Layout and boundary follow the contract: z [B,S], taps [S,K], bias [S];
 * 2-D sites are row-major; a 1-D grid is one row of S sites; `periodic` wraps
 * each axis, `zero` reads 0 outside. The loops are tap-major over contiguous
 * row segments (taps are transposed to [K,S] inside the timed call), so gcc
 * vectorizes them at -O3 with whatever ISA the flags allow.
 *
 * tanh: when compiled with -DNPDE_TANH_HEADER="..." -DNPDE_TANH_FN=name, the
 * header the WASM kernel uses (packages/backend-wasm/csrc/tanh_approx.h);
 * otherwise libm tanhf (reported in the JSON as "tanh": "libm").
 *
 * Usage:
 *   stencil_bench IN.bin OUT.bin PASS B H W NOFF DI,DJ;DI,DJ;... BOUNDARY WARMUP REPS
 *     PASS      fwd | fb
 *     BOUNDARY  periodic | zero
 * IN.bin holds float32 (little-endian): z[B*S] taps[S*K] omega bias[S] dy[B*S].
 * OUT.bin receives the last run's outputs: fwd: out[B*S];
 * fb: out[B*S] dz[B*S] dtaps[S*K] domega dbias[S].
 * Prints one line of JSON with the per-run times.
 */
#define _POSIX_C_SOURCE 200112L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef NPDE_TANH_HEADER
#include NPDE_TANH_HEADER
#define TANH(x) NPDE_TANH_FN(x)
#define TANH_NAME "header"
#else
#define TANH(x) tanhf(x)
#define TANH_NAME "libm"
#endif

#ifdef __cplusplus /* also builds as C++ (g++ only) */
#define restrict __restrict
#endif

#define MAXK 9
#define LANES 16

typedef struct {
  int B, H, W, S, K, periodic;
  int di[MAXK], dj[MAXK];
} geom_t;

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

static void *xalloc(size_t n) {
  size_t bytes = (n * sizeof(float) + 63) / 64 * 64;
  void *p = aligned_alloc(64, bytes ? bytes : 64);
  if (!p) {
    fprintf(stderr, "out of memory\n");
    exit(2);
  }
  memset(p, 0, bytes);
  return p;
}

/* dst[j] += c[j] * src[j + dj] for j in [j0, j1). */
static inline void fma_shift(float *restrict dst, const float *restrict c, const float *restrict src, int j0, int j1, int dj) {
  for (int j = j0; j < j1; j++) dst[j] += c[j] * src[j + dj];
}

/* dst[j + dj] += c[j] * g[j] for j in [j0, j1). */
static inline void scatter_shift(float *restrict dst, const float *restrict c, const float *restrict g, int j0, int j1, int dj) {
  for (int j = j0; j < j1; j++) dst[j + dj] += c[j] * g[j];
}

/*
 * For every site (i, j) of the grid whose neighbour (i + di, j + dj) exists
 * (always, when periodic): acc[site] += coef[site] * src[neighbour].
 */
static void gather_tap(const geom_t *g, int di, int dj, float *restrict acc, const float *restrict coef, const float *restrict src) {
  const int H = g->H, W = g->W;
  for (int i = 0; i < H; i++) {
    int ii = i + di;
    if (ii < 0 || ii >= H) {
      if (!g->periodic) continue;
      ii = (ii + H) % H;
    }
    float *a = acc + (size_t)i * W;
    const float *c = coef + (size_t)i * W;
    const float *s = src + (size_t)ii * W;
    int lo = dj < 0 ? -dj : 0, hi = dj > 0 ? W - dj : W;
    if (lo > W) lo = W;
    if (hi < 0) hi = 0;
    fma_shift(a, c, s, lo, hi, dj);
    if (g->periodic) {
      for (int j = 0; j < lo; j++) a[j] += c[j] * s[j + dj + W];
      for (int j = hi > lo ? hi : lo; j < W; j++) a[j] += c[j] * s[j + dj - W];
    }
  }
}

/* The transpose of gather_tap: dst[neighbour(site)] += coef[site] * gr[site]. */
static void scatter_tap(const geom_t *g, int di, int dj, float *restrict dst, const float *restrict coef, const float *restrict gr) {
  const int H = g->H, W = g->W;
  for (int i = 0; i < H; i++) {
    int ii = i + di;
    if (ii < 0 || ii >= H) {
      if (!g->periodic) continue;
      ii = (ii + H) % H;
    }
    float *d = dst + (size_t)ii * W;
    const float *c = coef + (size_t)i * W;
    const float *q = gr + (size_t)i * W;
    int lo = dj < 0 ? -dj : 0, hi = dj > 0 ? W - dj : W;
    if (lo > W) lo = W;
    if (hi < 0) hi = 0;
    scatter_shift(d, c, q, lo, hi, dj);
    if (g->periodic) {
      for (int j = 0; j < lo; j++) d[j + dj + W] += c[j] * q[j];
      for (int j = hi > lo ? hi : lo; j < W; j++) d[j + dj - W] += c[j] * q[j];
    }
  }
}

typedef struct {
  const float *z, *taps, *bias, *dy;
  float omega;
  float *out, *dz, *dtaps, *dbias;
  float domega;
  /* scratch */
  float *tapsT, *dtapsT, *u, *gr;
} work_t;

static void transpose_taps(const geom_t *g, const float *restrict taps, float *restrict tapsT) {
  const int S = g->S, K = g->K;
  for (int s = 0; s < S; s++)
    for (int k = 0; k < K; k++) tapsT[(size_t)k * S + s] = taps[(size_t)s * K + k];
}

/* u = W z_b - bias for one sample. */
static void preact(const geom_t *g, const work_t *w, const float *restrict zb, float *restrict u) {
  const int S = g->S;
  for (int s = 0; s < S; s++) u[s] = -w->bias[s];
  for (int k = 0; k < g->K; k++) gather_tap(g, g->di[k], g->dj[k], u, w->tapsT + (size_t)k * S, zb);
}

/* noinline: inlined into main, gcc stops vectorizing the tanh loops */
__attribute__((noinline)) static void run_forward(const geom_t *g, work_t *w) {
  const int S = g->S;
  const float om = w->omega, keep = 1.0f - om;
  transpose_taps(g, w->taps, w->tapsT);
  for (int b = 0; b < g->B; b++) {
    const float *restrict zb = w->z + (size_t)b * S;
    float *restrict ob = w->out + (size_t)b * S;
    float *restrict u = w->u;
    preact(g, w, zb, u);
    for (int s = 0; s < S; s++) ob[s] = keep * zb[s] + om * TANH(u[s]);
  }
}

__attribute__((noinline)) static void run_backward(const geom_t *g, work_t *w) {
  const int S = g->S, K = g->K;
  const float om = w->omega, keep = 1.0f - om;
  float lanes[LANES] = {0};
  double domega = 0;
  transpose_taps(g, w->taps, w->tapsT);
  memset(w->dtapsT, 0, sizeof(float) * (size_t)S * K);
  memset(w->dbias, 0, sizeof(float) * (size_t)S);
  for (int b = 0; b < g->B; b++) {
    const float *restrict zb = w->z + (size_t)b * S;
    const float *restrict dyb = w->dy + (size_t)b * S;
    float *restrict dzb = w->dz + (size_t)b * S;
    float *restrict u = w->u;
    float *restrict gr = w->gr;
    float *restrict dbias = w->dbias;
    preact(g, w, zb, u);
    int s = 0;
    for (; s + LANES <= S; s += LANES) {
      for (int l = 0; l < LANES; l++) {
        float a = TANH(u[s + l]);
        float d = dyb[s + l];
        gr[s + l] = om * d * (1.0f - a * a);
        lanes[l] += (a - zb[s + l]) * d;
        dzb[s + l] = keep * d;
      }
    }
    for (; s < S; s++) {
      float a = TANH(u[s]);
      float d = dyb[s];
      gr[s] = om * d * (1.0f - a * a);
      lanes[0] += (a - zb[s]) * d;
      dzb[s] = keep * d;
    }
    for (int k = 0; k < K; k++) {
      scatter_tap(g, g->di[k], g->dj[k], dzb, w->tapsT + (size_t)k * S, gr);
      gather_tap(g, g->di[k], g->dj[k], w->dtapsT + (size_t)k * S, gr, zb);
    }
    for (s = 0; s < S; s++) dbias[s] -= gr[s];
    /* fold the lanes every sample so that float32 partial sums stay short */
    for (int l = 0; l < LANES; l++) {
      domega += lanes[l];
      lanes[l] = 0;
    }
  }
  for (int s = 0; s < S; s++)
    for (int k = 0; k < K; k++) w->dtaps[(size_t)s * K + k] = w->dtapsT[(size_t)k * S + s];
  w->domega = (float)domega;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if (argc != 12) {
    fprintf(stderr, "usage: %s IN OUT fwd|fb B H W NOFF OFFSETS periodic|zero WARMUP REPS\n", argv[0]);
    return 1;
  }
  const char *inPath = argv[1], *outPath = argv[2];
  const int both = strcmp(argv[3], "fb") == 0;
  geom_t g;
  memset(&g, 0, sizeof g);
  g.B = atoi(argv[4]);
  g.H = atoi(argv[5]);
  g.W = atoi(argv[6]);
  g.K = atoi(argv[7]);
  g.S = g.H * g.W;
  g.periodic = strcmp(argv[9], "periodic") == 0;
  const int warmup = atoi(argv[10]), reps = atoi(argv[11]);
  if (g.B < 1 || g.H < 1 || g.W < 1 || g.K < 1 || g.K > MAXK || reps < 1 || warmup < 0) {
    fprintf(stderr, "bad arguments\n");
    return 1;
  }
  {
    const char *p = argv[8];
    for (int k = 0; k < g.K; k++) {
      int n = 0;
      if (sscanf(p, "%d,%d%n", &g.di[k], &g.dj[k], &n) != 2) {
        fprintf(stderr, "bad offsets '%s'\n", argv[8]);
        return 1;
      }
      p += n;
      if (*p == ';') p++;
    }
  }
  const size_t BS = (size_t)g.B * g.S, SK = (size_t)g.S * g.K, S = (size_t)g.S;
  float *z = (float *)xalloc(BS), *taps = (float *)xalloc(SK), *bias = (float *)xalloc(S), *dy = (float *)xalloc(BS), omega = 0;
  FILE *f = fopen(inPath, "rb");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", inPath);
    return 1;
  }
  if (fread(z, sizeof(float), BS, f) != BS || fread(taps, sizeof(float), SK, f) != SK || fread(&omega, sizeof(float), 1, f) != 1 ||
      fread(bias, sizeof(float), S, f) != S || fread(dy, sizeof(float), BS, f) != BS) {
    fprintf(stderr, "short input file %s\n", inPath);
    return 1;
  }
  fclose(f);

  work_t w;
  memset(&w, 0, sizeof w);
  w.z = z;
  w.taps = taps;
  w.bias = bias;
  w.dy = dy;
  w.omega = omega;
  w.out = (float *)xalloc(BS);
  w.dz = (float *)xalloc(BS);
  w.dtaps = (float *)xalloc(SK);
  w.dbias = (float *)xalloc(S);
  w.tapsT = (float *)xalloc(SK);
  w.dtapsT = (float *)xalloc(SK);
  w.u = (float *)xalloc(S);
  w.gr = (float *)xalloc(S);

  double *times = (double *)malloc(sizeof(double) * (size_t)reps);
  for (int r = -warmup; r < reps; r++) {
    double t0 = now_ms();
    run_forward(&g, &w);
    if (both) run_backward(&g, &w);
    double t1 = now_ms();
    if (r >= 0) times[r] = t1 - t0;
  }

  f = fopen(outPath, "wb");
  if (!f) {
    fprintf(stderr, "cannot write %s\n", outPath);
    return 1;
  }
  fwrite(w.out, sizeof(float), BS, f);
  if (both) {
    fwrite(w.dz, sizeof(float), BS, f);
    fwrite(w.dtaps, sizeof(float), SK, f);
    fwrite(&w.domega, sizeof(float), 1, f);
    fwrite(w.dbias, sizeof(float), S, f);
  }
  fclose(f);

  double *sorted = (double *)malloc(sizeof(double) * (size_t)reps);
  memcpy(sorted, times, sizeof(double) * (size_t)reps);
  qsort(sorted, (size_t)reps, sizeof(double), cmp_double);
  double median = reps % 2 ? sorted[reps / 2] : 0.5 * (sorted[reps / 2 - 1] + sorted[reps / 2]);
  printf("{\"pass\":\"%s\",\"reps\":%d,\"warmup\":%d,\"tanh\":\"%s\",\"medianMs\":%.6f,\"minMs\":%.6f,\"maxMs\":%.6f,\"times\":[", both ? "forward+backward" : "forward", reps,
         warmup, TANH_NAME, median, sorted[0], sorted[reps - 1]);
  for (int r = 0; r < reps; r++) printf("%s%.6f", r ? "," : "", times[r]);
  printf("]}\n");
  return 0;
}
