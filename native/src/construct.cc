// φ tensors (SPEC §2): the hash input layer, the shift register, by, the sign-conditional
// log-ratio readout and the sign log-odds bias; the state table and position sampling
// that let scale mode skip storing the trajectory.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "bi/construct.h"
#include "bi/splitmix.h"

namespace bi {

void phi_inputs(float* params) {
  const int H = kPhiHidden;
  ParamViews<float> v = param_views(params, H);
  std::fill(v.Wx, v.Wx + size_t(H) * kVocab, 0.0f);
  std::fill(v.Wh, v.Wh + size_t(H) * H, 0.0f);
  std::fill(v.bh, v.bh + H, 0.0f);
  std::fill(v.Wy, v.Wy + size_t(kVocab) * H, 0.0f);
  for (int j = 0; j < kPhiGroupWidth; ++j)
    for (int x = 0; x < kVocab; ++x) v.Wx[size_t(j) * kVocab + x] = kPhiWx * float(hash_sign(x, j));
  for (int g = 1; g < kPhiGroups; ++g)
    for (int j = 0; j < kPhiGroupWidth; ++j)
      v.Wh[size_t(g * kPhiGroupWidth + j) * H + (g - 1) * kPhiGroupWidth + j] = kPhiWh;
}

void phi_by(const PhiCounts& c, float* by) {
  for (int o = 0; o < kVocab; ++o) by[o] = float(std::log((double(c.count[o]) + 0.5) / (double(c.n) + 128.0)));
}

void phi_log_ratios(const PhiCounts& c, double alpha, float* L) {
  const int H = kPhiHidden;
  for (int k = 0; k < H; ++k) {
    const int g = k / kPhiGroupWidth;
    double tp = 256.0 * alpha, tm = 256.0 * alpha;
    for (int o = 0; o < kVocab; ++o) {
      const double p = double(c.plus[size_t(k) * kVocab + o]);
      tp += p;
      tm += double(c.total[size_t(g) * kVocab + o]) - p;
    }
    for (int o = 0; o < kVocab; ++o) {
      const double p = double(c.plus[size_t(k) * kVocab + o]);
      const double m = double(c.total[size_t(g) * kVocab + o]) - p;
      L[size_t(o) * H + k] = float(std::log((alpha + p) / tp) - std::log((alpha + m) / tm));
    }
  }
}

void phi_sign_log_odds(const PhiCounts& c, float* bh) {
  for (int k = 0; k < kPhiHidden; ++k) {
    const double f = c.n ? double(c.nonneg[k]) / double(c.n) : 0.0;
    bh[k] = float(5.0 * std::log(f / (1.0 - f + 1e-6)));
  }
}

void phi_build(const PhiCounts& c, double alpha, double scale, bool sign_bias, float* params) {
  phi_inputs(params);
  auto v = param_views(params, kPhiHidden);
  phi_by(c, v.by);
  phi_log_ratios(c, alpha, v.Wy);
  for (size_t i = 0; i < size_t(kVocab) * kPhiHidden; ++i) v.Wy[i] *= float(scale);
  if (sign_bias) phi_sign_log_odds(c, v.bh);
}

PhiStateTable phi_state_table(const Kernels& k, const float* bh) {
  PhiStateTable t;
  float z[kPhiGroupWidth * 2], h[kPhiGroupWidth * 2];
  for (int g = 0; g < kPhiGroups; ++g) {
    for (int j = 0; j < kPhiGroupWidth; ++j) {
      const int i = g * kPhiGroupWidth + j;
      for (int s = 0; s < 2; ++s) {
        // As in prepare_forward: the input column with the bias folded in, then + Wh·h.
        const float in = g == 0 ? (s ? kPhiWx : -kPhiWx) + bh[i] : bh[i];
        z[j * 2 + s] = g == 0 ? in : float(double(in) + double(kPhiWh) * double(t.a[i - kPhiGroupWidth][s]));
      }
    }
    k.tanh(kPhiGroupWidth * 2, z, h);
    for (int j = 0; j < kPhiGroupWidth; ++j)
      for (int s = 0; s < 2; ++s) t.a[g * kPhiGroupWidth + j][s] = h[j * 2 + s];
  }
  return t;
}

Status phi_sample(const Kernels& k, const uint8_t* data, uint64_t size, uint64_t begin, uint64_t end,
                  const float* bh, uint64_t S, uint64_t seed, std::vector<uint64_t>* positions,
                  std::vector<float>* states, std::vector<uint8_t>* targets) {
  if (end > size || begin > end) return Status::Error("E_RANGE", "sample range outside the data");
  if (end - begin < 17)
    return Status::Error("E_CORPUS_TOO_SHORT", "sampling constructed states needs ≥ 17 fitting bytes, got " +
                                                   std::to_string(end - begin));
  const uint64_t lo = begin + 15, span = end - 1 - lo;  // t ∈ [begin + 15, end − 2]
  positions->resize(S);
  uint64_t rng = seed;
  for (uint64_t i = 0; i < S; ++i) (*positions)[i] = lo + splitmix64(&rng) % span;
  std::sort(positions->begin(), positions->end());
  // Per (group, byte): the 8 state values of that group, so a state is 16 row copies.
  const PhiStateTable table = phi_state_table(k, bh);
  std::vector<float> rows(size_t(kPhiGroups) * kVocab * kPhiGroupWidth);
  for (int g = 0; g < kPhiGroups; ++g)
    for (int x = 0; x < kVocab; ++x)
      for (int j = 0; j < kPhiGroupWidth; ++j)
        rows[(size_t(g) * kVocab + x) * kPhiGroupWidth + j] = table.a[g * kPhiGroupWidth + j][hash_sign(x, j) > 0];
  states->resize(S * kPhiHidden);
  targets->resize(S);
  for (uint64_t i = 0; i < S; ++i) {
    const uint64_t t = (*positions)[i];
    float* h = states->data() + i * kPhiHidden;
    for (int g = 0; g < kPhiGroups; ++g)
      std::memcpy(h + g * kPhiGroupWidth, rows.data() + (size_t(g) * kVocab + data[t - g]) * kPhiGroupWidth,
                  sizeof(float) * kPhiGroupWidth);
    (*targets)[i] = data[t + 1];
  }
  return Status::Ok();
}

}  // namespace bi
