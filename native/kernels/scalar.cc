// Scalar reference kernels: plain loops, float accumulation in index order.
// Every SIMD table is tested against these (native/tests/test_kernels.cc).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

#include "bi/kernels.h"

namespace bi {
namespace scalar {
namespace {

void gemm_nn(int M, int N, int K, const float* A, int lda, const float* B, int ldb,
             float* C, int ldc, bool accumulate) {
  for (int i = 0; i < M; ++i) {
    float* c = C + (std::ptrdiff_t)i * ldc;
    if (!accumulate)
      for (int j = 0; j < N; ++j) c[j] = 0.0f;
    // i-k-j order: each C row is updated by scaled rows of B.
    for (int k = 0; k < K; ++k) {
      const float a = A[(std::ptrdiff_t)i * lda + k];
      const float* b = B + (std::ptrdiff_t)k * ldb;
      for (int j = 0; j < N; ++j) c[j] += a * b[j];
    }
  }
}

void gemm_tn(int M, int N, int K, const float* A, int lda, const float* B, int ldb,
             float* C, int ldc) {
  for (int k = 0; k < K; ++k) {
    const float* a = A + (std::ptrdiff_t)k * lda;
    const float* b = B + (std::ptrdiff_t)k * ldb;
    for (int i = 0; i < M; ++i) {
      float* c = C + (std::ptrdiff_t)i * ldc;
      for (int j = 0; j < N; ++j) c[j] += a[i] * b[j];
    }
  }
}

float dot(int n, const float* x, const float* y) {
  float s = 0.0f;
  for (int i = 0; i < n; ++i) s += x[i] * y[i];
  return s;
}

void gemv_n(int M, int N, const float* A, int lda, const float* x, float* y,
            bool accumulate) {
  for (int i = 0; i < M; ++i) {
    const float s = dot(N, A + (std::ptrdiff_t)i * lda, x);
    y[i] = accumulate ? y[i] + s : s;
  }
}

void gemv_t(int M, int N, const float* A, int lda, const float* x, float* y,
            bool accumulate) {
  if (!accumulate)
    for (int j = 0; j < N; ++j) y[j] = 0.0f;
  for (int i = 0; i < M; ++i) {
    const float xi = x[i];
    const float* a = A + (std::ptrdiff_t)i * lda;
    for (int j = 0; j < N; ++j) y[j] += a[j] * xi;
  }
}

void ger(int M, int N, float alpha, const float* x, const float* y, float* A, int lda) {
  for (int i = 0; i < M; ++i) {
    const float ax = alpha * x[i];
    float* a = A + (std::ptrdiff_t)i * lda;
    for (int j = 0; j < N; ++j) a[j] += ax * y[j];
  }
}

void tanh_(int n, const float* x, float* y) {
  for (int i = 0; i < n; ++i) y[i] = std::tanh(x[i]);
}

float logsoftmax_xent(int n, const float* logits, int target, float* dlogits,
                      float scale) {
  const float lt = logits[target];  // read before dlogits (may alias) is written
  float mx = -std::numeric_limits<float>::infinity();
  for (int i = 0; i < n; ++i) mx = logits[i] > mx ? logits[i] : mx;
  float sum = 0.0f;
  for (int i = 0; i < n; ++i) sum += std::exp(logits[i] - mx);
  // sum >= 1 (the max term is exp(0)); the log and the final subtraction in
  // double keep the loss exact-ish even for logits around 1e4.
  const double lse = (double)mx + std::log((double)sum);
  if (dlogits) {
    const float inv = scale / sum;
    for (int i = 0; i < n; ++i) dlogits[i] = std::exp(logits[i] - mx) * inv;
    dlogits[target] -= scale;
  }
  return (float)(lse - (double)lt);
}

void axpy(int n, float a, const float* x, float* y) {
  for (int i = 0; i < n; ++i) y[i] += a * x[i];
}

bool adam(int n, float* p, float* m, float* v, const float* g, const AdamStep& s) {
  uint32_t bad = 0;
  for (int i = 0; i < n; ++i) {
    const float gi = s.gscale * g[i];
    m[i] = s.b1 * m[i] + (1.0f - s.b1) * gi;
    v[i] = s.b2 * v[i] + (1.0f - s.b2) * gi * gi;
    p[i] -= s.lr * (m[i] * s.c1) / (std::sqrt(v[i] * s.c2) + s.eps);
    uint32_t u;
    std::memcpy(&u, p + i, sizeof u);
    bad |= (u & 0x7f800000u) == 0x7f800000u;
  }
  return bad == 0;
}

void transpose(int rows, int cols, const float* src, int lds, float* dst, int ldd) {
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) dst[(size_t)j * ldd + i] = src[(size_t)i * lds + j];
}

void tanh_grad(int n, const float* dh, const float* dnext, const float* h, float* dz) {
  for (int i = 0; i < n; ++i) {
    const float d = dnext ? dh[i] + dnext[i] : dh[i];
    const float hh = h[i] * h[i];
    dz[i] = d * (1.0f - hh);
  }
}

double sum_squares(int n, const float* x) {
  double acc[32] = {0};
  int i = 0;
  for (; i + 32 <= n; i += 32)
    for (int l = 0; l < 32; ++l) acc[l] += double(x[i + l]) * double(x[i + l]);
  for (int l = 0; i < n; ++i, ++l) acc[l] += double(x[i]) * double(x[i]);
  return combine_lanes32(acc);
}

void sign_bits(int n, const float* x, uint8_t* out) {
  for (int i = 0; i < n; i += 8) sign_byte(i, n, x, out);
}

void margin_scan(int n, const float* z, float* a, uint64_t* hist, MarginSums* acc) {
  float lanes[8] = {};
  uint64_t below_1 = 0, below_01 = 0;
  int i = 0;
  for (; i + 8 <= n; i += 8)
    for (int l = 0; l < 8; ++l) {
      const float v = std::fabs(z[i + l]);
      if (a) a[i + l] = v;
      ++hist[margin_bin(v)];
      below_1 += v < 1.0f;
      below_01 += v < 0.1f;
      lanes[l] += v;
    }
  margin_scan_finish(i, n, z, a, hist, lanes, below_1, below_01, acc);
}

}  // namespace
}  // namespace scalar

const Kernels* scalar_kernels() {
  static const Kernels table = BI_KERNEL_TABLE(scalar);
  return &table;
}

}  // namespace bi
