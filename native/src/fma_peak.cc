// The machine's FMA ceiling for bench:train and bench_kernels: one thread runs independent
// FMA chains (enough to cover latency × ports) for a fixed time. This is a probe, not a
// kernel: training never calls it. The AVX2 part sits in a target region and only runs
// after isa_supported(Isa::avx2); NEON is baseline on aarch64; the scalar ISA runs
// scalar FMAs.
#include <chrono>
#include <cmath>

#include "bi/kernels.h"
#include "bi/train.h"
#include "bi/unroll.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#include "bi/target_avx2.h"
BI_TARGET_AVX2_BEGIN
namespace bi {
namespace fma_probe_avx2 {
// 12 chains × 8 lanes × 2 FLOP per iteration.
float run(long iters) {
  __m256 a[12];
  for (int i = 0; i < 12; ++i) a[i] = _mm256_set1_ps(1.0f + 1e-3f * i);
  const __m256 m = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-7f);
  for (long k = 0; k < iters; ++k) {
    BI_UNROLL  // the twelve chains in registers, not in memory
    for (int i = 0; i < 12; ++i) a[i] = _mm256_fmadd_ps(a[i], m, c);
  }
  __m256 s = a[0];
  for (int i = 1; i < 12; ++i) s = _mm256_add_ps(s, a[i]);
  alignas(32) float out[8];
  _mm256_store_ps(out, s);
  return out[0];
}
}  // namespace fma_probe_avx2
}  // namespace bi
BI_TARGET_AVX2_END
#elif defined(__aarch64__) || defined(_M_ARM64)
#include <arm_neon.h>
namespace bi {
namespace fma_probe_neon {
// 16 chains × 4 lanes × 2 FLOP per iteration (32 q registers; FMA latency 4 × 2–4 pipes).
float run(long iters) {
  float32x4_t a[16];
  for (int i = 0; i < 16; ++i) a[i] = vdupq_n_f32(1.0f + 1e-3f * i);
  const float32x4_t m = vdupq_n_f32(0.999999f), c = vdupq_n_f32(1e-7f);
  for (long k = 0; k < iters; ++k) {
    BI_UNROLL
    for (int i = 0; i < 16; ++i) a[i] = vfmaq_f32(c, a[i], m);
  }
  float32x4_t s = a[0];
  for (int i = 1; i < 16; ++i) s = vaddq_f32(s, a[i]);
  return vgetq_lane_f32(s, 0);
}
}  // namespace fma_probe_neon
}  // namespace bi
#endif

namespace bi {
namespace {
float scalar_run(long iters) {
  float a[12];
  for (int i = 0; i < 12; ++i) a[i] = 1.0f + 1e-3f * i;
  for (long k = 0; k < iters; ++k)
    for (int i = 0; i < 12; ++i) a[i] = std::fma(a[i], 0.999999f, 1e-7f);
  float s = 0;
  for (float v : a) s += v;
  return s;
}
volatile float g_sink;
}  // namespace

double fma_peak_flops(Isa isa, double seconds) {
  bool simd = false;
  double simd_flops_per_iter = 0;
#if defined(__x86_64__) || defined(_M_X64)
  simd = isa == Isa::avx2 && isa_supported(Isa::avx2);
  simd_flops_per_iter = 12.0 * 8 * 2;
#elif defined(__aarch64__) || defined(_M_ARM64)
  simd = isa == Isa::neon;
  simd_flops_per_iter = 16.0 * 4 * 2;
#endif
  const double flops_per_iter = simd ? simd_flops_per_iter : 12.0 * 2;
  using Clock = std::chrono::steady_clock;
  double best = 0;
  const auto t_end = Clock::now() + std::chrono::duration<double>(seconds);
  long iters = 1 << 16;
  while (Clock::now() < t_end) {  // best of several short runs: robust to other load
    const auto t0 = Clock::now();
#if defined(__x86_64__) || defined(_M_X64)
    g_sink = simd ? fma_probe_avx2::run(iters) : scalar_run(iters);
#elif defined(__aarch64__) || defined(_M_ARM64)
    g_sink = simd ? fma_probe_neon::run(iters) : scalar_run(iters);
#else
    g_sink = scalar_run(iters);
#endif
    const double dt = std::chrono::duration<double>(Clock::now() - t0).count();
    if (dt < 0.005) { iters *= 2; continue; }
    best = std::max(best, flops_per_iter * double(iters) / dt);
  }
  return best;
}

}  // namespace bi
