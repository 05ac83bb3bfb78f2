// Kernel throughput per ISA, side by side, plus a measured FMA peak.
// Usage: bench_kernels [seconds-per-measurement, default 0.2]
// Matrix kernels report GFLOP/s (2 FLOP per multiply-add); tanh and
// logsoftmax_xent report millions of elements per second and ns per call.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "bi/kernels.h"
#include "bi/train.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#endif

namespace {

double g_seconds = 0.2;
volatile float g_sink;

// Seconds per call of f: about g_seconds in total, split into 20 slices, and
// the fastest slice counts (the machine is shared; the best slice is the one
// least disturbed by other work).
double time_per_call(const std::function<void()>& f) {
  using clk = std::chrono::steady_clock;
  const double slice = g_seconds / 20;
  f();
  long reps = 1;
  for (;;) {
    const auto t0 = clk::now();
    for (long r = 0; r < reps; ++r) f();
    const double dt = std::chrono::duration<double>(clk::now() - t0).count();
    if (dt >= slice / 4) {
      reps = std::max(1L, (long)(reps * slice / dt));
      break;
    }
    reps *= 4;
  }
  double best = 1e30;
  for (int s = 0; s < 20; ++s) {
    const auto t0 = clk::now();
    for (long r = 0; r < reps; ++r) f();
    best = std::min(best, std::chrono::duration<double>(clk::now() - t0).count() / reps);
  }
  return best;
}

// The divider alone: q = a / (√b + c) over n floats, Adam's one square root and one
// division per parameter without its loads of m, v, g (a bound, not a kernel).
#if defined(__x86_64__) || defined(_M_X64)
#if defined(__GNUC__) || defined(__clang__)
__attribute__((target("avx2,fma")))
#endif
void sqrt_div(int n, const float* a, const float* b, float* q) {
  const __m256 c = _mm256_set1_ps(1e-8f);
  for (int i = 0; i + 8 <= n; i += 8)
    _mm256_storeu_ps(q + i, _mm256_div_ps(_mm256_loadu_ps(a + i), _mm256_add_ps(_mm256_sqrt_ps(_mm256_loadu_ps(b + i)), c)));
}
bool sqrt_div_available() { return bi::isa_supported(bi::Isa::avx2); }
#else
void sqrt_div(int, const float*, const float*, float*) {}
bool sqrt_div_available() { return false; }
#endif

struct Case {
  std::string label;
  double work;       // FLOP (matrix kernels) or elements (tanh, xent) per call
  bool flops;
  std::function<void(const bi::Kernels&)> run;
};

std::vector<float> rnd(size_t n, float scale = 1.0f) {
  static std::mt19937 g(42);
  std::uniform_real_distribution<float> d(-scale, scale);
  std::vector<float> v(n);
  for (auto& x : v) x = d(g);
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1) g_seconds = std::atof(argv[1]);
  std::vector<const bi::Kernels*> tables;
  const auto& reg = bi::isa_registry();  // scalar (the reference) in the first column
  for (auto e = reg.rbegin(); e != reg.rend(); ++e)
    if (const bi::Kernels* k = bi::kernels_for(e->isa)) tables.push_back(k);

