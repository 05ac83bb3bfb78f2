// Training throughput of train_run alone (no Node), for profiling with perf.
// Usage: bench_train [batch=64] [threads=1] [steps=200] [isa=default] [corpus=enwiki-2016-sample.xml path]
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
#include "bi/train.h"

namespace {
uint32_t mulberry32(uint32_t* s) {
  uint32_t t = (*s += 0x6D2B79F5u);
  t = (t ^ (t >> 15)) * (t | 1u);
  t ^= t + (t ^ (t >> 7)) * (t | 61u);
  return t ^ (t >> 14);
}
}  // namespace

int main(int argc, char** argv) {
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
  return 0;
}
