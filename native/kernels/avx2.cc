// AVX2+FMA kernels. Built with the project's default flags: everything that
// uses AVX2 sits in a target region inside bi::avx2, so no AVX2 code can leak
// into inline functions shared with other translation units; dispatch.cc only
// hands this table out after CPUID/XGETBV say the CPU and OS can run it.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "bi/kernels.h"
#include "bi/unroll.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

#include "bi/target_avx2.h"
BI_TARGET_AVX2_BEGIN

#include "simd_common.h"  // inside the target region: its copy is compiled for AVX2

namespace bi {
namespace avx2 {
namespace {

using std::ptrdiff_t;


// Lanes 0..r-1 set (r clamped to 0..8 by the comparison).
inline __m256i tail_mask(int r) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(r), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

inline float hmax(__m256 v) {
  __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_max_ps(s, _mm_movehl_ps(s, s));
  s = _mm_max_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// ---------------------------------------------------------------- GEMM
// Register block: R (<= 6) rows × NV (<= 2) vectors of 8 columns = up to 12
// ymm accumulators; per k: NV loads of B, R broadcasts of A, R·NV FMAs.
constexpr int kMR = 6;
constexpr int kNR = 16;
constexpr int kKC = 256;  // K block: a packed 256×16 B panel is 16 KB (L1)
constexpr int kMC = 192;  // M block (gemm_nn): 192×256 of A is 192 KB (L2)
constexpr int kMCT = 96;  // M block (gemm_tn): packed 16 panels × 256 × 8 = 128 KB

using MicroKernel = void (*)(int K, const float* A, ptrdiff_t lda, const float* B,
                             ptrdiff_t ldb, __m256i bmask, float* C, ptrdiff_t ldc,
                             int w, bool acc);

// C[R×w] (+)= A[R×K]·B[K×w] with w <= 8·NV valid columns.
// TA: element (r,k) of A is A[k*lda + r] (gemm_tn) rather than A[r*lda + k].
// MASKB: the last vector of each B row is loaded through bmask (unpacked edge).
template <int R, int NV, bool TA, bool MASKB>
void micro(int K, const float* A, ptrdiff_t lda, const float* B, ptrdiff_t ldb,
           __m256i bmask, float* C, ptrdiff_t ldc, int w, bool acc) {
  __m256 c[R][NV];
  BI_UNROLL
  for (int r = 0; r < R; ++r)
    BI_UNROLL
    for (int v = 0; v < NV; ++v) c[r][v] = _mm256_setzero_ps();
  const float* ap[R];
  BI_UNROLL
  for (int r = 0; r < R; ++r) ap[r] = TA ? A + r : A + r * lda;
  for (int k = 0; k < K; ++k) {
    __m256 b[NV];
    BI_UNROLL
    for (int v = 0; v < NV; ++v)
      b[v] = (MASKB && v == NV - 1) ? _mm256_maskload_ps(B + 8 * v, bmask)
                                     : _mm256_loadu_ps(B + 8 * v);
    B += ldb;
    BI_UNROLL
    for (int r = 0; r < R; ++r) {
      const __m256 a = _mm256_broadcast_ss(TA ? ap[0] + r : ap[r] + k);
      BI_UNROLL
      for (int v = 0; v < NV; ++v) c[r][v] = _mm256_fmadd_ps(a, b[v], c[r][v]);
    }
    if (TA) ap[0] += lda;
  }
  if (w == 8 * NV) {
    BI_UNROLL
    for (int r = 0; r < R; ++r)
      BI_UNROLL
      for (int v = 0; v < NV; ++v) {
        float* p = C + r * ldc + 8 * v;
        _mm256_storeu_ps(p, acc ? _mm256_add_ps(_mm256_loadu_ps(p), c[r][v]) : c[r][v]);
      }
    return;
  }
  // Column edge: spill the block and copy the valid part.
  BI_UNROLL
  for (int r = 0; r < R; ++r) {
    alignas(32) float t[8 * NV];
    BI_UNROLL
    for (int v = 0; v < NV; ++v) _mm256_store_ps(t + 8 * v, c[r][v]);
    simd::store_columns(C + r * ldc, t, w, acc);
  }
}

template <bool TA, bool MASKB, int NV>
MicroKernel pick_rows(int r) {
  switch (r) {
    case 1: return micro<1, NV, TA, MASKB>;
    case 2: return micro<2, NV, TA, MASKB>;
    case 3: return micro<3, NV, TA, MASKB>;
    case 4: return micro<4, NV, TA, MASKB>;
    case 5: return micro<5, NV, TA, MASKB>;
    default: return micro<6, NV, TA, MASKB>;
  }
}

template <bool TA, bool MASKB>
MicroKernel pick(int r, int nv) {
  return nv == 1 ? pick_rows<TA, MASKB, 1>(r) : pick_rows<TA, MASKB, 2>(r);
}

// Copies B[kc×w] into a contiguous kc×(8·nv) panel, zero-padding columns w..:
// unit-stride rows avoid L1 set conflicts of a 512/1024-byte ldb, and padding
// removes masked loads from the inner loop.
void pack_b(int kc, int w, int nv, const float* B, ptrdiff_t ldb, float* out) {
  const int width = 8 * nv;
  if (w == width) {
    for (int k = 0; k < kc; ++k, B += ldb, out += width)
      for (int v = 0; v < nv; ++v) _mm256_store_ps(out + 8 * v, _mm256_loadu_ps(B + 8 * v));
    return;
  }
  const __m256i m0 = tail_mask(w), m1 = tail_mask(w - 8);
  for (int k = 0; k < kc; ++k, B += ldb, out += width) {
    _mm256_store_ps(out, _mm256_maskload_ps(B, m0));
    if (nv == 2) _mm256_store_ps(out + 8, _mm256_maskload_ps(B + 8, m1));
  }
}

// gemm_tn reads A(i,k) = A[k*lda + i]: six floats per k from a different row,
// and with lda = 128/256 those rows fall in a handful of L1 sets. Packing the
// A block as [i/6][k][8] (6 used) makes the micro-kernel's reads contiguous.
void pack_a_t(int kc, int mc, const float* A, ptrdiff_t lda, float* out) {
  // Eight rows of A at a time stay in L1 while every micro-panel takes its
  // 8×8 slice, so the source is read once, row by row.
  for (int k0 = 0; k0 < kc; k0 += 8) {
    const int kn = std::min(8, kc - k0);
    for (int ib = 0; ib < mc; ib += kMR) {
      float* o = out + ((ptrdiff_t)ib / kMR * kc + k0) * 8;
      const float* a = A + k0 * lda + ib;
      if (ib + 8 <= mc) {  // the 2 extra floats are still inside the row
        for (int k = 0; k < kn; ++k) _mm256_store_ps(o + 8 * k, _mm256_loadu_ps(a + k * lda));
      } else {
        const __m256i m = tail_mask(mc - ib);  // never read past column mc
        for (int k = 0; k < kn; ++k)
          _mm256_store_ps(o + 8 * k, _mm256_maskload_ps(a + k * lda, m));
      }
    }
  }
}

// Per-thread scratch for packed A blocks (allocated once, 32-byte aligned).
float* scratch_a() {
  static thread_local std::vector<float> buf;
  if (buf.empty()) buf.resize((size_t)(kMCT / kMR) * kKC * 8 + 8);
  const std::uintptr_t p = reinterpret_cast<std::uintptr_t>(buf.data());
  return reinterpret_cast<float*>((p + 31) & ~std::uintptr_t(31));
}

// Per-thread scratch for the packed B panels of one K block (kc × N rounded up to 16),
// grown on demand and kept, 32-byte aligned.
float* scratch_b(size_t floats) {
  static thread_local std::vector<float> buf;
  if (buf.size() < floats + 8) buf.resize(floats + 8);
  const std::uintptr_t p = reinterpret_cast<std::uintptr_t>(buf.data());
  return reinterpret_cast<float*>((p + 31) & ~std::uintptr_t(31));
}

template <bool TA>
void gemm(int M, int N, int K, const float* A, ptrdiff_t lda, const float* B,
          ptrdiff_t ldb, float* C, ptrdiff_t ldc, bool accumulate) {
  if (simd::gemm_empty(M, N, K, C, ldc, accumulate)) return;
  // Packing B costs about one row block's worth of loads, so it only pays when
  // the panel is reused by several row blocks and its rows would fall into a few L1
  // sets (a stride of whole 64-byte lines); with another stride (callers pad ldb to
  // H + 8) the unpacked rows spread over the sets and stay in L1. All panels of a K
  // block are packed once and shared by every row block (panel j/16 at (j/16)·kc·16).
  const bool pack = M > kMR && ldb % 16 == 0;
  const int mcmax = TA ? kMCT : kMC;
  float* apack = TA ? scratch_a() : nullptr;
  float* bpack = pack ? scratch_b((size_t)std::min(kKC, K) * ((N + kNR - 1) / kNR) * kNR) : nullptr;
  for (int k0 = 0; k0 < K; k0 += kKC) {
    const int kc = std::min(kKC, K - k0);
    const bool acc = accumulate || k0 > 0;
    const float* Ak = TA ? A + k0 * lda : A + k0;
    const float* Bk = B + k0 * ldb;
    if (pack)
      for (int j = 0; j < N; j += kNR) {
        const int w = std::min(kNR, N - j);
        pack_b(kc, w, (w + 7) / 8, Bk + j, ldb, bpack + (ptrdiff_t)(j / kNR) * kc * kNR);
      }
    for (int i0 = 0; i0 < M; i0 += mcmax) {
      const int mc = std::min(mcmax, M - i0);
      if (TA) pack_a_t(kc, mc, Ak + i0, lda, apack);
      for (int j = 0; j < N; j += kNR) {
        const int w = std::min(kNR, N - j);
        const int nv = (w + 7) / 8;
        const float* bp = Bk + j;
        ptrdiff_t bld = ldb;
        bool masked = (w & 7) != 0;
        if (pack) {
          bp = bpack + (ptrdiff_t)(j / kNR) * kc * kNR;
          bld = 8 * nv;
          masked = false;
        }
        const __m256i bmask = tail_mask(w - 8 * (nv - 1));
        const MicroKernel full = masked ? pick<TA, true>(kMR, nv) : pick<TA, false>(kMR, nv);
        for (int i = i0; i < i0 + mc; i += kMR) {
          const int r = std::min(kMR, i0 + mc - i);
          const MicroKernel uk =
              r == kMR ? full : (masked ? pick<TA, true>(r, nv) : pick<TA, false>(r, nv));
          if (TA)
            uk(kc, apack + (ptrdiff_t)(i - i0) / kMR * kc * 8, 8, bp, bld, bmask,
               C + i * ldc + j, ldc, w, acc);
          else
            uk(kc, Ak + i * lda, lda, bp, bld, bmask, C + i * ldc + j, ldc, w, acc);
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
  // Four accumulators: two loads per FMA make this load-bound, not latency-bound.
  __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
  int i = 0;
  for (; i + 32 <= n; i += 32) {
    s0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), s0);
    s1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8), _mm256_loadu_ps(y + i + 8), s1);
    s2 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 16), _mm256_loadu_ps(y + i + 16), s2);
    s3 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 24), _mm256_loadu_ps(y + i + 24), s3);
  }
  for (; i + 8 <= n; i += 8)
    s0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), s0);
  if (i < n) {
    const __m256i m = tail_mask(n - i);
    s1 = _mm256_fmadd_ps(_mm256_maskload_ps(x + i, m), _mm256_maskload_ps(y + i, m), s1);
  }
  return hsum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
}

