// Kernel tables: every SIMD table available on this machine against the scalar
// reference, the scalar reference against double-precision brute force, and
// dispatch (parse_isa/isa_name, BI_FORCE_ISA).
//
// Tolerances (inputs uniform in [-1,1] from fixed seeds unless stated):
//   gemm_nn, gemm_tn, gemv_n, gemv_t, ger, dot, axpy:
//       |a - b| <= 1e-5 · (1 + Σ|terms|), Σ|terms| = sum of |products| that
//       make the element, plus |previous value| when accumulating.
//   tanh: |a - b| <= 2e-6 on [-20, 20]; exactly ±1 for |x| >= 9.1 (±1e3, ±inf
//       included); tanh(0) == 0; NaN in -> NaN out.
//   logsoftmax_xent: loss |a - b| <= 1e-5 · max(1, |b|) (logits in [-1,1] and
//       scaled up to magnitude 1e4); dlogits |a - b| <= 1e-6 · max(1, |scale|).
//   transpose: exact.
//   sign_bits, margin_scan: exact (bits, histogram, counts, |z|); margin_scan's Σ|z| bitwise
//       (same lanes, same order of adds), and within 1e-6 relative of a double sum.
//   adam: p, m, v each |a - b| <= 1e-6 · (1 + |b|) (avx2: bitwise equal); a non-finite
//       p is reported.
// Outputs are written into buffers with ld > cols and guard cells after the
// last row; guards and padding must come back bit-for-bit unchanged.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "bi/dispatch_detail.h"
#include "bi/kernels.h"
#include "kernel_tables.h"

namespace bi {
namespace {

const std::vector<int> kSizes = {1, 3, 7, 8, 15, 17, 33, 127, 129, 255, 257};
// kSizes plus the empty vector and a long one, for the element-wise (level-1) kernels.
const std::vector<int> kVectorSizes = [] {
  std::vector<int> v = kSizes;
  v.push_back(0);
  v.push_back(1024);
  return v;
}();
const std::vector<int> kSmall = {1, 3, 7, 8, 15, 17, 33};
constexpr float kGuard = 12345.678f;
constexpr int kGuardCells = 40;

std::vector<const Kernels*> simd_tables() { return bi_test::simd_kernels(); }

#define FOR_EACH_SIMD(k)                                                          \
  const auto tables_ = simd_tables();                                             \
  if (tables_.empty()) GTEST_SKIP() << "no SIMD kernel table runs on this machine"; \
  for (const Kernels* k : tables_)

std::vector<float> random_vec(size_t n, std::mt19937& g, float lo = -1.0f, float hi = 1.0f) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = d(g);
  return v;
}

// A rows×cols matrix with leading dimension ld, padding and guard cells set to kGuard.
std::vector<float> random_mat(int rows, int cols, int ld, std::mt19937& g) {
  std::vector<float> m((size_t)rows * ld + kGuardCells, kGuard);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) m[(size_t)i * ld + j] = d(g);
  return m;
}

bool is_guard(float x) { return std::memcmp(&x, &kGuard, sizeof x) == 0; }

// Compares an output buffer against the reference: data within tol[i], all
// other cells (padding and guards) untouched.
void expect_close_buf(const std::vector<float>& got, const std::vector<float>& ref,
                      const std::vector<double>& bound, double rel, int rows, int cols,
                      int ld, const char* what) {
  int bad = 0;
  for (size_t p = 0; p < got.size(); ++p) {
    const int i = ld ? (int)(p / ld) : rows, j = ld ? (int)(p % ld) : 0;
    if (i < rows && j < cols) {
      const double tol = rel * (1.0 + bound[(size_t)i * cols + j]);
      if (!(std::fabs((double)got[p] - ref[p]) <= tol) && bad++ < 5)
        ADD_FAILURE() << what << " (" << i << "," << j << "): got " << got[p] << " want "
                      << ref[p] << " tol " << tol;
    } else if (!is_guard(got[p]) && bad++ < 5) {
      ADD_FAILURE() << what << ": wrote outside the matrix at row " << i << " col " << j;
    }
  }
  EXPECT_EQ(bad, 0) << what;
}

// ---------------------------------------------------------------- gemm
// tn: C += AᵀB with A stored K×M; otherwise C (+)= AB with A stored M×K.
void check_gemm(const Kernels& k, bool tn, int M, int N, int K, bool acc, int pad,
                std::mt19937& g) {
  SCOPED_TRACE(testing::Message() << (tn ? "gemm_tn" : "gemm_nn") << " M=" << M << " N=" << N
                                  << " K=" << K << " acc=" << acc << " pad=" << pad);
  const int arows = tn ? K : M, acols = tn ? M : K;
  const int lda = acols + pad, ldb = N + pad + 2, ldc = N + pad + 1;
  const auto A = random_mat(arows, acols, lda, g);
  const auto B = random_mat(K, N, ldb, g);
  const auto C0 = random_mat(M, N, ldc, g);
  auto Cref = C0, Cgot = C0;
  const Kernels& s = *scalar_kernels();
  if (tn) {
    s.gemm_tn(M, N, K, A.data(), lda, B.data(), ldb, Cref.data(), ldc);
    k.gemm_tn(M, N, K, A.data(), lda, B.data(), ldb, Cgot.data(), ldc);
  } else {
    s.gemm_nn(M, N, K, A.data(), lda, B.data(), ldb, Cref.data(), ldc, acc);
    k.gemm_nn(M, N, K, A.data(), lda, B.data(), ldb, Cgot.data(), ldc, acc);
  }
  const bool accumulates = tn || acc;
  std::vector<double> bound((size_t)M * N);
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) {
      double b = accumulates ? std::fabs(C0[(size_t)i * ldc + j]) : 0.0;
      for (int kk = 0; kk < K; ++kk) {
        const float a = tn ? A[(size_t)kk * lda + i] : A[(size_t)i * lda + kk];
        b += std::fabs((double)a * B[(size_t)kk * ldb + j]);
      }
      bound[(size_t)i * N + j] = b;
    }
  expect_close_buf(Cgot, Cref, bound, 1e-5, M, N, ldc, tn ? "gemm_tn" : "gemm_nn");
}

