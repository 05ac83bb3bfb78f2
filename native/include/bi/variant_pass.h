// Variant forward passes (SPEC §5, §6): the model's recurrence with one change per stream —
// sign-only dynamics (h = sgn z), a neuron mask applied to h after every step (knock-out,
// keep-only-one), the readout of sgn h, a stored starting state, one input byte replaced (the
// counterfactual flip).
// Streams run side by side as the rows of the recurrence GEMM (window_forward) and their scored
// states go through the chunked readout (readout_xent): the forward functions of
// rnn_forward.cc, with the per-stream change applied between the two.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "bi/control.h"
#include "bi/kernels.h"
#include "bi/rnn.h"
#include "bi/status.h"

namespace bi {

struct VariantStream {
  uint64_t begin = 0;              // first byte consumed
  uint64_t steps = 0;              // states h_t for t = begin … begin + steps − 1
  uint64_t score_begin = 0;        // positions t ∈ [score_begin, score_end) are scored
  uint64_t score_end = 0;          //   (predicting x_{t+1}; within the steps, t + 1 < size)
  const float* h0 = nullptr;       // h_{begin−1} (H floats); null for the zero state
  const float* mask = nullptr;     // H factors multiplying h_t after every step, or null
  bool sign_only = false;          // h_t = sgn z_t (z ≥ 0 → +1) instead of tanh z_t
  bool sign_readout = false;       // the readout sees sgn h_t; the recurrence keeps h_t
  int64_t replace_at = -1;         // a consumed byte position read as replace_byte instead
  uint8_t replace_byte = 0;
  // Optional outputs, row t − begin (signs: sign_bytes(H) per row, bit j is 1[h_j ≥ 0]).
  uint8_t* signs = nullptr;
  float* preact = nullptr;         // steps × H: z_t
  float* h_last = nullptr;         // H: the last state
  float* losses = nullptr;         // bits of t ∈ [score_begin, score_end), row t − score_begin
};

// Called for every step of every stream, on the thread that runs it, after the stream's change
// and captures: the stream's index, the step (row t − begin), z_t and h_t (H floats each, valid
// during the call). `slot` ∈ [0, threads) names the pool thread, so per-slot accumulators need no
// lock; a stream always runs on the same slot for a given thread count.
using StepHook = std::function<void(int slot, int stream, uint64_t step, const float* z, const float* h)>;

struct VariantOptions {
  const Kernels* kernels = nullptr;
  int threads = 1;
  Control control;
  StepHook on_step;  // optional
};
// The options of an analysis that runs variant passes (kernels, threads, control) as theirs.
template <typename Options>
VariantOptions variant_options(const Options& o) {
  VariantOptions v;
  v.kernels = o.kernels;
  v.threads = o.threads;
  v.control = o.control;
  return v;
}

struct VariantResult {
  std::vector<double> bits;         // per stream: Σ −log2 p (floored) over its scored positions
  std::vector<uint64_t> positions;  // per stream
};

Status variant_pass(const ModelView& m, const uint8_t* data, uint64_t size,
                    const std::vector<VariantStream>& streams, const VariantOptions& options,
                    VariantResult* out);

}  // namespace bi