// Eight row sums → one vector [Σs0 .. Σs7].
inline __m256 reduce8(const __m256 s[8]) {
  const __m256 t01 = _mm256_hadd_ps(s[0], s[1]), t23 = _mm256_hadd_ps(s[2], s[3]);
  const __m256 t45 = _mm256_hadd_ps(s[4], s[5]), t67 = _mm256_hadd_ps(s[6], s[7]);
  const __m256 q0 = _mm256_hadd_ps(t01, t23), q1 = _mm256_hadd_ps(t45, t67);
  // q0 = [rows 0-3 low half | rows 0-3 high half], q1 likewise for rows 4-7.
  return _mm256_add_ps(_mm256_permute2f128_ps(q0, q1, 0x20),
                       _mm256_permute2f128_ps(q0, q1, 0x31));
}

void gemv_n(int M, int N, const float* A, int lda, const float* x, float* y,
            bool accumulate) {
  const int n8 = N & ~7;
  const __m256i m = tail_mask(N - n8);
  int i = 0;
  // Eight rows at a time: eight independent FMA chains, x loaded once per 8 FMAs.
  for (; i + 8 <= M; i += 8) {
    const float* a = A + (ptrdiff_t)i * lda;
    __m256 s[8];
    BI_UNROLL
    for (int r = 0; r < 8; ++r) s[r] = _mm256_setzero_ps();
    for (int j = 0; j < n8; j += 8) {
      const __m256 xv = _mm256_loadu_ps(x + j);
      BI_UNROLL
      for (int r = 0; r < 8; ++r)
        s[r] = _mm256_fmadd_ps(_mm256_loadu_ps(a + r * (ptrdiff_t)lda + j), xv, s[r]);
    }
    if (n8 < N) {
      const __m256 xv = _mm256_maskload_ps(x + n8, m);
      BI_UNROLL
      for (int r = 0; r < 8; ++r)
        s[r] = _mm256_fmadd_ps(_mm256_maskload_ps(a + r * (ptrdiff_t)lda + n8, m), xv, s[r]);
    }
    __m256 out = reduce8(s);
    if (accumulate) out = _mm256_add_ps(_mm256_loadu_ps(y + i), out);
    _mm256_storeu_ps(y + i, out);
  }
  simd::gemv_rows_by_dot(i, M, N, A, lda, x, y, accumulate, dot);
}

