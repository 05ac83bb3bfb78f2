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

// p −= lr · gscale · g. Both updates return false when a parameter became non-finite.
bool sgd_update(float* p, const float* g, size_t n, double lr, float gscale);

struct AdamConfig {
  double lr = 2e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
};

// m = β1·m + (1−β1)·ĝ, v = β2·v + (1−β2)·ĝ², p −= lr·m̂/(√v̂ + eps), ĝ = gscale·g,
// m̂ = m/(1−β1^t), v̂ = v/(1−β2^t); t ≥ 1 is the 1-based step number.
bool adam_update(float* p, float* m, float* v, const float* g, size_t n, const AdamConfig& c, uint64_t t,
                 float gscale);
// The coefficients of step t for the kernel table's adam (what adam_update(k, …) passes it).
AdamStep adam_step(const AdamConfig& c, uint64_t t, float gscale);
// The same update through the kernel table (k.adam): the scalar and AVX2 tables give
// bitwise the results of the function above; NEON may fuse a multiply-add.
bool adam_update(const Kernels& k, float* p, float* m, float* v, const float* g, size_t n, const AdamConfig& c,
                 uint64_t t, float gscale);

}  // namespace bi