void gemm_sweep(bool tn) {
  FOR_EACH_SIMD(k) {
    SCOPED_TRACE(k->name);
    std::mt19937 g(tn ? 202 : 101);
    for (bool acc : {false, true}) {
      if (tn && !acc) continue;  // gemm_tn always accumulates
      for (int s : kSizes) {
        check_gemm(*k, tn, s, 33, 17, acc, 3, g);
        check_gemm(*k, tn, 7, s, 15, acc, 5, g);
        check_gemm(*k, tn, 17, 8, s, acc, 1, g);
      }
      for (int m : kSmall)
        for (int n : kSmall)
          for (int kk : kSmall) check_gemm(*k, tn, m, n, kk, acc, 2, g);
      // Production shapes (recurrence, readout, weight gradients).
      check_gemm(*k, tn, 64, 128, 128, acc, 8, g);
      check_gemm(*k, tn, 200, 256, 128, acc, 8, g);
      check_gemm(*k, tn, 128, 256, 600, acc, 4, g);
      if (::testing::Test::HasFailure()) return;
    }
  }
}

TEST(KernelsSimd, GemmNN) { gemm_sweep(false); }
TEST(KernelsSimd, GemmTN) { gemm_sweep(true); }

// Each C element is one fixed-order sum whatever the block it falls in, so a
// caller may split M or N across threads and get bit-identical results.
TEST(KernelsAll, GemmPartitionInvariant) {
  for (const Kernels* k : bi_test::all_kernels()) {
    SCOPED_TRACE(k->name);
    std::mt19937 g(1212);
    const int M = 50, N = 70, K = 300, ld = 75;
    const auto A = random_vec((size_t)M * K, g), At = random_vec((size_t)K * ld, g);
    const auto B = random_vec((size_t)K * ld, g);
    for (bool tn : {false, true}) {
      std::vector<float> whole((size_t)M * ld, 0.0f), parts = whole;
      const float* a = tn ? At.data() : A.data();
      const int lda = tn ? ld : K;
      auto run = [&](float* C, int i0, int i1, int j0, int j1) {
        const float* ai = tn ? a + i0 : a + (size_t)i0 * lda;
        if (tn)
          k->gemm_tn(i1 - i0, j1 - j0, K, ai, lda, B.data() + j0, ld, C + (size_t)i0 * ld + j0, ld);
        else
          k->gemm_nn(i1 - i0, j1 - j0, K, ai, lda, B.data() + j0, ld, C + (size_t)i0 * ld + j0, ld,
                     false);
      };
      run(whole.data(), 0, M, 0, N);
      for (auto [i0, i1] : {std::pair{0, 17}, std::pair{17, 50}})
        for (auto [j0, j1] : {std::pair{0, 23}, std::pair{23, 70}}) run(parts.data(), i0, i1, j0, j1);
      ASSERT_EQ(0, std::memcmp(whole.data(), parts.data(), whole.size() * sizeof(float)))
          << (tn ? "gemm_tn" : "gemm_nn");
    }
  }
}

TEST(KernelsSimd, GemmK0) {
  FOR_EACH_SIMD(k) {
    float C[4] = {1, 2, 3, 4};
    k->gemm_nn(2, 2, 0, nullptr, 1, nullptr, 2, C, 2, true);
    EXPECT_EQ(C[3], 4.0f);
    k->gemm_nn(2, 2, 0, nullptr, 1, nullptr, 2, C, 2, false);
    for (float c : C) EXPECT_EQ(c, 0.0f);
  }
}

// ---------------------------------------------------------------- gemv
void check_gemv(const Kernels& k, bool trans, int M, int N, bool acc, int pad, std::mt19937& g) {
  SCOPED_TRACE(testing::Message() << (trans ? "gemv_t" : "gemv_n") << " M=" << M << " N=" << N
                                  << " acc=" << acc);
  const int lda = N + pad;
  const auto A = random_mat(M, N, lda, g);
  const int nx = trans ? M : N, ny = trans ? N : M;
  const auto x = random_vec(nx, g);
  const auto y0 = random_mat(1, ny, ny, g);
  auto yref = y0, ygot = y0;
  const Kernels& s = *scalar_kernels();
  (trans ? s.gemv_t : s.gemv_n)(M, N, A.data(), lda, x.data(), yref.data(), acc);
  (trans ? k.gemv_t : k.gemv_n)(M, N, A.data(), lda, x.data(), ygot.data(), acc);
  std::vector<double> bound(ny);
  for (int o = 0; o < ny; ++o) {
    double b = acc ? std::fabs(y0[o]) : 0.0;
    for (int t = 0; t < nx; ++t)
      b += std::fabs((double)x[t] * (trans ? A[(size_t)t * lda + o] : A[(size_t)o * lda + t]));
    bound[o] = b;
  }
  expect_close_buf(ygot, yref, bound, 1e-5, 1, ny, ny, trans ? "gemv_t" : "gemv_n");
}

TEST(KernelsSimd, Gemv) {
  FOR_EACH_SIMD(k) {
    SCOPED_TRACE(k->name);
    std::mt19937 g(303);
    for (bool trans : {false, true})
      for (bool acc : {false, true}) {
        for (int m : kSizes)
          for (int n : kSizes) check_gemv(*k, trans, m, n, acc, 3, g);
        check_gemv(*k, trans, 128, 128, acc, 8, g);
        check_gemv(*k, trans, 256, 128, acc, 8, g);
        check_gemv(*k, trans, 128, 256, acc, 1, g);
      }
  }
}