// Vector v of p[0..8·NV), through mask m when it is the last and MASK is set.
template <int NV, bool MASK>
inline __m256 load_v(const float* p, int v, __m256i m) {
  return (MASK && v == NV - 1) ? _mm256_maskload_ps(p + 8 * v, m) : _mm256_loadu_ps(p + 8 * v);
}

// y[8·NV] (+)= A[M×8·NV]ᵀ x, last vector masked when MASK. With few vectors,
// even and odd rows go to separate accumulators to cover the FMA latency.
template <int NV, bool MASK>
void gemv_t_block(int M, const float* A, ptrdiff_t lda, const float* x, float* y,
                  __m256i m, bool accumulate) {
  constexpr int S = NV <= 4 ? 2 : 1;
  __m256 s[S][NV];
  BI_UNROLL
  for (int t = 0; t < S; ++t)
    BI_UNROLL
    for (int v = 0; v < NV; ++v) s[t][v] = _mm256_setzero_ps();
  int i = 0;
  for (; i + S <= M; i += S)
    BI_UNROLL
    for (int t = 0; t < S; ++t) {
      const __m256 xv = _mm256_broadcast_ss(x + i + t);
      const float* a = A + (i + t) * lda;
      BI_UNROLL
      for (int v = 0; v < NV; ++v) s[t][v] = _mm256_fmadd_ps(load_v<NV, MASK>(a, v, m), xv, s[t][v]);
    }
  for (; i < M; ++i) {
    const __m256 xv = _mm256_broadcast_ss(x + i);
    BI_UNROLL
    for (int v = 0; v < NV; ++v) s[0][v] = _mm256_fmadd_ps(load_v<NV, MASK>(A + i * lda, v, m), xv, s[0][v]);
  }
  BI_UNROLL
  for (int v = 0; v < NV; ++v) {
    __m256 r = s[0][v];
    if (S == 2) r = _mm256_add_ps(r, s[S - 1][v]);
    if (accumulate) r = _mm256_add_ps(load_v<NV, MASK>(y, v, m), r);
    if (MASK && v == NV - 1)
      _mm256_maskstore_ps(y + 8 * v, m, r);
    else
      _mm256_storeu_ps(y + 8 * v, r);
  }
}

