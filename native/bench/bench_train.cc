// Training throughput of train_run alone (no Node), for profiling with perf.
// Usage: bench_train [--phases] [batch=64] [threads=1] [steps=200] [isa=default] [corpus=enwiki-2016-sample.xml path]
// --phases: after the timed run, runs the same steps again with the phase timers of
// step_phases.h on and prints the median µs per step of every phase, and for the matrix
// phases their GFLOP/s against the FMA peak measured in the same run.
// Scale recipe (Adam, window 50, H = 128, mean loss, clip 5) from the seed-1 initialisation
// of docs/training.md; prints bytes/s of the timed steps and an FNV-1a hash of the final
// weights (the same arguments must always print the same hash).
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench_util.h"
#include "bi/rnn.h"
#include "bi/step_phases.h"
#include "bi/train.h"

namespace {
uint32_t mulberry32(uint32_t* s) {
  uint32_t t = (*s += 0x6D2B79F5u);
  t = (t ^ (t >> 15)) * (t | 1u);
  t ^= t + (t ^ (t >> 7)) * (t | 61u);
  return t ^ (t >> 14);
}
// FLOP per step of each matrix phase (2 per multiply-add), 0 for the others.
double phase_flops(int p, int T, int B, int H) {
  namespace sp = bi::step_phases;
  const double R = double(T) * B, HH = double(H) * H, VH = 256.0 * H;
  switch (p) {
    case sp::kRecurrence: return 2 * R * HH;
    case sp::kRecurrenceBack: return 2 * (T - 1.0) * B * HH;
    case sp::kGradWh: return 2 * R * HH;
    case sp::kReadout:
    case sp::kGradWy:
    case sp::kGradH: return 2 * R * VH;
    default: return 0;
  }
}

void print_phases(const bi::Kernels& k, int T, int B, int H) {
  namespace sp = bi::step_phases;
  const sp::Summary s = sp::take_summary();
  const double peak = bi::fma_peak_flops(k.isa, 0.3);
  std::printf("phases (median over %d steps, µs per step; FMA peak %.1f GFLOP/s):\n", s.steps, peak / 1e9);
  double sum = 0, flops = 0, matrix_us = 0;
  for (int p = 0; p < sp::kCount; ++p) {
    const double us = s.phase_us[p], f = phase_flops(p, T, B, H);
    sum += us;
    std::printf("  %-16s %9.1f  %5.1f%%", sp::name(sp::Phase(p)), us, 100 * us / s.step_us);
    if (f > 0 && us > 0) {
      std::printf("   %6.1f GFLOP/s  %5.1f%% of peak", f / us / 1e3, 100 * f / (us * 1e-6) / peak);
      flops += f;
      matrix_us += us;
    }
    std::printf("\n");
  }
  std::printf("  %-16s %9.1f  %5.1f%%\n", "(untimed)", s.step_us - sum, 100 * (s.step_us - sum) / s.step_us);
  std::printf("  %-16s %9.1f          step; its FLOP at the peak would take %.1f µs (%.0f%% of it)\n", "whole step",
              s.step_us, flops / peak * 1e6, 100 * flops / peak * 1e6 / s.step_us);
}
}  // namespace

int main(int argc, char** argv) {
  bool phases = false;
  if (argc > 1 && std::strcmp(argv[1], "--phases") == 0) {
    phases = true;
    --argc;
    ++argv;
  }
  const int B = argc > 1 ? std::atoi(argv[1]) : 64;
  const int threads = argc > 2 ? std::atoi(argv[2]) : 1;
  const int steps = argc > 3 ? std::atoi(argv[3]) : 200;
  std::string err;
  const bi::Kernels* k = bi::default_kernels(&err);
  if (argc > 4 && std::strcmp(argv[4], "default") != 0) {
    bi::Isa isa;
    if (!bi::parse_isa(argv[4], &isa) || !(k = bi::kernels_for(isa))) {
      std::fprintf(stderr, "unknown or unsupported isa %s\n", argv[4]);
      return 2;
    }
  }
  if (!k) {
    std::fprintf(stderr, "%s\n", err.c_str());
    return 2;
  }
  std::string path = argc > 5 ? argv[5] : std::string(BI_BENCH_CORPORA) + "/enwiki-2016-sample.xml";
  std::vector<uint8_t> data = bench::read_all(path);
  if (data.size() < 1000000) {  // no corpus: pseudo-text bytes
    uint32_t s = 7;
    data.resize(4 << 20);
    for (auto& c : data) c = uint8_t(32 + mulberry32(&s) % 96);
  }
  const int H = 128;
  const size_t n = bi::param_count(H);
  std::vector<float> p(n, 0.0f), m(n, 0.0f), v(n, 0.0f), hidden(size_t(B) * H, 0.0f);
  uint32_t seed = 1;
  const size_t weights_before_bh = size_t(H) * 256 + size_t(H) * H;
  for (size_t i = 0; i < weights_before_bh; ++i) p[i] = (float(mulberry32(&seed) / 4294967296.0) - 0.5f) / 128;
  float* wy = p.data() + weights_before_bh + H;
  for (size_t i = 0; i < size_t(256) * H; ++i) wy[i] = (float(mulberry32(&seed) / 4294967296.0) - 0.5f) / 128;

  bi::TrainConfig c;
  c.H = H;
  c.streams = B;
  c.window = 50;
  c.threads = threads;
  c.optimizer = bi::Optimizer::adam;
  c.lr = 2e-3;
  c.clip = 5;
  c.begin = 0;
  c.end = data.size() * 9 / 10;
  bi::TrainState st;
  st.params = p.data();
  st.m = m.data();
  st.v = v.data();
  st.hidden = hidden.data();
  bi::TrainRunOptions o;
  o.kernels = k;
  bi::TrainRunResult r;
  o.max_steps = 3;  // warm-up
  bi::Status s = bi::train_run(data.data(), data.size(), c, &st, o, &r);
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.message.c_str());
    return 1;
  }
  o.max_steps = uint64_t(steps);
  const auto t0 = std::chrono::steady_clock::now();
  s = bi::train_run(data.data(), data.size(), c, &st, o, &r);
  const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.message.c_str());
    return 1;
  }
  uint64_t hash = 1469598103934665603ull;
  for (float f : p) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    for (int b = 0; b < 4; ++b) hash = (hash ^ ((u >> (8 * b)) & 0xff)) * 1099511628211ull;
  }
  std::printf("isa=%s batch=%d threads=%d steps=%d  %.0f bytes/s  loss %.4f bpc  weights %016llx\n", k->name, B,
              threads, steps, double(r.positions) / dt, r.nats / double(r.positions) / std::log(2.0),
              (unsigned long long)hash);
  if (phases) {
    bi::step_phases::enable(true);
    s = bi::train_run(data.data(), data.size(), c, &st, o, &r);
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.message.c_str());
      return 1;
    }
    print_phases(*k, c.window, B, H);
    bi::step_phases::enable(false);
  }
  return 0;
}