// ---------------------------------------------------------------- level 1
TEST(KernelsSimd, Ger) {
  FOR_EACH_SIMD(k) {
    SCOPED_TRACE(k->name);
    std::mt19937 g(404);
    for (int m : kSizes)
      for (int n : kSizes) {
        SCOPED_TRACE(testing::Message() << "ger M=" << m << " N=" << n);
        const int lda = n + 3;
        const auto x = random_vec(m, g), y = random_vec(n, g);
        const float alpha = random_vec(1, g, -2.0f, 2.0f)[0];
        const auto A0 = random_mat(m, n, lda, g);
        auto Aref = A0, Agot = A0;
        scalar_kernels()->ger(m, n, alpha, x.data(), y.data(), Aref.data(), lda);
        k->ger(m, n, alpha, x.data(), y.data(), Agot.data(), lda);
        std::vector<double> bound((size_t)m * n);
        for (int i = 0; i < m; ++i)
          for (int j = 0; j < n; ++j)
            bound[(size_t)i * n + j] =
                std::fabs(A0[(size_t)i * lda + j]) + std::fabs((double)alpha * x[i] * y[j]);
        expect_close_buf(Agot, Aref, bound, 1e-5, m, n, lda, "ger");
      }
  }
}

TEST(KernelsSimd, DotAxpy) {
  FOR_EACH_SIMD(k) {
    SCOPED_TRACE(k->name);
    std::mt19937 g(505);
    for (int n : kVectorSizes) {
      SCOPED_TRACE(testing::Message() << "n=" << n);
      const auto x = random_vec(n, g), y = random_vec(n, g);
      double b = 0;
      for (int i = 0; i < n; ++i) b += std::fabs((double)x[i] * y[i]);
      EXPECT_NEAR(k->dot(n, x.data(), y.data()), scalar_kernels()->dot(n, x.data(), y.data()),
                  1e-5 * (1 + b));
      const float a = 0.75f;
      auto yref = random_mat(1, n, n, g), ygot = yref;
      const auto y0 = yref;
      scalar_kernels()->axpy(n, a, x.data(), yref.data());
      k->axpy(n, a, x.data(), ygot.data());
      std::vector<double> bound(n);
      for (int i = 0; i < n; ++i) bound[i] = std::fabs(y0[i]) + std::fabs(a * x[i]);
      expect_close_buf(ygot, yref, bound, 1e-5, 1, n, n, "axpy");
    }
  }
}

// Adam: every SIMD table against the scalar one, element-wise relative 1e-6 (the SIMD
// tables may fuse a multiply-add), over tails of every length; the non-finite flag.
TEST(KernelsSimd, Adam) {
  FOR_EACH_SIMD(k) {
    SCOPED_TRACE(k->name);
    std::mt19937 g(606);
    const AdamStep st = {0.7f, 0.9f, 0.999f, 1.5f, 3.0f, 2e-3f, 1e-8f};
    for (int n : kVectorSizes) {
      SCOPED_TRACE(testing::Message() << "n=" << n);
      const auto p0 = random_vec(n, g), m0 = random_vec(n, g), gr = random_vec(n, g);
      auto v0 = random_vec(n, g);
      for (float& x : v0) x = std::fabs(x);
      auto pr = p0, mr = m0, vr = v0, pg = p0, mg = m0, vg = v0;
      EXPECT_TRUE(scalar_kernels()->adam(n, pr.data(), mr.data(), vr.data(), gr.data(), st));
      EXPECT_TRUE(k->adam(n, pg.data(), mg.data(), vg.data(), gr.data(), st));
      if (k->isa == Isa::avx2) {  // no fused multiply-adds there: bitwise the scalar table
        EXPECT_EQ(0, std::memcmp(pg.data(), pr.data(), sizeof(float) * n));
        EXPECT_EQ(0, std::memcmp(mg.data(), mr.data(), sizeof(float) * n));
        EXPECT_EQ(0, std::memcmp(vg.data(), vr.data(), sizeof(float) * n));
      }
      for (int i = 0; i < n; ++i) {
        EXPECT_NEAR(mg[i], mr[i], 1e-6 * (1 + std::fabs(mr[i]))) << i;
        EXPECT_NEAR(vg[i], vr[i], 1e-6 * (1 + std::fabs(vr[i]))) << i;
        EXPECT_NEAR(pg[i], pr[i], 1e-6 * (1 + std::fabs(pr[i]))) << i;
      }
      if (n > 0) {  // an infinite gradient in the last element (a tail) is reported
        auto gi = gr;
        gi[n - 1] = std::numeric_limits<float>::infinity();
        auto p1 = p0, m1 = m0, v1 = v0;
        EXPECT_FALSE(k->adam(n, p1.data(), m1.data(), v1.data(), gi.data(), st));
        p1 = p0, m1 = m0, v1 = v0;
        EXPECT_FALSE(scalar_kernels()->adam(n, p1.data(), m1.data(), v1.data(), gi.data(), st));
      }
    }
  }
}