using GemvTBlock = void (*)(int, const float*, ptrdiff_t, const float*, float*, __m256i, bool);

template <bool MASK>
GemvTBlock pick_t(int nv) {
  switch (nv) {
    case 1: return gemv_t_block<1, MASK>;
    case 2: return gemv_t_block<2, MASK>;
    case 3: return gemv_t_block<3, MASK>;
    case 4: return gemv_t_block<4, MASK>;
    case 5: return gemv_t_block<5, MASK>;
    case 6: return gemv_t_block<6, MASK>;
    case 7: return gemv_t_block<7, MASK>;
    default: return gemv_t_block<8, MASK>;
  }
}

void gemv_t(int M, int N, const float* A, int lda, const float* x, float* y,
            bool accumulate) {
  // Axpy form over 64-column strips: 8 accumulators live in registers while A
  // streams row by row.
  int j = 0;
  for (; j + 64 <= N; j += 64) gemv_t_block<8, false>(M, A + j, lda, x, y + j, tail_mask(8), accumulate);
  if (j < N) {
    const int w = N - j, nv = (w + 7) / 8;
    const __m256i m = tail_mask(w - 8 * (nv - 1));
    ((w & 7) ? pick_t<true>(nv) : pick_t<false>(nv))(M, A + j, lda, x, y + j, m, accumulate);
  }
}

