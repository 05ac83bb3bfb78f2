// Float64 references for the variant passes: the plain recurrence with a mask on h, sign-only
// dynamics, one replaced byte and a perturbed input column, scored per position.
#pragma once
#include <cmath>
#include <cstdint>
#include <vector>

#include "bi/rnn.h"
#include "reference.h"

namespace bi_test {

struct VariantRef {
  const float* mask = nullptr;  // H factors on h after each step
  bool sign_only = false;
  bool sign_readout = false;    // the readout sees sgn h
  int64_t replace_at = -1;      // byte read as replace_byte
  uint8_t replace_byte = 0;
  int64_t scale_at = -1;        // step whose input column Wx[:, x] is scaled by (1 + eps)
  double eps = 0;
};

// log2 p_t(x_{t+1}) for t = begin … end − 2 from h = 0; optionally z_t per step.
inline std::vector<double> reference_log2p(const bi::ModelView& m, const uint8_t* x, uint64_t begin, uint64_t end,
                                           const VariantRef& v = {}, std::vector<double>* preacts = nullptr) {
  const int H = m.H;
  std::vector<double> h(H, 0.0), z(H), out;
  for (uint64_t t = begin; t < end; ++t) {
    const uint8_t xt = int64_t(t) == v.replace_at ? v.replace_byte : x[t];
    const double gain = int64_t(t) == v.scale_at ? 1.0 + v.eps : 1.0;
    for (int i = 0; i < H; ++i) {
      double s = m.bh[i] + gain * m.Wx[size_t(i) * bi::kVocab + xt];
      for (int j = 0; j < H; ++j) s += double(m.Wh[size_t(i) * H + j]) * h[j];
      z[i] = s;
    }
    for (int i = 0; i < H; ++i) {
      h[i] = v.sign_only ? (z[i] >= 0 ? 1.0 : -1.0) : std::tanh(z[i]);
      if (v.mask) h[i] *= v.mask[i];
    }
    if (preacts) preacts->insert(preacts->end(), z.begin(), z.end());
    if (t + 1 >= end) break;
    std::vector<double> seen = h;
    if (v.sign_readout)
      for (double& e : seen) e = e >= 0 ? 1.0 : -1.0;
    out.push_back(reference_logp(m, seen.data(), x[t + 1]) / std::log(2.0));
  }
  return out;
}

inline double sum_bits(const std::vector<double>& log2p) {
  double s = 0;
  for (double v : log2p) s -= v;
  return s;
}

}  // namespace bi_test