// tanh_grad: (dh + dnext)·(1 − h²) and dh·(1 − h²) (dnext null), in place over dh too;
// AVX2 bitwise the scalar table, NEON within 1e-6 relative (a compiler may fuse the scalar
// table's multiply-add there); guards after the output stay untouched.
TEST(KernelsSimd, TanhGrad) {
  FOR_EACH_SIMD(k) {
    SCOPED_TRACE(k->name);
    std::mt19937 g(909);
    for (int n : kSizes)
      for (bool next : {true, false})
        for (bool in_place : {false, true}) {
          SCOPED_TRACE(testing::Message() << "n=" << n << " next=" << next << " in_place=" << in_place);
          const auto dh = random_vec(n, g, -2.0f, 2.0f), dn = random_vec(n, g, -2.0f, 2.0f),
                     h = random_vec(n, g, -1.0f, 1.0f);
          std::vector<float> ref(n + kGuardCells, kGuard), got(n + kGuardCells, kGuard);
          scalar_kernels()->tanh_grad(n, dh.data(), next ? dn.data() : nullptr, h.data(), ref.data());
          if (in_place) {
            std::copy(dh.begin(), dh.end(), got.begin());
            k->tanh_grad(n, got.data(), next ? dn.data() : nullptr, h.data(), got.data());
          } else {
            k->tanh_grad(n, dh.data(), next ? dn.data() : nullptr, h.data(), got.data());
          }
          for (int i = 0; i < n; ++i) {
            const double want = (double(dh[i]) + (next ? double(dn[i]) : 0.0)) * (1.0 - double(h[i]) * h[i]);
            ASSERT_NEAR(ref[i], want, 1e-6 * (1 + std::fabs(want))) << i;
            if (k->isa == Isa::avx2) {
              ASSERT_EQ(0, std::memcmp(&got[i], &ref[i], 4)) << i;
            }
            ASSERT_NEAR(got[i], ref[i], 1e-6 * (1 + std::fabs(ref[i]))) << i;
          }
          for (int e = 0; e < kGuardCells; ++e) ASSERT_TRUE(is_guard(got[n + e])) << e;
        }
  }
}

// transpose: an exact copy; padding of dst (ldd > rows) and guards stay untouched.
TEST(KernelsAll, Transpose) {
  std::vector<const Kernels*> tables = simd_tables();
  tables.push_back(scalar_kernels());
  for (const Kernels* k : tables) {
    SCOPED_TRACE(k->name);
    std::mt19937 g(707);
    for (int rows : {1, 3, 4, 7, 8, 9, 17, 128, 256})
      for (int cols : {1, 3, 4, 5, 8, 15, 16, 33, 128, 256}) {
        SCOPED_TRACE(testing::Message() << rows << "x" << cols);
        const int lds = cols + 3, ldd = rows + 5;
        const auto src = random_vec((size_t)rows * lds, g);
        std::vector<float> dst((size_t)cols * ldd + kGuardCells, kGuard);
        k->transpose(rows, cols, src.data(), lds, dst.data(), ldd);
        int bad = 0;
        for (int j = 0; j < cols; ++j)
          for (int i = 0; i < ldd; ++i) {
            const float want = i < rows ? src[(size_t)i * lds + j] : kGuard;
            bad += std::memcmp(&dst[(size_t)j * ldd + i], &want, 4) != 0;
          }
        for (int e = 0; e < kGuardCells; ++e) bad += dst[(size_t)cols * ldd + e] != kGuard;
        EXPECT_EQ(bad, 0);
      }
  }
}

// ---------------------------------------------------------------- tanh
TEST(KernelsSimd, TanhAccuracy) {
  FOR_EACH_SIMD(k) {
    SCOPED_TRACE(k->name);
    const int n = 400001;  // step 1e-4 over [-20, 20], odd n exercises the tail
    std::vector<float> x(n), y(n), yref(n);
    for (int i = 0; i < n; ++i) x[i] = -20.0f + 40.0f * (float)i / (float)(n - 1);
    k->tanh(n, x.data(), y.data());
    scalar_kernels()->tanh(n, x.data(), yref.data());
    double worst = 0;
    float at = 0;
    for (int i = 0; i < n; ++i) {
      const double e = std::fabs((double)y[i] - yref[i]);
      if (!(e <= worst)) worst = e, at = x[i];
    }
    EXPECT_LE(worst, 2e-6) << "worst at x=" << at;
    std::cout << "[ info ] " << k->name << " tanh max abs err vs scalar " << worst << " at x=" << at
              << "\n";
    // Small-magnitude inputs keep relative accuracy (odd polynomial branch).
    for (float v : {1e-30f, 1e-8f, 1e-4f, 0.01f, 0.3f, 0.62f}) {
      float o;
      k->tanh(1, &v, &o);
      EXPECT_NEAR(o, std::tanh((double)v), 4e-7 * std::tanh((double)v)) << v;
    }
  }
}

TEST(KernelsSimd, TanhSpecialValues) {
  FOR_EACH_SIMD(k) {
    SCOPED_TRACE(k->name);
    const float inf = std::numeric_limits<float>::infinity();
    const std::vector<float> big = {9.1f, 9.5f, 10.0f, 20.0f, 88.0f, 100.0f, 1e3f, 1e30f, inf};
    std::vector<float> x;
    for (float b : big) x.push_back(b), x.push_back(-b);
    std::vector<float> y(x.size());
    k->tanh((int)x.size(), x.data(), y.data());
    for (size_t i = 0; i < x.size(); ++i) EXPECT_EQ(y[i], x[i] > 0 ? 1.0f : -1.0f) << x[i];
    float z[3] = {0.0f, -0.0f, std::numeric_limits<float>::quiet_NaN()}, o[3];
    k->tanh(3, z, o);
    EXPECT_EQ(o[0], 0.0f);
    EXPECT_FALSE(std::signbit(o[0]));
    EXPECT_EQ(o[1], 0.0f);
    EXPECT_TRUE(std::isnan(o[2]));
  }
}

TEST(KernelsSimd, TanhSizesAndAliasing) {
  FOR_EACH_SIMD(k) {
    SCOPED_TRACE(k->name);
    std::mt19937 g(606);
    for (int n : kSizes) {
      SCOPED_TRACE(testing::Message() << "n=" << n);
      auto x = random_mat(1, n, n, g);  // guard cells after the data
      for (int i = 0; i < n; ++i) x[i] *= 5.0f;
      auto ref = x;
      scalar_kernels()->tanh(n, x.data(), ref.data());
      k->tanh(n, x.data(), x.data());  // in place
      expect_close_buf(x, ref, std::vector<double>(n, 0.0), 2e-6, 1, n, n, "tanh");
    }
  }
}

