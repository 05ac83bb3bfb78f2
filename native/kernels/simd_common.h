// What the SIMD tables (avx2.cc, neon.cc) do alike whatever the vector width: empty GEMM
// shapes, the row and column edges of blocked loops, tails run through zero-padded copies.
// The vector work itself stays in each file (other intrinsics, other block sizes).
//
// Include it INSIDE the ISA's target region (after BI_TARGET_AVX2_BEGIN in avx2.cc): every
// helper sits in an anonymous namespace, so each table gets its own copy compiled for its
// ISA, inlines its vector lambdas, and no AVX2 code can leak into another translation unit.
// The standard headers it needs must be included before the target region.
#pragma once

#include <algorithm>
#include <cstddef>

#include "bi/kernels.h"

namespace bi {
namespace simd {
namespace {

// GEMM shapes with nothing to multiply: M or N empty do nothing, K empty leaves C
// (accumulate) or zeroes it. True when the shape was handled here.
inline bool gemm_empty(int M, int N, int K, float* C, std::ptrdiff_t ldc, bool accumulate) {
  if (M <= 0 || N <= 0) return true;
  if (K > 0) return false;
  if (!accumulate)
    for (int i = 0; i < M; ++i) std::fill(C + i * ldc, C + i * ldc + N, 0.0f);
  return true;
}

// The valid w columns of a spilled register row t into p: p (+)= t.
inline void store_columns(float* p, const float* t, int w, bool acc) {
  for (int j = 0; j < w; ++j) p[j] = acc ? p[j] + t[j] : t[j];
}

// Rows i.. of y (+)= A x left over by a blocked gemv_n, one dot product each.
template <class Dot>
void gemv_rows_by_dot(int i, int M, int N, const float* A, int lda, const float* x, float* y,
                      bool accumulate, Dot dot) {
  for (; i < M; ++i) {
    const float v = dot(N, A + (std::ptrdiff_t)i * lda, x);
    y[i] = accumulate ? y[i] + v : v;
  }
}

// A += alpha·x yᵀ, one axpy per row.
template <class Axpy>
void ger_by_rows(int M, int N, float alpha, const float* x, const float* y, float* A, int lda,
                 Axpy axpy) {
  for (int i = 0; i < M; ++i) axpy(N, alpha * x[i], y, A + (std::ptrdiff_t)i * lda);
}

// dst = srcᵀ in B×B tiles (tile(s, lds, d, ldd) transposes one), then the edges: the
// last cols % B columns of the tiled rows and the last rows % B rows, element by element.
template <int B, class Tile>
void transpose_tiled(int rows, int cols, const float* src, int lds, float* dst, int ldd, Tile tile) {
  const int rb = rows / B * B, cb = cols / B * B;
  for (int i = 0; i < rb; i += B)
    for (int j = 0; j < cb; j += B)
      tile(src + (std::ptrdiff_t)i * lds + j, lds, dst + (std::ptrdiff_t)j * ldd + i, ldd);
  for (int i = 0; i < rows; ++i)
    for (int j = i < rb ? cb : 0; j < cols; ++j) dst[(std::ptrdiff_t)j * ldd + i] = src[(std::ptrdiff_t)i * lds + j];
}

// Adam's last r < W parameters through the vector code: p, m, v, g copied into zero-padded
// W-lane buffers (zeros stay finite), step(p, m, v, g) run on them, p, m, v copied back.
// Returns what step returns (its non-finite lanes).
template <int W, class Step>
auto adam_tail(int r, float* p, float* m, float* v, const float* g, Step step) {
  alignas(32) float tp[W] = {}, tm[W] = {}, tv[W] = {}, tg[W] = {};
  std::copy(p, p + r, tp);
  std::copy(m, m + r, tm);
  std::copy(v, v + r, tv);
  std::copy(g, g + r, tg);
  const auto bad = step(tp, tm, tv, tg);
  std::copy(tp, tp + r, p);
  std::copy(tm, tm + r, m);
  std::copy(tv, tv + r, v);
  return bad;
}

// Σ x² finished: the x[i..n) left by the vector loop go into lanes 0, 1, … (n − i < 32),
// then the 32 lanes are combined in the fixed order every table uses (kernels.h).
inline double sum_squares_finish(double* lanes, int i, int n, const float* x) {
  for (int l = 0; i < n; ++i, ++l) lanes[l] += double(x[i]) * double(x[i]);
  return combine_lanes32(lanes);
}

}  // namespace
}  // namespace simd
}  // namespace bi