void axpy(int n, float a, const float* x, float* y) {
  const __m256 av = _mm256_set1_ps(a);
  int i = 0;
  for (; i + 32 <= n; i += 32)
    for (int v = 0; v < 32; v += 8)
      _mm256_storeu_ps(y + i + v, _mm256_fmadd_ps(av, _mm256_loadu_ps(x + i + v),
                                                  _mm256_loadu_ps(y + i + v)));
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(y + i, _mm256_fmadd_ps(av, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
  if (i < n) {
    const __m256i m = tail_mask(n - i);
    _mm256_maskstore_ps(y + i, m, _mm256_fmadd_ps(av, _mm256_maskload_ps(x + i, m),
                                                  _mm256_maskload_ps(y + i, m)));
  }
}

void ger(int M, int N, float alpha, const float* x, const float* y, float* A, int lda) {
  simd::ger_by_rows(M, N, alpha, x, y, A, lda, axpy);
}

// ---------------------------------------------------------------- exp, tanh
// e^x = 2^n · e^r with n = round(x·log2 e), |r| <= ln2/2; e^r = 1 + r + r²·P(r)
// with the Cephes expf coefficients (~1 ulp), P evaluated Estrin-style to
// shorten the dependency chain. Valid for -87.3 <= x <= 88 (no clamping).
inline __m256 exp_core(__m256 x) {
  // Adding 1.5·2^23 rounds x·log2 e to an integer n held in the low mantissa
  // bits of t (bits(t) = 0x4B400000 + n), so 2^n = (bits(t) + 127) << 23.
  const __m256 magic = _mm256_set1_ps(12582912.0f);
  const __m256 t = _mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504088896341f), magic);
  const __m256 n = _mm256_sub_ps(t, magic);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  const __m256 r2 = _mm256_mul_ps(r, r);
  const __m256 r4 = _mm256_mul_ps(r2, r2);
  const __m256 p45 = _mm256_fmadd_ps(_mm256_set1_ps(1.6666665459e-1f), r, _mm256_set1_ps(5.0000001201e-1f));
  const __m256 p23 = _mm256_fmadd_ps(_mm256_set1_ps(8.3334519073e-3f), r, _mm256_set1_ps(4.1665795894e-2f));
  const __m256 p01 = _mm256_fmadd_ps(_mm256_set1_ps(1.9875691500e-4f), r, _mm256_set1_ps(1.3981999507e-3f));
  const __m256 p = _mm256_fmadd_ps(p01, r4, _mm256_fmadd_ps(p23, r2, p45));
  const __m256 er = _mm256_fmadd_ps(p, r2, _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
  const __m256i e = _mm256_slli_epi32(
      _mm256_add_epi32(_mm256_castps_si256(t), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(er, _mm256_castsi256_ps(e));
}

// e^x for any x <= 88; below -87.33 (where 2^n would go subnormal) exactly 0.
inline __m256 exp_ps(__m256 x) {
  const __m256 lo = _mm256_set1_ps(-87.33654f);
  const __m256 under = _mm256_cmp_ps(x, lo, _CMP_LT_OQ);
  x = _mm256_min_ps(_mm256_max_ps(x, lo), _mm256_set1_ps(88.0f));
  return _mm256_andnot_ps(under, exp_core(x));
}

// tanh on |x| with the sign put back: an odd polynomial below 0.625 (keeps
// relative accuracy near 0), (1−e)/(1+e) with e = exp(−2|x|) above (no
// cancellation there). |x| is clamped to 9.1, where e = 1.2e-8 < 2^-25 makes
// both 1−e and 1+e round to 1: the result is exactly ±1 from there on, and
// ±inf or huge inputs cannot overflow anything.
inline __m256 tanh_ps(__m256 x) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  const __m256 ax = _mm256_andnot_ps(sign, x);
  const __m256 z = _mm256_mul_ps(ax, ax);
  const __m256 z2 = _mm256_mul_ps(z, z);
  // x + x·z·(q0 + q1 z + q2 z² + q3 z³ + q4 z⁴), Cephes tanhf coefficients.
  const __m256 q01 = _mm256_fmadd_ps(_mm256_set1_ps(1.33314422036e-1f), z, _mm256_set1_ps(-3.33332819422e-1f));
  const __m256 q23 = _mm256_fmadd_ps(_mm256_set1_ps(2.06390887954e-2f), z, _mm256_set1_ps(-5.37397155531e-2f));
  const __m256 q = _mm256_fmadd_ps(_mm256_fmadd_ps(_mm256_set1_ps(-5.70498872745e-3f), z2, q23), z2, q01);
  const __m256 small = _mm256_fmadd_ps(_mm256_mul_ps(q, z), ax, ax);
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 e = exp_core(_mm256_mul_ps(_mm256_min_ps(ax, _mm256_set1_ps(9.1f)), _mm256_set1_ps(-2.0f)));
  const __m256 large = _mm256_div_ps(_mm256_sub_ps(one, e), _mm256_add_ps(one, e));
  __m256 t = _mm256_blendv_ps(large, small, _mm256_cmp_ps(ax, _mm256_set1_ps(0.625f), _CMP_LT_OQ));
  t = _mm256_or_ps(t, _mm256_and_ps(x, sign));
  return _mm256_blendv_ps(t, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));  // NaN stays NaN
}

void tanh_(int n, const float* x, float* y) {
  int i = 0;
  // Two vectors per step: one tanh is a ~50-cycle dependency chain, so give
  // the out-of-order window independent work.
  for (; i + 16 <= n; i += 16) {
    const __m256 a = tanh_ps(_mm256_loadu_ps(x + i)), b = tanh_ps(_mm256_loadu_ps(x + i + 8));
    _mm256_storeu_ps(y + i, a);
    _mm256_storeu_ps(y + i + 8, b);
  }
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, tanh_ps(_mm256_loadu_ps(x + i)));
  if (i < n) {
    const __m256i m = tail_mask(n - i);
    _mm256_maskstore_ps(y + i, m, tanh_ps(_mm256_maskload_ps(x + i, m)));
  }
}