// ---------------------------------------------------------------- logsoftmax_xent
void check_xent(const Kernels& k, int n, float mag, int target, float scale, int mode,
                std::mt19937& g) {
  // mode 0: no dlogits, 1: separate dlogits, 2: dlogits aliases logits.
  SCOPED_TRACE(testing::Message() << "xent n=" << n << " mag=" << mag << " target=" << target
                                  << " scale=" << scale << " mode=" << mode);
  auto logits = random_mat(1, n, n, g);
  for (int i = 0; i < n; ++i) logits[i] *= mag;
  std::vector<float> dref(n + kGuardCells, kGuard);
  const float lref = scalar_kernels()->logsoftmax_xent(n, logits.data(), target,
                                                       mode ? dref.data() : nullptr, scale);
  std::vector<float> dgot(n + kGuardCells, kGuard);
  float lgot;
  if (mode == 2) {
    dgot = logits;
    lgot = k.logsoftmax_xent(n, dgot.data(), target, dgot.data(), scale);
  } else {
    lgot = k.logsoftmax_xent(n, logits.data(), target, mode ? dgot.data() : nullptr, scale);
  }
  EXPECT_NEAR(lgot, lref, 1e-5 * std::max(1.0f, std::fabs(lref)));
  if (mode == 0) {
    for (float d : dgot) ASSERT_TRUE(is_guard(d));
    return;
  }
  const double tol = 1e-6 * std::max(1.0f, std::fabs(scale));
  for (int i = 0; i < n; ++i) ASSERT_NEAR(dgot[i], dref[i], tol) << "dlogits[" << i << "]";
  for (size_t i = n; i < dgot.size(); ++i) ASSERT_TRUE(is_guard(dgot[i])) << "guard " << i;
}

TEST(KernelsSimd, LogSoftmaxXent) {
  FOR_EACH_SIMD(k) {
    SCOPED_TRACE(k->name);
    std::mt19937 g(707);
    std::vector<int> sizes = kSizes;
    sizes.push_back(256);
    for (int n : sizes)
      for (float mag : {1.0f, 30.0f, 1e4f})
        for (int mode : {0, 1, 2}) {
          check_xent(*k, n, mag, 0, 1.0f, mode, g);
          check_xent(*k, n, mag, n - 1, 0.25f, mode, g);
          check_xent(*k, n, mag, (int)(g() % n), 1.0f / 64, mode, g);
        }
  }
}

// Tight buffers (ld == cols, nothing after the last element): under
// BI_SANITIZE=ON any read or write past an operand's end is reported.
TEST(KernelsSimd, ExactFitBuffers) {
  FOR_EACH_SIMD(k) {
    SCOPED_TRACE(k->name);
    std::mt19937 g(1111);
    const Kernels& s = *scalar_kernels();
    for (int m : {1, 5, 7, 13, 97})
      for (int n : {1, 3, 9, 17, 130}) {
        SCOPED_TRACE(testing::Message() << "m=" << m << " n=" << n);
        const int kk = 11;
        const auto A = random_vec((size_t)m * kk, g), At = random_vec((size_t)kk * m, g);
        const auto B = random_vec((size_t)kk * n, g);
        std::vector<float> C(m * n), Cr(m * n), Ct(m * n, 0.0f), Ctr(m * n, 0.0f);
        k->gemm_nn(m, n, kk, A.data(), kk, B.data(), n, C.data(), n, false);
        s.gemm_nn(m, n, kk, A.data(), kk, B.data(), n, Cr.data(), n, false);
        k->gemm_tn(m, n, kk, At.data(), m, B.data(), n, Ct.data(), n);
        s.gemm_tn(m, n, kk, At.data(), m, B.data(), n, Ctr.data(), n);
        for (int i = 0; i < m * n; ++i) {
          ASSERT_NEAR(C[i], Cr[i], 1e-5 * (1 + kk));
          ASSERT_NEAR(Ct[i], Ctr[i], 1e-5 * (1 + kk));
        }
        const auto M = random_vec((size_t)m * n, g), xm = random_vec(m, g), xn = random_vec(n, g);
        std::vector<float> yn(m), ynr(m), yt(n), ytr(n);
        k->gemv_n(m, n, M.data(), n, xn.data(), yn.data(), false);
        s.gemv_n(m, n, M.data(), n, xn.data(), ynr.data(), false);
        k->gemv_t(m, n, M.data(), n, xm.data(), yt.data(), false);
        s.gemv_t(m, n, M.data(), n, xm.data(), ytr.data(), false);
        for (int i = 0; i < m; ++i) ASSERT_NEAR(yn[i], ynr[i], 1e-5 * (1 + n));
        for (int j = 0; j < n; ++j) ASSERT_NEAR(yt[j], ytr[j], 1e-5 * (1 + m));
        auto G = M, Gr = M;
        k->ger(m, n, 0.5f, xm.data(), xn.data(), G.data(), n);
        s.ger(m, n, 0.5f, xm.data(), xn.data(), Gr.data(), n);
        for (int i = 0; i < m * n; ++i) ASSERT_NEAR(G[i], Gr[i], 1e-5);
        std::vector<float> th(n), thr(n), d(n), dr(n);
        k->tanh(n, xn.data(), th.data());
        s.tanh(n, xn.data(), thr.data());
        for (int j = 0; j < n; ++j) ASSERT_NEAR(th[j], thr[j], 2e-6);
        ASSERT_NEAR(k->logsoftmax_xent(n, xn.data(), n - 1, d.data(), 1.0f),
                    s.logsoftmax_xent(n, xn.data(), n - 1, dr.data(), 1.0f), 1e-5);
        for (int j = 0; j < n; ++j) ASSERT_NEAR(d[j], dr[j], 1e-6);
        ASSERT_NEAR(k->dot(n, xn.data(), th.data()), s.dot(n, xn.data(), th.data()), 1e-5 * (1 + n));
        auto ya = th, yar = th;
        k->axpy(n, 0.3f, xn.data(), ya.data());
        s.axpy(n, 0.3f, xn.data(), yar.data());
        for (int j = 0; j < n; ++j) ASSERT_NEAR(ya[j], yar[j], 1e-5);
      }
  }
}

