// Float64 reference model for tests: the plain definitions of SPEC §0/§1 with no
// rearranged weights, no kernels and no batching.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "bi/eval.h"
#include "bi/kernels.h"
#include "bi/rnn.h"
#include "kernel_tables.h"

namespace bi_test {


// ln p(target) of the readout on state h (H doubles).
inline double reference_logp(const bi::ModelView& m, const double* h, int target) {
  const int H = m.H;
  std::vector<double> logits(bi::kVocab);
  double mx = -1e300;
  for (int o = 0; o < bi::kVocab; ++o) {
    double s = m.by[o];
    for (int j = 0; j < H; ++j) s += double(m.Wy[size_t(o) * H + j]) * h[j];
    logits[o] = s;
    mx = std::max(mx, s);
  }
  double sum = 0;
  for (int o = 0; o < bi::kVocab; ++o) sum += std::exp(logits[o] - mx);
  return logits[target] - mx - std::log(sum);
}

// −log2 p summed over t = begin … end−2 from h = 0; optionally keeps h_t per step.
inline double reference_bits(const bi::ModelView& m, const uint8_t* x, uint64_t begin, uint64_t end,
                             std::vector<double>* states = nullptr) {
  const int H = m.H;
  std::vector<double> h(H, 0.0), z(H);
  double bits = 0;
  for (uint64_t t = begin; t < end; ++t) {
    for (int i = 0; i < H; ++i) {
      double s = m.bh[i] + m.Wx[size_t(i) * bi::kVocab + x[t]];
      for (int j = 0; j < H; ++j) s += double(m.Wh[size_t(i) * H + j]) * h[j];
      z[i] = s;
    }
    for (int i = 0; i < H; ++i) h[i] = std::tanh(z[i]);
    if (states) states->insert(states->end(), h.begin(), h.end());
    if (t + 1 >= end) break;
    const double logp = reference_logp(m, h.data(), x[t + 1]);
    bits += std::min(-logp, -std::log(1e-30)) / std::log(2.0);
  }
  return bits;
}

// Text over a small alphabet with occasional other bytes: repeated contexts, and every byte range.
inline std::vector<uint8_t> random_text(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (auto& c : v) c = uint8_t("abc de<>\n"[rng() % 9] + (rng() % 7 == 0 ? rng() % 100 : 0));
  return v;
}

// A gradient in the training layout (rnn.h TrainGradView: Wx stored transposed) in the raw
// order, through the scalar table's exact transpose.
inline void grads_to_raw(int H, const float* train_layout, float* raw) {
  const size_t wx = size_t(H) * bi::kVocab;
  bi::kernels_for(bi::Isa::scalar)->transpose(bi::kVocab, H, train_layout, H, raw, bi::kVocab);
  std::copy(train_layout + wx, train_layout + bi::param_count(H), raw + wx);
}

// One evaluate() pass over [begin, end) of x keeping `capture`; the status is returned.
inline bi::Status capture_pass(const bi::Kernels& k, const bi::ModelView& m, const std::vector<uint8_t>& x,
                               uint64_t begin, uint64_t end, const bi::Capture& capture) {
  bi::EvalOptions opt;
  opt.kernels = &k;
  opt.captures = &capture;
  bi::EvalResult r;
  return bi::evaluate(m, x.data(), x.size(), {{begin, end}}, opt, &r);
}

inline std::vector<float> random_params(int H, uint32_t seed, float scale) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-scale, scale);
  std::vector<float> p(bi::param_count(H));
  for (auto& v : p) v = u(rng);
  return p;
}

inline std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

// The study's folder: $BI_EMBED_STUDY_DIR or ../shared/study beside the source tree.
inline std::string study_dir() {
  const char* env = std::getenv("BI_EMBED_STUDY_DIR");
  return env ? std::string(env) : std::string(BI_SOURCE_DIR) + "/../shared/study";
}

}  // namespace bi_test