// Σ exp(logits − mx); with STORE the terms are also written to d.
template <bool STORE>
float sum_exp(int n, const float* logits, float mx, float* d) {
  const __m256 mv = _mm256_set1_ps(mx);
  __m256 s0 = _mm256_setzero_ps(), s1 = s0;
  int i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256 e0 = exp_ps(_mm256_sub_ps(_mm256_loadu_ps(logits + i), mv));
    const __m256 e1 = exp_ps(_mm256_sub_ps(_mm256_loadu_ps(logits + i + 8), mv));
    if (STORE) {
      _mm256_storeu_ps(d + i, e0);
      _mm256_storeu_ps(d + i + 8, e1);
    }
    s0 = _mm256_add_ps(s0, e0);
    s1 = _mm256_add_ps(s1, e1);
  }
  for (; i < n; i += 8) {
    const __m256i m = tail_mask(n - i);
    const __m256 e = _mm256_and_ps(
        exp_ps(_mm256_sub_ps(_mm256_maskload_ps(logits + i, m), mv)), _mm256_castsi256_ps(m));
    if (STORE) _mm256_maskstore_ps(d + i, m, e);
    s0 = _mm256_add_ps(s0, e);
  }
  return hsum(_mm256_add_ps(s0, s1));
}

float logsoftmax_xent(int n, const float* logits, int target, float* dlogits, float scale) {
  const float lt = logits[target];  // before dlogits (may alias) is written
  const __m256 ninf = _mm256_set1_ps(-INFINITY);
  __m256 mv = ninf;
  int i = 0;
  for (; i + 8 <= n; i += 8) mv = _mm256_max_ps(mv, _mm256_loadu_ps(logits + i));
  if (i < n) {
    const __m256i m = tail_mask(n - i);
    mv = _mm256_max_ps(mv, _mm256_blendv_ps(ninf, _mm256_maskload_ps(logits + i, m),
                                            _mm256_castsi256_ps(m)));
  }
  const float mx = hmax(mv);
  const float sum = dlogits ? sum_exp<true>(n, logits, mx, dlogits)
                            : sum_exp<false>(n, logits, mx, nullptr);
  const double lse = (double)mx + std::log((double)sum);  // sum >= 1
  if (dlogits) {
    const __m256 inv = _mm256_set1_ps(scale / sum);
    for (i = 0; i + 8 <= n; i += 8)
      _mm256_storeu_ps(dlogits + i, _mm256_mul_ps(_mm256_loadu_ps(dlogits + i), inv));
    for (; i < n; ++i) dlogits[i] *= scale / sum;
    dlogits[target] -= scale;
  }
  return (float)(lse - (double)lt);
}

// ---------------------------------------------------------------- Adam
struct AdamVec {
  __m256 gscale, b1, b2, ob1, ob2, c1, c2, lr, eps;
};

// A product kept rounded on its own: GCC would otherwise fuse it into the add that
// follows (an FMA), and Adam here would no longer match the scalar table bitwise.
inline __m256 rounded(__m256 x) {
#if defined(__GNUC__)
  __asm__("" : "+x"(x));
#endif
  return x;
}