// ---------------------------------------------------------------- scalar reference
TEST(KernelsScalar, AgainstDouble) {
  const Kernels& s = *scalar_kernels();
  std::mt19937 g(808);
  for (int M : {1, 3, 8, 17})
    for (int N : {1, 7, 16, 33})
      for (int K : {1, 5, 32, 129}) {
        SCOPED_TRACE(testing::Message() << "M=" << M << " N=" << N << " K=" << K);
        const int lda = K + 1, ldb = N + 2, ldc = N + 3, ldt = M + 1;
        const auto A = random_mat(M, K, lda, g), At = random_mat(K, M, ldt, g);
        const auto B = random_mat(K, N, ldb, g), C0 = random_mat(M, N, ldc, g);
        auto C = C0, Ct = C0, Cz = C0;
        s.gemm_nn(M, N, K, A.data(), lda, B.data(), ldb, C.data(), ldc, true);
        s.gemm_nn(M, N, K, A.data(), lda, B.data(), ldb, Cz.data(), ldc, false);
        s.gemm_tn(M, N, K, At.data(), ldt, B.data(), ldb, Ct.data(), ldc);
        for (int i = 0; i < M; ++i)
          for (int j = 0; j < N; ++j) {
            double d = 0, dt = 0, b = 0, bt = 0;
            for (int k = 0; k < K; ++k) {
              const double bb = B[(size_t)k * ldb + j];
              d += A[(size_t)i * lda + k] * bb;
              dt += At[(size_t)k * ldt + i] * bb;
              b += std::fabs(A[(size_t)i * lda + k] * bb);
              bt += std::fabs(At[(size_t)k * ldt + i] * bb);
            }
            const double c0 = C0[(size_t)i * ldc + j];
            ASSERT_NEAR(Cz[(size_t)i * ldc + j], d, 1e-5 * (1 + b));
            ASSERT_NEAR(C[(size_t)i * ldc + j], c0 + d, 1e-5 * (1 + b + std::fabs(c0)));
            ASSERT_NEAR(Ct[(size_t)i * ldc + j], c0 + dt, 1e-5 * (1 + bt + std::fabs(c0)));
          }
        // gemv_n / gemv_t / dot / ger on the same A.
        const auto x = random_vec(K, g), xt = random_vec(M, g);
        std::vector<float> y(M, 0.5f), yt(K, 0.5f);
        s.gemv_n(M, K, A.data(), lda, x.data(), y.data(), true);
        s.gemv_t(M, K, A.data(), lda, xt.data(), yt.data(), false);
        for (int i = 0; i < M; ++i) {
          double d = 0.5, b = 0.5;
          for (int k = 0; k < K; ++k)
            d += (double)A[(size_t)i * lda + k] * x[k], b += std::fabs(A[(size_t)i * lda + k] * x[k]);
          ASSERT_NEAR(y[i], d, 1e-5 * (1 + b));
          ASSERT_NEAR(s.dot(K, A.data() + (size_t)i * lda, x.data()), d - 0.5, 1e-5 * (1 + b));
        }
        for (int k = 0; k < K; ++k) {
          double d = 0, b = 0;
          for (int i = 0; i < M; ++i)
            d += (double)A[(size_t)i * lda + k] * xt[i], b += std::fabs(A[(size_t)i * lda + k] * xt[i]);
          ASSERT_NEAR(yt[k], d, 1e-5 * (1 + b));
        }
        auto G = A;
        s.ger(M, K, -0.5f, xt.data(), x.data(), G.data(), lda);
        for (int i = 0; i < M; ++i)
          for (int k = 0; k < K; ++k)
            ASSERT_NEAR(G[(size_t)i * lda + k], A[(size_t)i * lda + k] - 0.5 * xt[i] * x[k], 1e-6);
        auto ax = x;
        s.axpy(K, 2.0f, x.data(), ax.data());
        for (int k = 0; k < K; ++k) ASSERT_NEAR(ax[k], 3.0 * x[k], 1e-6);
      }
}

TEST(KernelsScalar, TanhAndXentAgainstDouble) {
  const Kernels& s = *scalar_kernels();
  std::vector<float> x, y;
  for (int i = -2000; i <= 2000; ++i) x.push_back(i * 0.01f);
  y.resize(x.size());
  s.tanh((int)x.size(), x.data(), y.data());
  for (size_t i = 0; i < x.size(); ++i) ASSERT_NEAR(y[i], std::tanh((double)x[i]), 2e-7) << x[i];
  std::mt19937 g(909);
  for (int n : {1, 2, 7, 256})
    for (float mag : {1.0f, 1e4f}) {
      auto l = random_vec(n, g, -mag, mag);
      const int t = (int)(g() % n);
      double mx = -INFINITY, sum = 0;
      for (float v : l) mx = std::max(mx, (double)v);
      for (float v : l) sum += std::exp(v - mx);
      const double want = mx + std::log(sum) - l[t];
      std::vector<float> d(n);
      const float got = s.logsoftmax_xent(n, l.data(), t, d.data(), 0.5f);
      ASSERT_NEAR(got, want, 1e-5 * std::max(1.0, std::fabs(want))) << n << " " << mag;
      for (int i = 0; i < n; ++i)
        ASSERT_NEAR(d[i], 0.5 * (std::exp(l[i] - mx) / sum - (i == t)), 1e-7);
    }
}

