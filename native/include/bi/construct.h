// φ (SPEC §2): every weight of the H = 128 Elman RNN written from counts of the fitting
// bytes, no gradient. Wx hashes the current byte into group 0 (8 sign neurons), Wh shifts
// group g−1 into group g, so group g holds the hash of x_{t−g}; Wy is a sign-conditional
// log-ratio scaled by s, by the smoothed unigram log-frequency.
//
// Fitting bytes are x_begin … x_{end−1}; inside them, indices are relative (t = 0 … n−1).
#pragma once
#include <cstdint>
#include <vector>

#include "bi/control.h"
#include "bi/kernels.h"
#include "bi/rnn.h"
#include "bi/status.h"

namespace bi {

constexpr int kPhiHidden = 128;
constexpr int kPhiGroups = 16;     // g = 0 … 15
constexpr int kPhiGroupWidth = 8;  // j = 0 … 7
constexpr float kPhiWx = 10.0f;
constexpr float kPhiWh = 5.0f;

// The study's integer hash (uint32 arithmetic), SPEC §2.
inline uint32_t phi_hash(uint32_t x, uint32_t j) {
  uint32_t h = x;
  h = ((h >> 4) ^ h) * 0x45d9f3bu;
  h = (h >> 16) ^ h;
  h += j * 2654435761u;
  h = ((h >> 4) ^ h) * 0x45d9f3bu;
  h = (h >> 16) ^ h;
  return h;
}
// +1 if the hash is odd, else −1.
inline int hash_sign(int x, int j) { return (phi_hash(uint32_t(x), uint32_t(j)) & 1u) ? 1 : -1; }

// What one pass over the fitting bytes leaves behind; everything φ needs.
struct PhiCounts {
  uint64_t n = 0;                    // fitting bytes
  std::vector<uint64_t> count;       // [256] count(o) over all n bytes (for by)
  // [128][256], k = g·8 + j: #{t ∈ [g, n−2] : hash_sign(x_{t−g}, j) = +1, x_{t+1} = o}
  std::vector<uint64_t> plus;
  // [16][256]: #{t ∈ [g, n−2] : x_{t+1} = o}; c⁻ (before α) = total[g][o] − plus[k][o]
  std::vector<uint64_t> total;
  // [128]: steps t ∈ [0, n−1] whose state h_k(t) ≥ 0 in the bh = 0 construction
  // (t < g gives h = tanh 0 = 0, counted; t ≥ g counts hash_sign(x_{t−g}, j) = +1).
  std::vector<uint64_t> nonneg;
};

// The counting pass: one sweep over the bytes, 16 SWAR byte-counter adds per position
// (no per-offset tables), flushed to uint64 before any 8-bit counter can overflow.
Status phi_count(const uint8_t* data, uint64_t size, uint64_t begin, uint64_t end, PhiCounts* out,
                 const Control& control);

// Writes Wx (±10 in group 0), Wh (the shift register, 5) and bh = 0 into a parameter
// buffer of H = 128 and zeroes Wy; by is left alone.
void phi_inputs(float* params);
// by[o] = ln((count(o) + 0.5)/(n + 128)).
void phi_by(const PhiCounts& c, float* by);
// L[o·128 + k] = ln(c⁺[o]/T⁺) − ln(c⁻[o]/T⁻) with pseudo-count α; Wy = s·L.
void phi_log_ratios(const PhiCounts& c, double alpha, float* L);
// The "sign log-odds" variant: bh_k = 5·ln(f_k/(1 − f_k + 1e-6)), f_k = nonneg[k]/n.
void phi_sign_log_odds(const PhiCounts& c, float* bh);
// The whole constructed model into a parameter buffer of H = 128: phi_inputs, phi_by,
// Wy = scale·L(alpha), and bh the sign log-odds when sign_bias (else 0).
void phi_build(const PhiCounts& c, double alpha, double scale, bool sign_bias, float* params);

// The constructed state is a deterministic function of the last 16 bytes: for t ≥ 15
// (relative to the trajectory's start at h = 0), h_k(t) = A[k][σ] with σ = 1 if
// hash_sign(x_{t−g}, j) = +1 else 0. A is computed with the model's own tanh kernel:
// A[j][σ] = tanh(bh_j + Wx[j][x]) for g = 0, A[k][σ] = tanh(bh_k + 5·A[k−8][σ]) for g ≥ 1.
// Differs from the dense recurrence by rounding only (the dense one sums 127 exact zeros and
// may fuse the multiply-add); test_construct.cc bounds the difference.
struct PhiStateTable {
  float a[kPhiHidden][2];
};
PhiStateTable phi_state_table(const Kernels& k, const float* bh);

// Sampled positions: S positions t uniform in [begin + 15, end − 2] (sorted, seeded),
// their states h_t (S × 128, from the table) and targets x_{t+1}.
Status phi_sample(const Kernels& k, const uint8_t* data, uint64_t size, uint64_t begin, uint64_t end,
                  const float* bh, uint64_t S, uint64_t seed, std::vector<uint64_t>* positions,
                  std::vector<float>* states, std::vector<uint8_t>* targets);

// Grid search over (α, s): bits[a·ns + s] = Σ −log2 p (floored) over the S rows of
// states/targets of the model with Wy = s·L(α) and the given by. Logits are linear in s:
// U = states·L(α)ᵀ is computed once per α and reused for every s.
struct PhiGridOptions {
  const Kernels* kernels = nullptr;
  int threads = 1;
  Control control;
};
Status phi_grid(const PhiCounts& c, const float* by, const float* states, const uint8_t* targets,
                uint64_t S, const std::vector<double>& alphas, const std::vector<double>& scales,
                const PhiGridOptions& options, std::vector<double>* bits);

// The optimised readout: full-batch gradient descent on the mean cross-entropy of the
// readout (Wy 256×128, by 256, updated in place) over the frozen states, lr multiplied by
// `decay` at each epoch listed in `milestones`. loss[e] is the mean nats before update e.
struct PhiFitOptions {
  const Kernels* kernels = nullptr;
  int threads = 1;
  int epochs = 1000;
  double lr = 0.5;
  std::vector<int> milestones{300, 600, 800};
  double decay = 0.3;
  Control control;
};
Status phi_fit_readout(const float* states, const uint8_t* targets, uint64_t S, const PhiFitOptions& options,
                       float* Wy, float* by, std::vector<double>* loss);

}  // namespace bi