  // Buffers big enough for every case; B/A/C padded to a non-multiple ld would
  // only measure edge code, so production-like ld = cols.
  const auto A = rnd(256 * 3200), B = rnd(3200 * 256), X = rnd(4096, 3.0f);
  std::vector<float> C(256 * 256), Y(4096);
  const float* a = A.data();
  const float* b = B.data();
  float* c = C.data();
  auto gemm_nn = [&](int M, int N, int K) {
    return Case{"gemm_nn M=" + std::to_string(M) + " N=" + std::to_string(N) +
                    " K=" + std::to_string(K),
                2.0 * M * N * K, true, [=](const bi::Kernels& k) {
                  k.gemm_nn(M, N, K, a, K, b, N, c, N, false);
                }};
  };
  // Adam over the parameters of the H = 128 model (82,304), its state 1.3 MB as in training.
  const int np = 82304;
  std::vector<float> P = rnd(np, 0.1f), Mo(np, 0.0f), V = rnd(np, 1e-3f), G = rnd(np, 1e-2f), Q(np);
  for (auto& v : V) v = std::fabs(v);
  const bi::AdamStep adam_step = {1.0f, 0.9f, 0.999f, 10.0f, 1000.0f, 1e-7f, 1e-8f};
  // The padded Wh (row stride 136) that the batch-1 recurrence reads: 68 KB, more than L1;
  // its first 32 rows (17 KB) stay in L1.
  const auto Wp = rnd(size_t(128) * 136);
  std::vector<Case> cases = {
      gemm_nn(64, 128, 128),
      gemm_nn(48, 256, 128),
      gemm_nn(64, 256, 128),
      gemm_nn(256, 256, 128),
      {"gemm_tn M=128 N=128 K=3200", 2.0 * 128 * 128 * 3200, true,
       [=](const bi::Kernels& k) { k.gemm_tn(128, 128, 3200, a, 128, b, 128, c, 128); }},
      {"gemm_tn M=256 N=128 K=3200", 2.0 * 256 * 128 * 3200, true,
       [=](const bi::Kernels& k) { k.gemm_tn(256, 128, 3200, a, 256, b, 128, c, 128); }},
      {"gemv_n 128x128", 2.0 * 128 * 128, true,
       [&](const bi::Kernels& k) { k.gemv_n(128, 128, a, 128, X.data(), Y.data(), false); }},
      {"gemv_n 256x128", 2.0 * 256 * 128, true,
       [&](const bi::Kernels& k) { k.gemv_n(256, 128, a, 128, X.data(), Y.data(), false); }},
      {"gemv_n 128x128 ld=136 (68 KB, L2)", 2.0 * 128 * 128, true,
       [&](const bi::Kernels& k) { k.gemv_n(128, 128, Wp.data(), 136, X.data(), Y.data(), false); }},
      {"gemv_n 32x128 ld=136 (17 KB, L1)", 2.0 * 32 * 128, true,
       [&](const bi::Kernels& k) { k.gemv_n(32, 128, Wp.data(), 136, X.data(), Y.data(), false); }},
      {"gemv_t 128x128", 2.0 * 128 * 128, true,
       [&](const bi::Kernels& k) { k.gemv_t(128, 128, a, 128, X.data(), Y.data(), false); }},
      {"gemv_t 128x256", 2.0 * 128 * 256, true,
       [&](const bi::Kernels& k) { k.gemv_t(128, 256, a, 256, X.data(), Y.data(), false); }},
      {"ger 128x128", 2.0 * 128 * 128, true,
       [&](const bi::Kernels& k) { k.ger(128, 128, 1e-6f, X.data(), X.data() + 128, c, 128); }},
      {"tanh n=128", 128, false,
       [&](const bi::Kernels& k) { k.tanh(128, X.data(), Y.data()); }},
      {"logsoftmax_xent n=256", 256, false,
       [&](const bi::Kernels& k) {
         g_sink = k.logsoftmax_xent(256, X.data(), 7, Y.data(), 1.0f);
       }},
      {"logsoftmax_xent n=256 no grad", 256, false,
       [&](const bi::Kernels& k) { g_sink = k.logsoftmax_xent(256, X.data(), 7, nullptr, 1.0f); }},
  };

  cases.push_back({"adam n=82304", double(np), false, [&](const bi::Kernels& k) {
                     g_sink = k.adam(np, P.data(), Mo.data(), V.data(), G.data(), adam_step) ? 1.0f : 0.0f;
                   }});
  if (sqrt_div_available())  // the same in every column: a probe of the CPU, not of a table
    cases.push_back({"a/(sqrt b+c) n=82304 (divider)", double(np), false,
                     [&](const bi::Kernels&) { sqrt_div(np, G.data(), V.data(), Q.data()); }});

  // The ceiling of the best table's ISA, measured by the probe bench:train uses (fma_peak.cc).
  const bi::Kernels* best = tables.back();
  const double peak = bi::fma_peak_flops(best->isa, g_seconds) * 1e-9;
  std::printf("measured FMA peak (%s, one core): %.2f GFLOP/s\n\n", best->name, peak);
  std::printf("%-32s", "kernel");
  for (const auto* k : tables) std::printf("%12s", k->name);
  std::printf("   unit      %s %%peak\n", peak > 0 ? best->name : "");
  for (const Case& cs : cases) {
    std::printf("%-32s", cs.label.c_str());
    std::string ns;
    double rate = 0;
    for (const auto* k : tables) {
      const double t = time_per_call([&] { cs.run(*k); });
      rate = cs.work / t * (cs.flops ? 1e-9 : 1e-6);
      std::printf("%12.2f", rate);
      char buf[48];
      std::snprintf(buf, sizeof buf, " %s %.0f ns", k->name, t * 1e9);
      ns += buf;
    }
    std::printf("   %s", cs.flops ? "GFLOP/s" : "Melem/s");
    if (cs.flops && peak > 0)
      std::printf("   %5.1f%%", 100.0 * rate / peak);
    else
      std::printf("         ");
    std::printf("   |%s\n", ns.c_str());
    std::fflush(stdout);
  }
  return 0;
}