// ---------------------------------------------------------------- dispatch
TEST(Dispatch, NamesRoundTrip) {
  for (const IsaEntry& e : isa_registry()) {
    Isa back = Isa::scalar;
    ASSERT_TRUE(parse_isa(e.name, &back)) << e.name;
    EXPECT_EQ(back, e.isa);
    EXPECT_STREQ(isa_name(e.isa), e.name);
  }
  EXPECT_EQ(isa_names(), "avx2|neon|scalar");  // priority order, scalar last
  Isa dummy;
  for (const char* bad : {"", "AVX2", "sse2", "avx512", "scalar "})
    EXPECT_FALSE(parse_isa(bad, &dummy)) << bad;
}

TEST(Dispatch, TablesAreConsistent) {
  ASSERT_EQ(kernels_for(Isa::scalar), scalar_kernels());
  EXPECT_TRUE(isa_supported(Isa::scalar));
  EXPECT_EQ(isa_registry().back().isa, Isa::scalar);  // the fallback comes last
  for (const IsaEntry& e : isa_registry()) {
    const Isa isa = e.isa;
    const Kernels* k = kernels_for(isa);
    EXPECT_EQ(k != nullptr, isa_supported(isa));
    // Where the CPU can run an ISA the build has its table (no silent scalar-only build).
    if (e.cpu_can_run()) {
      EXPECT_NE(e.table(), nullptr) << e.name;
    }
    if (!k) continue;
    EXPECT_EQ(k->isa, isa);
    EXPECT_STREQ(k->name, isa_name(isa));
    // Every member is set (kernels.h's static_assert ties the list to the struct).
#define BI_EXPECT_SET(member, fn) EXPECT_NE((const void*)k->member, nullptr) << e.name << " " #member;
    BI_KERNEL_MEMBERS(BI_EXPECT_SET)
#undef BI_EXPECT_SET
  }
  std::cout << "[ info ] best ISA here: " << isa_name(best_isa()) << "\n";
}

TEST(Dispatch, KernelsFromEnv) {
  std::string err;
  EXPECT_EQ(kernels_from_env(nullptr, &err), kernels_for(best_isa()));
  EXPECT_EQ(kernels_from_env("", &err), kernels_for(best_isa()));
  EXPECT_EQ(kernels_from_env("scalar", &err), scalar_kernels());
  EXPECT_TRUE(err.empty());
  EXPECT_EQ(kernels_from_env("fast", &err), nullptr);
  EXPECT_EQ(err, "BI_FORCE_ISA=fast is not an ISA (avx2|neon|scalar)");
  for (const IsaEntry& e : isa_registry()) {
    const Isa isa = e.isa;
    err.clear();
    const Kernels* k = kernels_from_env(isa_name(isa), &err);
    if (isa_supported(isa)) {
      EXPECT_EQ(k, kernels_for(isa));
      EXPECT_TRUE(err.empty());
    } else {
      EXPECT_EQ(k, nullptr);
      EXPECT_EQ(err, std::string("BI_FORCE_ISA=") + isa_name(isa) + ": this CPU/build cannot run " +
                         isa_name(isa));
    }
  }
}

#if GTEST_HAS_DEATH_TEST
void set_env(const char* name, const char* value) {
#ifdef _WIN32
  _putenv_s(name, value);
#else
  setenv(name, value, 1);
#endif
}