// Eight parameters of Adam, the scalar table's operations in its order (bitwise the
// same results); returns the lanes whose new p is ±Inf or NaN (all exponent bits set).
inline __m256i adam8(const AdamVec& a, float* p, float* m, float* v, const float* g) {
  const __m256 gi = _mm256_mul_ps(a.gscale, _mm256_loadu_ps(g));
  const __m256 mn = _mm256_add_ps(rounded(_mm256_mul_ps(a.b1, _mm256_loadu_ps(m))), rounded(_mm256_mul_ps(a.ob1, gi)));
  const __m256 vn = _mm256_add_ps(rounded(_mm256_mul_ps(a.b2, _mm256_loadu_ps(v))),
                                  rounded(_mm256_mul_ps(_mm256_mul_ps(a.ob2, gi), gi)));
  const __m256 num = _mm256_mul_ps(a.lr, _mm256_mul_ps(mn, a.c1));
  const __m256 den = _mm256_add_ps(_mm256_sqrt_ps(_mm256_mul_ps(vn, a.c2)), a.eps);
  const __m256 pn = _mm256_sub_ps(_mm256_loadu_ps(p), _mm256_div_ps(num, den));
  _mm256_storeu_ps(m, mn);
  _mm256_storeu_ps(v, vn);
  _mm256_storeu_ps(p, pn);
  const __m256i expo = _mm256_set1_epi32(0x7f800000);
  return _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_castps_si256(pn), expo), expo);
}

bool adam(int n, float* p, float* m, float* v, const float* g, const AdamStep& s) {
  const AdamVec a = {_mm256_set1_ps(s.gscale), _mm256_set1_ps(s.b1), _mm256_set1_ps(s.b2),
                     _mm256_set1_ps(1.0f - s.b1), _mm256_set1_ps(1.0f - s.b2), _mm256_set1_ps(s.c1),
                     _mm256_set1_ps(s.c2), _mm256_set1_ps(s.lr), _mm256_set1_ps(s.eps)};
  __m256i bad = _mm256_setzero_si256();
  int i = 0;
  for (; i + 8 <= n; i += 8) bad = _mm256_or_si256(bad, adam8(a, p + i, m + i, v + i, g + i));
  if (i < n)
    bad = _mm256_or_si256(bad, simd::adam_tail<8>(n - i, p + i, m + i, v + i, g + i,
                                                  [&](float* tp, float* tm, float* tv, const float* tg) { return adam8(a, tp, tm, tv, tg); }));
  return _mm256_testz_si256(bad, bad) != 0;
}

// ---------------------------------------------------------------- transpose
// One 8×8 block: unpack pairs of rows, shuffle pairs of pairs, swap 128-bit halves.
inline void transpose8x8(const float* s, ptrdiff_t lds, float* d, ptrdiff_t ldd) {
  __m256 r[8], t[8], u[8];
  BI_UNROLL
  for (int i = 0; i < 8; ++i) r[i] = _mm256_loadu_ps(s + i * lds);
  BI_UNROLL
  for (int i = 0; i < 8; i += 2) {
    t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
  }
  BI_UNROLL
  for (int i = 0; i < 8; i += 4) {
    u[i] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));
    u[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2));
    u[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(1, 0, 1, 0));
    u[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(3, 2, 3, 2));
  }
  BI_UNROLL
  for (int j = 0; j < 4; ++j) {
    _mm256_storeu_ps(d + j * ldd, _mm256_permute2f128_ps(u[j], u[j + 4], 0x20));
    _mm256_storeu_ps(d + (j + 4) * ldd, _mm256_permute2f128_ps(u[j], u[j + 4], 0x31));
  }
}

void transpose(int rows, int cols, const float* src, int lds, float* dst, int ldd) {
  simd::transpose_tiled<8>(rows, cols, src, lds, dst, ldd, transpose8x8);
}

// ---------------------------------------------------------------- tanh'
// (dh + dnext)·(1 − h·h) on eight lanes, h·h rounded on its own as in the scalar table.
template <bool NEXT>
inline __m256 tanh_grad8(__m256 dh, __m256 dnext, __m256 h) {
  const __m256 d = NEXT ? _mm256_add_ps(dh, dnext) : dh;
  return _mm256_mul_ps(d, _mm256_sub_ps(_mm256_set1_ps(1.0f), rounded(_mm256_mul_ps(h, h))));
}

template <bool NEXT>
void tanh_grad_t(int n, const float* dh, const float* dnext, const float* h, float* dz) {
  int i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(dz + i, tanh_grad8<NEXT>(_mm256_loadu_ps(dh + i), NEXT ? _mm256_loadu_ps(dnext + i) : __m256(),
                                              _mm256_loadu_ps(h + i)));
  if (i < n) {
    const __m256i m = tail_mask(n - i);
    _mm256_maskstore_ps(dz + i, m,
                        tanh_grad8<NEXT>(_mm256_maskload_ps(dh + i, m),
                                         NEXT ? _mm256_maskload_ps(dnext + i, m) : __m256(),
                                         _mm256_maskload_ps(h + i, m)));
  }
}

