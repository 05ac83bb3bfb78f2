// Neuron ablation (SPEC §5): the model with h_j := 0 at every step (knock-out) and with every
// neuron but j held at 0 (keep-only-one), for every j, and the readout of sgn h_t on the true
// trajectory, as 2H + 2 streams of one variant pass per range (the unchanged model first).
#pragma once
#include <cstdint>
#include <vector>

#include "bi/control.h"
#include "bi/eval.h"
#include "bi/kernels.h"
#include "bi/rnn.h"
#include "bi/status.h"

namespace bi {

struct AblationOptions {
  const Kernels* kernels = nullptr;
  int threads = 1;
  Control control;
};

struct AblationResult {
  uint64_t positions = 0;           // scored positions, summed over the ranges
  double base_bits = 0;             // Σ −log2 p of the model
  std::vector<double> knockout_bits;  // per neuron j: h_j := 0
  std::vector<double> keep_bits;      // per neuron j: h_i := 0 for every i ≠ j
  double sign_readout_bits = 0;       // the readout of sgn h_t, the recurrence unchanged
};

// Each range [begin, end) is run from h = 0 and scores t = begin … end − 2 (as evaluate).
Status ablation(const ModelView& m, const uint8_t* data, uint64_t size, const std::vector<EvalRange>& ranges,
                const AblationOptions& options, AblationResult* out);

}  // namespace bi
