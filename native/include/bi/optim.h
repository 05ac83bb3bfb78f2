// Optimisers over one flat parameter buffer: plain SGD and Adam with bias correction.
// Element-wise and single-pass, so the result depends only on the inputs (no reduction
// order); gscale multiplies the gradient first (global-norm clipping).
#pragma once
#include <cstddef>
#include <cstdint>

#include "bi/kernels.h"

namespace bi {

// Σ g² in double through the table's sum_squares (32 interleaved partial sums, a fixed order).
double sum_squares(const Kernels& k, const float* g, size_t n);

// Clipping factor for a gradient of global norm `norm`: min(1, clip/norm); clip ≤ 0 = none.
float clip_scale(double norm, double clip);

// p −= lr · gscale · g. Returns false when a parameter became non-finite (as Kernels::adam).
bool sgd_update(float* p, const float* g, size_t n, double lr, float gscale);

struct AdamConfig {
  double lr = 2e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
};

// The coefficients of Adam step t ≥ 1 (1-based) for the kernel table's adam (Kernels::adam:
// m = β1·m + (1−β1)·ĝ, v = β2·v + (1−β2)·ĝ², p −= lr·m̂/(√v̂ + eps), ĝ = gscale·g,
// m̂ = m/(1−β1^t), v̂ = v/(1−β2^t)).
AdamStep adam_step(const AdamConfig& c, uint64_t t, float gscale);

}  // namespace bi
