// Temporal attribution (SPEC §6, 86fbef8): how much the byte at offset d from a predicted
// byte x_{t+1} (the byte x_{t+1−d}) contributes to log p_t(x_{t+1}), two ways, and the
// data's PMI per offset to align them with.
#pragma once
#include <cstdint>
#include <vector>

#include "bi/control.h"
#include "bi/kernels.h"
#include "bi/psi.h"
#include "bi/rnn.h"
#include "bi/status.h"

namespace bi {

// A trajectory run from h = 0 at byte `first` (row r of states is h_{first + r}), as
// captureTrajectory gives it; `begin`, `end` bound the positions t analysed.
using Trajectory = StateRows;

struct AttributionOptions {
  const Kernels* kernels = nullptr;
  int threads = 1;
  int max_offset = 20;  // d = 1 … max_offset
  Control control;
};

// Counterfactual (the study's): for each position t and d, the byte x_{t+1−d} is replaced by
// (x + 128) mod 256 and the steps t+1−d … t rerun from the stored state h_{t−d};
// alpha[i·D + d − 1] = −log2 p'_t(x_{t+1}) − (−log2 p_t(x_{t+1})): the bits the original byte
// saved. NaN when t + 1 − d < first (the byte is not in the trajectory).
struct CounterfactualResult {
  std::vector<double> alpha;  // positions × max_offset
  std::vector<double> bits;   // per position: −log2 p_t(x_{t+1}), rerun from h_{t−1}
};
Status counterfactual(const ModelView& m, const uint8_t* data, uint64_t size, const Trajectory& traj,
                      const std::vector<uint64_t>& positions, const AttributionOptions& options,
                      CounterfactualResult* out);

// Jacobian (ours): α(t, d) = Σ_j ∂log2 p_t(x_{t+1})/∂z_j(t+1−d) · Wx[j, x_{t+1−d}], the chain
// through diag(1 − h²)·Wh, for every t ∈ [traj.begin, traj.end) with t + 1 < size, in blocks of
// positions that are the batch dimension of the GEMMs (the training backward's kernels).
// Defined when t + 1 − d ≥ traj.first.
struct JacobianOptions : AttributionOptions {
  float* alpha = nullptr;          // optional: (end − begin) × max_offset, NaN where undefined
  const uint8_t* aligned = nullptr;  // optional: max_offset × 65536, 1 where PMI_d(a, b) counts as aligned
};
struct JacobianResult {
  uint64_t positions = 0;
  std::vector<uint64_t> count;       // per d: positions where α(t, d) is defined
  std::vector<double> sum, abs_sum;  // per d: Σ α, Σ |α|
  std::vector<double> aligned_abs;   // per d: Σ |α|·aligned[d][x_{t+1−d}][x_{t+1}]
};
Status jacobian_attribution(const ModelView& m, const uint8_t* data, uint64_t size, const Trajectory& traj,
                            const JacobianOptions& options, JacobianResult* out);
// FLOPs of one position for D offsets at hidden size H (readout, its gradient, D − 1 steps back).
inline double jacobian_flops_per_position(int H, int D) {
  return 4.0 * kVocab * H + 2.0 * (D - 1) * double(H) * H;
}

// PMI_d(a, b) = log2(P(x_{s−d} = a, x_s = b) / (P(a) P(b))) over s ∈ [max(s_begin, d), s_end),
// the marginals taken from the same pairs; −∞ for a pair never seen. out: offsets × 65536, [a·256 + b].
Status pmi_tables(const uint8_t* data, uint64_t size, uint64_t s_begin, uint64_t s_end,
                  const std::vector<int>& offsets, float* out, const Control& control);

}  // namespace bi