void tanh_grad(int n, const float* dh, const float* dnext, const float* h, float* dz) {
  if (dnext) tanh_grad_t<true>(n, dh, dnext, h, dz);
  else tanh_grad_t<false>(n, dh, dnext, h, dz);
}

// ---------------------------------------------------------------- Σ x²
// Lanes 4v … 4v+3 of the 32 in acc[v].
double sum_squares(int n, const float* x) {
  __m256d acc[8];
  BI_UNROLL
  for (int v = 0; v < 8; ++v) acc[v] = _mm256_setzero_pd();
  int i = 0;
  for (; i + 32 <= n; i += 32) {
    BI_UNROLL
    for (int v = 0; v < 8; ++v) {
      const __m256d d = _mm256_cvtps_pd(_mm_loadu_ps(x + i + 4 * v));
      acc[v] = _mm256_add_pd(acc[v], _mm256_mul_pd(d, d));
    }
  }
  alignas(32) double lanes[32];
  for (int v = 0; v < 8; ++v) _mm256_store_pd(lanes + 4 * v, acc[v]);
  return simd::sum_squares_finish(lanes, i, n, x);
}

// ---------------------------------------------------------------- sign vectors and margins
// 1[x ≥ 0] of eight lanes as eight bits (an ordered compare: −0 is ≥ 0, NaN is not; movemask of
// x itself would read the sign bit and get −0 wrong).
inline uint32_t ge0_bits(const float* x) {
  return uint32_t(_mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(x), _mm256_setzero_ps(), _CMP_GE_OQ)));
}

void sign_bits(int n, const float* x, uint8_t* out) {
  int i = 0;
  for (; i + 32 <= n; i += 32) {  // four bytes per store
    const uint32_t w = ge0_bits(x + i) | ge0_bits(x + i + 8) << 8 | ge0_bits(x + i + 16) << 16 | ge0_bits(x + i + 24) << 24;
    std::memcpy(out + i / 8, &w, 4);
  }
  for (; i + 8 <= n; i += 8) out[i / 8] = uint8_t(ge0_bits(x + i));
  if (i < n) sign_byte(i, n, x, out);
}

void margin_scan(int n, const float* z, float* a, uint64_t* hist, MarginSums* acc) {
  const __m256 absmask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
  const __m256 one = _mm256_set1_ps(1.0f), tenth = _mm256_set1_ps(0.1f);
  const __m256i lo = _mm256_set1_epi32(95 * 64 - 1), top = _mm256_set1_epi32(kMarginFineBins - 1);
  __m256 lanes = _mm256_setzero_ps();
  uint64_t below_1 = 0, below_01 = 0;
  alignas(32) int32_t bin[8];
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_and_ps(_mm256_loadu_ps(z + i), absmask);
    if (a) _mm256_storeu_ps(a + i, v);
    lanes = _mm256_add_ps(lanes, v);
    below_1 += unsigned(__builtin_popcount(_mm256_movemask_ps(_mm256_cmp_ps(v, one, _CMP_LT_OQ))));
    below_01 += unsigned(__builtin_popcount(_mm256_movemask_ps(_mm256_cmp_ps(v, tenth, _CMP_LT_OQ))));
    // margin_bin on eight lanes: (bits >> 17) − (95·64 − 1), clamped to the bins.
    __m256i b = _mm256_sub_epi32(_mm256_srli_epi32(_mm256_castps_si256(v), 17), lo);
    b = _mm256_min_epi32(_mm256_max_epi32(b, _mm256_setzero_si256()), top);
    _mm256_store_si256(reinterpret_cast<__m256i*>(bin), b);
    for (int l = 0; l < 8; ++l) ++hist[bin[l]];
  }
  alignas(32) float lane[8];
  _mm256_store_ps(lane, lanes);
  margin_scan_finish(i, n, z, a, hist, lane, below_1, below_01, acc);
}

}  // namespace
}  // namespace avx2
}  // namespace bi

BI_TARGET_AVX2_END

namespace bi {
// Outside the target region: building the table must not need AVX (it holds only addresses).
const Kernels* avx2_kernels() {
  static const Kernels table = BI_KERNEL_TABLE(avx2);
  return &table;
}
}  // namespace bi

#else  // not x86-64

namespace bi {
const Kernels* avx2_kernels() { return nullptr; }
}  // namespace bi

#endif
