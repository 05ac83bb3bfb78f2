// AArch64 NEON kernels (NEON is part of the base ISA there, so no run-time
// check). Same blocking as avx2.cc with 4-lane vectors; NEON has no masked
// loads, so column edges go through zero-padded packed panels or scalar tails.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "bi/kernels.h"
#include "bi/unroll.h"

#if defined(__aarch64__) || defined(_M_ARM64)
#include <arm_neon.h>

#include "simd_common.h"

namespace bi {
namespace neon {
namespace {

using std::ptrdiff_t;


// ---------------------------------------------------------------- GEMM
// Register block: R (<= 4) rows × NV (<= 4) vectors of 4 columns = up to 16
// of the 32 q registers as accumulators, 4 for B, 4 for A (GCC hoists all A
// loads of a k step, so 6 rows would spill).
constexpr int kMR = 4;
constexpr int kNR = 16;
constexpr int kKC = 256;
constexpr int kMC = 96;

using MicroKernel = void (*)(int K, const float* A, ptrdiff_t lda, const float* B,
                             float* C, ptrdiff_t ldc, int w, bool acc);

// C[R×w] (+)= A[R×K]·Bp[K×4·NV], Bp packed with row stride 4·NV; w valid columns.
// TA: element (r,k) of A is A[k*lda + r] (packed gemm_tn panels) else A[r*lda + k].
template <int R, int NV, bool TA>
void micro(int K, const float* A, ptrdiff_t lda, const float* B, float* C, ptrdiff_t ldc,
           int w, bool acc) {
  float32x4_t c[R][NV];
  BI_UNROLL
  for (int r = 0; r < R; ++r)
    BI_UNROLL
    for (int v = 0; v < NV; ++v) c[r][v] = vdupq_n_f32(0.0f);
  for (int k = 0; k < K; ++k, B += 4 * NV) {
    float32x4_t b[NV];
    BI_UNROLL
    for (int v = 0; v < NV; ++v) b[v] = vld1q_f32(B + 4 * v);
    BI_UNROLL
    for (int r = 0; r < R; ++r) {
      const float32x4_t a = vld1q_dup_f32(TA ? A + k * lda + r : A + r * lda + k);
      BI_UNROLL
      for (int v = 0; v < NV; ++v) c[r][v] = vfmaq_f32(c[r][v], a, b[v]);
    }
  }
  if (w == 4 * NV) {
    BI_UNROLL
    for (int r = 0; r < R; ++r)
      BI_UNROLL
      for (int v = 0; v < NV; ++v) {
        float* p = C + r * ldc + 4 * v;
        vst1q_f32(p, acc ? vaddq_f32(vld1q_f32(p), c[r][v]) : c[r][v]);
      }
    return;
  }
  BI_UNROLL
  for (int r = 0; r < R; ++r) {
    float t[4 * NV];
    BI_UNROLL
    for (int v = 0; v < NV; ++v) vst1q_f32(t + 4 * v, c[r][v]);
    simd::store_columns(C + r * ldc, t, w, acc);
  }
}

template <bool TA, int NV>
MicroKernel pick_rows(int r) {
  switch (r) {
    case 1: return micro<1, NV, TA>;
    case 2: return micro<2, NV, TA>;
    case 3: return micro<3, NV, TA>;
    default: return micro<4, NV, TA>;
  }
}

template <bool TA>
MicroKernel pick(int r, int nv) {
  switch (nv) {
    case 1: return pick_rows<TA, 1>(r);
    case 2: return pick_rows<TA, 2>(r);
    case 3: return pick_rows<TA, 3>(r);
    default: return pick_rows<TA, 4>(r);
  }
}

// B[kc×w] → contiguous kc×(4·nv) panel, columns w.. zero.
void pack_b(int kc, int w, int nv, const float* B, ptrdiff_t ldb, float* out) {
  const int width = 4 * nv;
  for (int k = 0; k < kc; ++k, B += ldb, out += width) {
    if (w == width) {
      for (int v = 0; v < nv; ++v) vst1q_f32(out + 4 * v, vld1q_f32(B + 4 * v));
    } else {
      int j = 0;
      for (; j < w; ++j) out[j] = B[j];
      for (; j < width; ++j) out[j] = 0.0f;
    }
  }
}

// A block of gemm_tn (A(i,k) = A[k*lda + i]) → [i/4][k][4], eight k rows at a
// time so the source is read row by row.
void pack_a_t(int kc, int mc, const float* A, ptrdiff_t lda, float* out) {
  for (int k0 = 0; k0 < kc; k0 += 8) {
    const int kn = std::min(8, kc - k0);
    for (int ib = 0; ib < mc; ib += kMR) {
      const int rn = std::min(kMR, mc - ib);
      float* o = out + ((ptrdiff_t)ib / kMR * kc + k0) * kMR;
      const float* a = A + k0 * lda + ib;
      for (int k = 0; k < kn; ++k, o += kMR)
        for (int r = 0; r < rn; ++r) o[r] = a[k * lda + r];
    }
  }
}

float* scratch_a() {
  static thread_local std::vector<float> buf;
  if (buf.empty()) buf.resize((size_t)kMC * kKC);
  return buf.data();
}

template <bool TA>
void gemm(int M, int N, int K, const float* A, ptrdiff_t lda, const float* B,
          ptrdiff_t ldb, float* C, ptrdiff_t ldc, bool accumulate) {
  if (simd::gemm_empty(M, N, K, C, ldc, accumulate)) return;
  alignas(16) float panel[kKC * kNR];
  float* apack = TA ? scratch_a() : nullptr;
  for (int k0 = 0; k0 < K; k0 += kKC) {
    const int kc = std::min(kKC, K - k0);
    const bool acc = accumulate || k0 > 0;
    const float* Ak = TA ? A + k0 * lda : A + k0;
    for (int i0 = 0; i0 < M; i0 += kMC) {
      const int mc = std::min(kMC, M - i0);
      if (TA) pack_a_t(kc, mc, Ak + i0, lda, apack);
      for (int j = 0; j < N; j += kNR) {
        const int w = std::min(kNR, N - j);
        const int nv = (w + 3) / 4;
        pack_b(kc, w, nv, B + k0 * ldb + j, ldb, panel);
        for (int i = i0; i < i0 + mc; i += kMR) {
          const int r = std::min(kMR, i0 + mc - i);
          if (TA)
            pick<true>(r, nv)(kc, apack + (ptrdiff_t)(i - i0) * kc, kMR, panel, C + i * ldc + j,
                              ldc, w, acc);
          else
            pick<false>(r, nv)(kc, Ak + i * lda, lda, panel, C + i * ldc + j, ldc, w, acc);
        }
      }
    }
  }
}

void gemm_nn(int M, int N, int K, const float* A, int lda, const float* B, int ldb,
             float* C, int ldc, bool accumulate) {
  gemm<false>(M, N, K, A, lda, B, ldb, C, ldc, accumulate);
}

void gemm_tn(int M, int N, int K, const float* A, int lda, const float* B, int ldb,
             float* C, int ldc) {
  gemm<true>(M, N, K, A, lda, B, ldb, C, ldc, true);
}

// ---------------------------------------------------------------- level 1/2
float dot(int n, const float* x, const float* y) {
  float32x4_t s0 = vdupq_n_f32(0.0f), s1 = s0, s2 = s0, s3 = s0;
  int i = 0;
  for (; i + 16 <= n; i += 16) {
    s0 = vfmaq_f32(s0, vld1q_f32(x + i), vld1q_f32(y + i));
    s1 = vfmaq_f32(s1, vld1q_f32(x + i + 4), vld1q_f32(y + i + 4));
    s2 = vfmaq_f32(s2, vld1q_f32(x + i + 8), vld1q_f32(y + i + 8));
    s3 = vfmaq_f32(s3, vld1q_f32(x + i + 12), vld1q_f32(y + i + 12));
  }
  for (; i + 4 <= n; i += 4) s0 = vfmaq_f32(s0, vld1q_f32(x + i), vld1q_f32(y + i));
  float s = vaddvq_f32(vaddq_f32(vaddq_f32(s0, s1), vaddq_f32(s2, s3)));
  for (; i < n; ++i) s += x[i] * y[i];
  return s;
}

void gemv_n(int M, int N, const float* A, int lda, const float* x, float* y,
            bool accumulate) {
  const int n4 = N & ~3;
  int i = 0;
  // Four rows at a time, two accumulators each: eight independent FMA chains.
  for (; i + 4 <= M; i += 4) {
    const float* a = A + (ptrdiff_t)i * lda;
    float32x4_t s[2][4];
    BI_UNROLL
    for (int t = 0; t < 2; ++t)
      BI_UNROLL
      for (int r = 0; r < 4; ++r) s[t][r] = vdupq_n_f32(0.0f);
    int j = 0;
    for (; j + 8 <= n4; j += 8) {
      const float32x4_t x0 = vld1q_f32(x + j), x1 = vld1q_f32(x + j + 4);
      BI_UNROLL
      for (int r = 0; r < 4; ++r) {
        s[0][r] = vfmaq_f32(s[0][r], vld1q_f32(a + r * (ptrdiff_t)lda + j), x0);
        s[1][r] = vfmaq_f32(s[1][r], vld1q_f32(a + r * (ptrdiff_t)lda + j + 4), x1);
      }
    }
    if (j < n4) {
      const float32x4_t x0 = vld1q_f32(x + j);
      BI_UNROLL
      for (int r = 0; r < 4; ++r)
        s[0][r] = vfmaq_f32(s[0][r], vld1q_f32(a + r * (ptrdiff_t)lda + j), x0);
    }
    BI_UNROLL
    for (int r = 0; r < 4; ++r) {
      float v = vaddvq_f32(vaddq_f32(s[0][r], s[1][r]));
      for (int jj = n4; jj < N; ++jj) v += a[r * (ptrdiff_t)lda + jj] * x[jj];
      y[i + r] = accumulate ? y[i + r] + v : v;
    }
  }
  simd::gemv_rows_by_dot(i, M, N, A, lda, x, y, accumulate, dot);
}

// y[4·NV] (+)= A[M×4·NV]ᵀ x with even/odd rows in separate accumulators.
template <int NV>
void gemv_t_block(int M, const float* A, ptrdiff_t lda, const float* x, float* y,
                  bool accumulate) {
  float32x4_t s[2][NV];
  BI_UNROLL
  for (int t = 0; t < 2; ++t)
    BI_UNROLL
    for (int v = 0; v < NV; ++v) s[t][v] = vdupq_n_f32(0.0f);
  int i = 0;
  for (; i + 2 <= M; i += 2)
    BI_UNROLL
    for (int t = 0; t < 2; ++t) {
      const float* a = A + (i + t) * lda;
      const float32x4_t xv = vdupq_n_f32(x[i + t]);
      BI_UNROLL
      for (int v = 0; v < NV; ++v) s[t][v] = vfmaq_f32(s[t][v], vld1q_f32(a + 4 * v), xv);
    }
  if (i < M) {
    const float32x4_t xv = vdupq_n_f32(x[i]);
    BI_UNROLL
    for (int v = 0; v < NV; ++v) s[0][v] = vfmaq_f32(s[0][v], vld1q_f32(A + i * lda + 4 * v), xv);
  }
  BI_UNROLL
  for (int v = 0; v < NV; ++v) {
    float32x4_t r = vaddq_f32(s[0][v], s[1][v]);
    if (accumulate) r = vaddq_f32(vld1q_f32(y + 4 * v), r);
    vst1q_f32(y + 4 * v, r);
  }
}

void gemv_t(int M, int N, const float* A, int lda, const float* x, float* y,
            bool accumulate) {
  int j = 0;
  for (; j + 32 <= N; j += 32) gemv_t_block<8>(M, A + j, lda, x, y + j, accumulate);
  for (; j + 4 <= N; j += 4) gemv_t_block<1>(M, A + j, lda, x, y + j, accumulate);
  for (; j < N; ++j) {
    float v = 0.0f;
    for (int i = 0; i < M; ++i) v += A[(ptrdiff_t)i * lda + j] * x[i];
    y[j] = accumulate ? y[j] + v : v;
  }
}

void axpy(int n, float a, const float* x, float* y) {
  const float32x4_t av = vdupq_n_f32(a);
  int i = 0;
  for (; i + 16 <= n; i += 16)
    for (int v = 0; v < 16; v += 4)
      vst1q_f32(y + i + v, vfmaq_f32(vld1q_f32(y + i + v), av, vld1q_f32(x + i + v)));
  for (; i + 4 <= n; i += 4) vst1q_f32(y + i, vfmaq_f32(vld1q_f32(y + i), av, vld1q_f32(x + i)));
  for (; i < n; ++i) y[i] += a * x[i];
}

void ger(int M, int N, float alpha, const float* x, const float* y, float* A, int lda) {
  simd::ger_by_rows(M, N, alpha, x, y, A, lda, axpy);
}

// ---------------------------------------------------------------- exp, tanh
// Same approximation as avx2.cc: e^x = 2^n·e^r, Cephes expf polynomial,
// inputs below -87.33 give exactly 0.
inline float32x4_t exp_ps(float32x4_t x) {
  const float32x4_t lo = vdupq_n_f32(-87.33654f);
  const uint32x4_t under = vcltq_f32(x, lo);
  x = vminq_f32(vmaxq_f32(x, lo), vdupq_n_f32(88.0f));
  const float32x4_t n = vrndnq_f32(vmulq_f32(x, vdupq_n_f32(1.44269504088896341f)));
  float32x4_t r = vfmsq_f32(x, n, vdupq_n_f32(0.693359375f));
  r = vfmsq_f32(r, n, vdupq_n_f32(-2.12194440e-4f));
  float32x4_t p = vdupq_n_f32(1.9875691500e-4f);
  p = vfmaq_f32(vdupq_n_f32(1.3981999507e-3f), p, r);
  p = vfmaq_f32(vdupq_n_f32(8.3334519073e-3f), p, r);
  p = vfmaq_f32(vdupq_n_f32(4.1665795894e-2f), p, r);
  p = vfmaq_f32(vdupq_n_f32(1.6666665459e-1f), p, r);
  p = vfmaq_f32(vdupq_n_f32(5.0000001201e-1f), p, r);
  p = vfmaq_f32(vaddq_f32(r, vdupq_n_f32(1.0f)), p, vmulq_f32(r, r));
  const int32x4_t e = vshlq_n_s32(vaddq_s32(vcvtq_s32_f32(n), vdupq_n_s32(127)), 23);
  const float32x4_t y = vmulq_f32(p, vreinterpretq_f32_s32(e));
  return vreinterpretq_f32_u32(vbicq_u32(vreinterpretq_u32_f32(y), under));
}

inline float32x4_t tanh_ps(float32x4_t x) {
  const float32x4_t ax = vabsq_f32(x);
  const float32x4_t z = vmulq_f32(ax, ax);
  float32x4_t p = vdupq_n_f32(-5.70498872745e-3f);
  p = vfmaq_f32(vdupq_n_f32(2.06390887954e-2f), p, z);
  p = vfmaq_f32(vdupq_n_f32(-5.37397155531e-2f), p, z);
  p = vfmaq_f32(vdupq_n_f32(1.33314422036e-1f), p, z);
  p = vfmaq_f32(vdupq_n_f32(-3.33332819422e-1f), p, z);
  const float32x4_t small = vfmaq_f32(ax, vmulq_f32(p, z), ax);
  const float32x4_t one = vdupq_n_f32(1.0f);
  const float32x4_t e = exp_ps(vmulq_f32(ax, vdupq_n_f32(-2.0f)));
  const float32x4_t large = vdivq_f32(vsubq_f32(one, e), vaddq_f32(one, e));
  float32x4_t t = vbslq_f32(vcltq_f32(ax, vdupq_n_f32(0.625f)), small, large);
  t = vbslq_f32(vdupq_n_u32(0x80000000u), x, t);  // sign of x
  return vbslq_f32(vceqq_f32(x, x), t, x);         // NaN stays NaN
}

void tanh_(int n, const float* x, float* y) {
  int i = 0;
  for (; i + 4 <= n; i += 4) vst1q_f32(y + i, tanh_ps(vld1q_f32(x + i)));
  if (i < n) {
    float t[4] = {0, 0, 0, 0};
    for (int j = 0; j < n - i; ++j) t[j] = x[i + j];
    vst1q_f32(t, tanh_ps(vld1q_f32(t)));
    for (int j = 0; j < n - i; ++j) y[i + j] = t[j];
  }
}

float logsoftmax_xent(int n, const float* logits, int target, float* dlogits, float scale) {
  const float lt = logits[target];  // before dlogits (may alias) is written
  float32x4_t mv = vdupq_n_f32(-INFINITY);
  int i = 0;
  for (; i + 4 <= n; i += 4) mv = vmaxq_f32(mv, vld1q_f32(logits + i));
  float mx = vmaxvq_f32(mv);
  for (; i < n; ++i) mx = std::max(mx, logits[i]);
  const float32x4_t mxv = vdupq_n_f32(mx);
  float32x4_t s0 = vdupq_n_f32(0.0f), s1 = s0;
  for (i = 0; i + 8 <= n; i += 8) {
    const float32x4_t e0 = exp_ps(vsubq_f32(vld1q_f32(logits + i), mxv));
    const float32x4_t e1 = exp_ps(vsubq_f32(vld1q_f32(logits + i + 4), mxv));
    if (dlogits) {
      vst1q_f32(dlogits + i, e0);
      vst1q_f32(dlogits + i + 4, e1);
    }
    s0 = vaddq_f32(s0, e0);
    s1 = vaddq_f32(s1, e1);
  }
  if (i < n) {  // tail through a buffer padded with -inf (exp gives 0)
    float t[8];
    for (int j = 0; j < 8; ++j) t[j] = i + j < n ? logits[i + j] : -INFINITY;
    const float32x4_t e0 = exp_ps(vsubq_f32(vld1q_f32(t), mxv));
    const float32x4_t e1 = exp_ps(vsubq_f32(vld1q_f32(t + 4), mxv));
    s0 = vaddq_f32(s0, e0);
    s1 = vaddq_f32(s1, e1);
    if (dlogits) {
      vst1q_f32(t, e0);
      vst1q_f32(t + 4, e1);
      for (int j = 0; i + j < n; ++j) dlogits[i + j] = t[j];
    }
  }
  const float sum = vaddvq_f32(vaddq_f32(s0, s1));
  const double lse = (double)mx + std::log((double)sum);  // sum >= 1
  if (dlogits) {
    const float inv = scale / sum;
    const float32x4_t iv = vdupq_n_f32(inv);
    for (i = 0; i + 4 <= n; i += 4) vst1q_f32(dlogits + i, vmulq_f32(vld1q_f32(dlogits + i), iv));
    for (; i < n; ++i) dlogits[i] *= inv;
    dlogits[target] -= scale;
  }
  return (float)(lse - (double)lt);
}

// ---------------------------------------------------------------- Adam
struct AdamVec {
  float32x4_t gscale, b1, b2, ob1, ob2, c1, c2, lr, eps;
};

// Four parameters of Adam, the scalar table's operations in its order; returns the
// lanes whose new p is ±Inf or NaN (all exponent bits set).
inline uint32x4_t adam4(const AdamVec& a, float* p, float* m, float* v, const float* g) {
  const float32x4_t gi = vmulq_f32(a.gscale, vld1q_f32(g));
  const float32x4_t mn = vaddq_f32(vmulq_f32(a.b1, vld1q_f32(m)), vmulq_f32(a.ob1, gi));
  const float32x4_t vn = vaddq_f32(vmulq_f32(a.b2, vld1q_f32(v)), vmulq_f32(vmulq_f32(a.ob2, gi), gi));
  const float32x4_t num = vmulq_f32(a.lr, vmulq_f32(mn, a.c1));
  const float32x4_t den = vaddq_f32(vsqrtq_f32(vmulq_f32(vn, a.c2)), a.eps);
  const float32x4_t pn = vsubq_f32(vld1q_f32(p), vdivq_f32(num, den));
  vst1q_f32(m, mn);
  vst1q_f32(v, vn);
  vst1q_f32(p, pn);
  const uint32x4_t expo = vdupq_n_u32(0x7f800000u);
  return vceqq_u32(vandq_u32(vreinterpretq_u32_f32(pn), expo), expo);
}

bool adam(int n, float* p, float* m, float* v, const float* g, const AdamStep& s) {
  const AdamVec a = {vdupq_n_f32(s.gscale), vdupq_n_f32(s.b1), vdupq_n_f32(s.b2),
                     vdupq_n_f32(1.0f - s.b1), vdupq_n_f32(1.0f - s.b2), vdupq_n_f32(s.c1),
                     vdupq_n_f32(s.c2), vdupq_n_f32(s.lr), vdupq_n_f32(s.eps)};
  uint32x4_t bad = vdupq_n_u32(0);
  int i = 0;
  for (; i + 4 <= n; i += 4) bad = vorrq_u32(bad, adam4(a, p + i, m + i, v + i, g + i));
  if (i < n)
    bad = vorrq_u32(bad, simd::adam_tail<4>(n - i, p + i, m + i, v + i, g + i,
                                            [&](float* tp, float* tm, float* tv, const float* tg) { return adam4(a, tp, tm, tv, tg); }));
  return vmaxvq_u32(bad) == 0;
}

// ---------------------------------------------------------------- transpose
// One 4×4 block: trn pairs of rows, then combine the low and high halves.
inline void transpose4x4(const float* s, ptrdiff_t lds, float* d, ptrdiff_t ldd) {
  const float32x4x2_t p01 = vtrnq_f32(vld1q_f32(s), vld1q_f32(s + lds));
  const float32x4x2_t p23 = vtrnq_f32(vld1q_f32(s + 2 * lds), vld1q_f32(s + 3 * lds));
  vst1q_f32(d, vcombine_f32(vget_low_f32(p01.val[0]), vget_low_f32(p23.val[0])));
  vst1q_f32(d + ldd, vcombine_f32(vget_low_f32(p01.val[1]), vget_low_f32(p23.val[1])));
  vst1q_f32(d + 2 * ldd, vcombine_f32(vget_high_f32(p01.val[0]), vget_high_f32(p23.val[0])));
  vst1q_f32(d + 3 * ldd, vcombine_f32(vget_high_f32(p01.val[1]), vget_high_f32(p23.val[1])));
}

void transpose(int rows, int cols, const float* src, int lds, float* dst, int ldd) {
  simd::transpose_tiled<4>(rows, cols, src, lds, dst, ldd, transpose4x4);
}

// ---------------------------------------------------------------- tanh'
void tanh_grad(int n, const float* dh, const float* dnext, const float* h, float* dz) {
  const float32x4_t one = vdupq_n_f32(1.0f);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    float32x4_t d = vld1q_f32(dh + i);
    if (dnext) d = vaddq_f32(d, vld1q_f32(dnext + i));
    const float32x4_t hv = vld1q_f32(h + i);
    vst1q_f32(dz + i, vmulq_f32(d, vsubq_f32(one, vmulq_f32(hv, hv))));
  }
  for (; i < n; ++i) {
    const float d = dnext ? dh[i] + dnext[i] : dh[i];
    const float hh = h[i] * h[i];
    dz[i] = d * (1.0f - hh);
  }
}

// ---------------------------------------------------------------- Σ x²
// Lanes 2v, 2v+1 of the 32 in acc[v].
double sum_squares(int n, const float* x) {
  float64x2_t acc[16];
  for (int v = 0; v < 16; ++v) acc[v] = vdupq_n_f64(0.0);
  int i = 0;
  for (; i + 32 <= n; i += 32) {
    for (int q = 0; q < 8; ++q) {
      const float32x4_t f = vld1q_f32(x + i + 4 * q);
      const float64x2_t a = vcvt_f64_f32(vget_low_f32(f)), b = vcvt_high_f64_f32(f);
      acc[2 * q] = vaddq_f64(acc[2 * q], vmulq_f64(a, a));
      acc[2 * q + 1] = vaddq_f64(acc[2 * q + 1], vmulq_f64(b, b));
    }
  }
  double lanes[32];
  for (int v = 0; v < 16; ++v) vst1q_f64(lanes + 2 * v, acc[v]);
  return simd::sum_squares_finish(lanes, i, n, x);
}

// ---------------------------------------------------------------- sign vectors and margins
// 1[x ≥ 0] of eight lanes as one byte: compare (all-ones lanes), narrow 32 → 16 → 8 bits, keep
// bit l in lane l and add the lanes.
inline uint8_t ge0_byte(const float* x) {
  const uint16x8_t m16 = vcombine_u16(vmovn_u32(vcgezq_f32(vld1q_f32(x))), vmovn_u32(vcgezq_f32(vld1q_f32(x + 4))));
  static const uint8_t kBit[8] = {1, 2, 4, 8, 16, 32, 64, 128};
  return vaddv_u8(vand_u8(vmovn_u16(m16), vld1_u8(kBit)));
}

void sign_bits(int n, const float* x, uint8_t* out) {
  int i = 0;
  for (; i + 8 <= n; i += 8) out[i / 8] = ge0_byte(x + i);
  if (i < n) sign_byte(i, n, x, out);
}

void margin_scan(int n, const float* z, float* a, uint64_t* hist, MarginSums* acc) {
  const float32x4_t one = vdupq_n_f32(1.0f), tenth = vdupq_n_f32(0.1f);
  const int32x4_t lo = vdupq_n_s32(95 * 64 - 1), zero = vdupq_n_s32(0), top = vdupq_n_s32(kMarginFineBins - 1);
  float32x4_t lanes0 = vdupq_n_f32(0.0f), lanes1 = vdupq_n_f32(0.0f);  // lanes 0–3 and 4–7
  uint32x4_t b1 = vdupq_n_u32(0), b01 = vdupq_n_u32(0);  // per-lane counts: a hit's mask is −1, subtracted
  int32_t bin[8];
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    const float32x4_t v0 = vabsq_f32(vld1q_f32(z + i)), v1 = vabsq_f32(vld1q_f32(z + i + 4));
    if (a) { vst1q_f32(a + i, v0); vst1q_f32(a + i + 4, v1); }
    lanes0 = vaddq_f32(lanes0, v0);
    lanes1 = vaddq_f32(lanes1, v1);
    b1 = vsubq_u32(b1, vaddq_u32(vcltq_f32(v0, one), vcltq_f32(v1, one)));  // all-ones lanes are −1
    b01 = vsubq_u32(b01, vaddq_u32(vcltq_f32(v0, tenth), vcltq_f32(v1, tenth)));
    // margin_bin on four lanes: (bits >> 17) − (95·64 − 1), clamped to the bins.
    const int32x4_t e0 = vsubq_s32(vreinterpretq_s32_u32(vshrq_n_u32(vreinterpretq_u32_f32(v0), 17)), lo);
    const int32x4_t e1 = vsubq_s32(vreinterpretq_s32_u32(vshrq_n_u32(vreinterpretq_u32_f32(v1), 17)), lo);
    vst1q_s32(bin, vminq_s32(vmaxq_s32(e0, zero), top));
    vst1q_s32(bin + 4, vminq_s32(vmaxq_s32(e1, zero), top));
    for (int l = 0; l < 8; ++l) ++hist[bin[l]];
  }
  float lane[8];
  vst1q_f32(lane, lanes0);
  vst1q_f32(lane + 4, lanes1);
  uint64_t below_1 = vaddvq_u32(b1), below_01 = vaddvq_u32(b01);
  margin_scan_finish(i, n, z, a, hist, lane, below_1, below_01, acc);
}

}  // namespace
}  // namespace neon

const Kernels* neon_kernels() {
  static const Kernels table = BI_KERNEL_TABLE(neon);
  return &table;
}

}  // namespace bi

#else  // not aarch64

namespace bi {
const Kernels* neon_kernels() { return nullptr; }
}  // namespace bi

#endif