// default_kernels() caches its first answer, so each case runs in a fresh child
// process ("threadsafe" death tests re-execute the binary).
TEST(Dispatch, DefaultKernelsHonoursForceIsa) {
#ifdef GTEST_FLAG_SET
  GTEST_FLAG_SET(death_test_style, "threadsafe");
#else
  ::testing::GTEST_FLAG(death_test_style) = "threadsafe";
#endif
  EXPECT_EXIT(
      {
        set_env("BI_FORCE_ISA", "scalar");
        std::string err;
        const Kernels* k = default_kernels(&err);
        std::exit(k == scalar_kernels() && default_kernels(nullptr) == k ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
  EXPECT_EXIT(
      {
        set_env("BI_FORCE_ISA", "bogus");
        std::string err;
        const Kernels* k = default_kernels(&err);
        std::exit(k == nullptr && err == "BI_FORCE_ISA=bogus is not an ISA (avx2|neon|scalar)" ? 0
                                                                                              : 1);
      },
      ::testing::ExitedWithCode(0), "");
  EXPECT_EXIT(
      {
        set_env("BI_FORCE_ISA", "");
        std::string err;
        std::exit(default_kernels(&err) == kernels_for(best_isa()) ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}
#endif

// sum_squares: the scalar table against a long-double sum (within rounding of 10^5 terms);
// every SIMD table bitwise the scalar one (exact squares, same lanes, same order of adds).
TEST(KernelsSimd, SumSquares) {
  std::mt19937 g(1212);
  std::vector<int> sizes(std::begin(kSizes), std::end(kSizes));
  sizes.push_back(82304);  // a whole H = 128 gradient
  for (int n : sizes) {
    SCOPED_TRACE(testing::Message() << "n=" << n);
    auto x = random_vec(n, g, -3.0f, 3.0f);
    if (n > 5) x[5] = 1e-30f, x[n - 1] = 7e18f;  // tiny and huge squares stay in double range
    long double want = 0;
    for (float v : x) want += (long double)v * v;
    const double ref = scalar_kernels()->sum_squares(n, x.data());
    ASSERT_NEAR(ref, double(want), 1e-13 * double(want) + 1e-300);
    FOR_EACH_SIMD(k) {
      SCOPED_TRACE(k->name);
      const double got = k->sum_squares(n, x.data());
      ASSERT_EQ(0, std::memcmp(&got, &ref, sizeof got)) << got << " vs " << ref;
    }
  }
}

// Pre-activations with every special case of the sign and the margin: ±0, NaN, ±Inf, values on
// and beside the power-of-two bin edges, below 2^−32 and above 2^32, 0.1f and 1 exactly.
std::vector<float> margin_inputs(int n, std::mt19937& g) {
  auto z = random_vec(size_t(n), g, -8.0f, 8.0f);
  const float specials[] = {0.0f, -0.0f, std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                            -std::numeric_limits<float>::infinity(), 1.0f, -1.0f, 0.1f, -0.1f, std::nextafter(1.0f, 0.0f),
                            std::nextafter(0.1f, 0.0f), 0x1p-32f, std::nextafter(0x1p-32f, 0.0f), 1e-40f, 0x1p32f,
                            std::nextafter(0x1p32f, 0.0f), -3e38f, 0.0625f, -127.9f, 128.0f};
  for (int i = 0; i < n; i += 3) z[size_t(i)] = specials[(i / 3) % (sizeof specials / sizeof *specials)];
  return z;
}

// margin_bin against its definition through frexp: 64 equal bins per octave of [2^−32, 2^32).
TEST(KernelsScalar, MarginBin) {
  std::mt19937 g(77);
  auto z = margin_inputs(4096, g);
  for (float e = -40; e <= 40; e += 0.37f) z.push_back(std::exp2(e));
  for (float x : z) {
    const float a = std::fabs(x);
    int want;
    if (std::isnan(a) || a >= 0x1p32f) want = kMarginFineBins - 1;
    else if (a < 0x1p-32f) want = 0;
    else {
      int e;
      const double m = std::frexp(double(a), &e);  // a = m·2^e, m ∈ [0.5, 1)
      want = (e - 1 + 32) * 64 + int(std::floor((2 * m - 1) * 64)) + 1;
    }
    ASSERT_EQ(margin_bin(a), want) << a;
  }
}

TEST(KernelsSimd, SignBits) {
  std::mt19937 g(31);
  for (int n : {1, 7, 8, 9, 31, 32, 33, 64, 100, 127, 128, 129, 257}) {
    SCOPED_TRACE(testing::Message() << "n=" << n);
    const auto z = margin_inputs(n, g);
    const size_t nb = size_t(n + 7) / 8;
    std::vector<uint8_t> ref(nb + 4, 0xA5);
    scalar_kernels()->sign_bits(n, z.data(), ref.data());
    for (int i = 0; i < n; ++i) ASSERT_EQ((ref[size_t(i) / 8] >> (i % 8)) & 1, z[size_t(i)] >= 0.0f ? 1 : 0) << i;
    if (n % 8) {
      ASSERT_EQ(ref[nb - 1] >> (n % 8), 0);  // unused high bits are 0
    }
    for (size_t i = nb; i < ref.size(); ++i) ASSERT_EQ(ref[i], 0xA5);  // nothing past ceil(n/8)
    FOR_EACH_SIMD(k) {
      SCOPED_TRACE(k->name);
      std::vector<uint8_t> got(nb + 4, 0xA5);
      k->sign_bits(n, z.data(), got.data());
      ASSERT_EQ(got, ref);
    }
  }
}

TEST(KernelsSimd, MarginScan) {
  std::mt19937 g(32);
  for (int n : {0, 1, 7, 8, 9, 17, 127, 128, 129, 1000}) {
    SCOPED_TRACE(testing::Message() << "n=" << n);
    auto z = margin_inputs(n, g);
    for (float& v : z)  // sums that stay finite in float
      if (!(std::fabs(v) < 1e30f)) v = 5.0f;
    std::vector<uint64_t> hist(kMarginFineBins, 3);
    std::vector<float> a(size_t(n) + 1, -1.0f);
    MarginSums ref;
    ref.abs_sum = 0.5;
    scalar_kernels()->margin_scan(n, z.data(), a.data(), hist.data(), &ref);
    // The scalar table against a direct count.
    std::vector<uint64_t> want(kMarginFineBins, 3);
    double sum = 0.5;
    uint64_t b1 = 0, b01 = 0;
    for (int i = 0; i < n; ++i) {
      const float v = std::fabs(z[size_t(i)]);
      ++want[size_t(margin_bin(v))];
      sum += v;
      b1 += v < 1.0f;
      b01 += v < 0.1f;
      ASSERT_EQ(a[size_t(i)], v);
    }
    ASSERT_EQ(a[size_t(n)], -1.0f);
    ASSERT_EQ(hist, want);
    ASSERT_EQ(ref.below_1, b1);
    ASSERT_EQ(ref.below_01, b01);
    ASSERT_NEAR(ref.abs_sum, sum, 1e-6 * sum);
    FOR_EACH_SIMD(k) {
      SCOPED_TRACE(k->name);
      std::vector<uint64_t> h2(kMarginFineBins, 3);
      std::vector<float> a2(size_t(n) + 1, -1.0f);
      MarginSums got;
      got.abs_sum = 0.5;
      k->margin_scan(n, z.data(), a2.data(), h2.data(), &got);
      ASSERT_EQ(h2, hist);
      ASSERT_EQ(a2, a);
      ASSERT_EQ(got.below_1, ref.below_1);
      ASSERT_EQ(got.below_01, ref.below_01);
      ASSERT_EQ(0, std::memcmp(&got.abs_sum, &ref.abs_sum, sizeof got.abs_sum)) << got.abs_sum << " vs " << ref.abs_sum;
      MarginSums no_a;  // without the |z| output: the same figures
      std::vector<uint64_t> h3(kMarginFineBins, 3);
      k->margin_scan(n, z.data(), nullptr, h3.data(), &no_a);
      ASSERT_EQ(h3, hist);
      ASSERT_EQ(no_a.below_1, ref.below_1);
    }
  }
}

}  // namespace
}  // namespace bi
