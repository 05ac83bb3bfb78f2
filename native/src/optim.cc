#include "bi/optim.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace bi {
namespace {
// 1 when f is ±Inf or NaN (all exponent bits set). An integer OR reduction vectorises;
// a float one would be a serial dependency chain.
inline uint32_t non_finite(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return (u & 0x7f800000u) == 0x7f800000u;
}
}  // namespace

double sum_squares(const Kernels& k, const float* g, size_t n) {
  constexpr size_t kChunk = size_t(1) << 30;  // the kernel takes an int count
  double sum = 0;
  for (size_t a = 0; a < n; a += kChunk) sum += k.sum_squares(int(std::min(kChunk, n - a)), g + a);
  return sum;
}

float clip_scale(double norm, double clip) {
  if (clip <= 0 || !(norm > clip)) return 1.0f;
  return float(clip / norm);
}

bool sgd_update(float* p, const float* g, size_t n, double lr, float gscale) {
  const float a = float(lr) * gscale;
  uint32_t bad = 0;
  for (size_t i = 0; i < n; ++i) {
    p[i] -= a * g[i];
    bad |= non_finite(p[i]);
  }
  return bad == 0;
}

AdamStep adam_step(const AdamConfig& c, uint64_t t, float gscale) {
  AdamStep s;
  s.gscale = gscale;
  s.b1 = float(c.beta1);
  s.b2 = float(c.beta2);
  s.c1 = float(1.0 / (1.0 - std::pow(c.beta1, double(t))));
  s.c2 = float(1.0 / (1.0 - std::pow(c.beta2, double(t))));
  s.lr = float(c.lr);
  s.eps = float(c.eps);
  return s;
}

}  // namespace bi
