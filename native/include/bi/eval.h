// Evaluation (SPEC §0): bpc of byte ranges, each run from h = 0, batch 1 or many
// streams at once, on one or more threads; optional per-position losses and a
// trajectory capture (hidden states, pre-activations, packed sign bits).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "bi/control.h"
#include "bi/kernels.h"
#include "bi/rnn.h"
#include "bi/status.h"

namespace bi {

// Bytes [begin, end): states h_t for t = begin … end−1; predictions of x_{t+1} for
// t = begin … end−2, so a range of n bytes scores n − 1 positions.
struct EvalRange {
  uint64_t begin = 0, end = 0;
};

// What to keep of one range's forward pass, per step t = begin … end−1 (row t − begin).
// Any pointer may be null. signs: ceil(H/8) bytes per step, bit j%8 of byte j/8 is 1[h_j ≥ 0].
// argmax: per prediction t = begin … end−2, the RNN's guess for x_{t+1} (the first o with
// the largest p_t(o)).
struct Capture {
  float* hidden = nullptr;  // (end − begin) × H
  float* preact = nullptr;  // (end − begin) × H
  uint8_t* signs = nullptr;
  uint8_t* argmax = nullptr;  // end − begin − 1
};

struct EvalOptions {
  const Kernels* kernels = nullptr;
  int threads = 1;
  // Per-position losses in bits, ranges concatenated in order (end − begin − 1 each).
  float* losses = nullptr;
  // One per range (same order) or null. Capturing states makes every range run all its steps.
  const Capture* captures = nullptr;
  Control control;
};

struct EvalResult {
  std::vector<double> bits;          // per range: Σ −log2 p (floored)
  std::vector<uint64_t> positions;   // per range
  double total_bits = 0;
  uint64_t total_positions = 0;
};

Status evaluate(const ModelView& model, const uint8_t* data, uint64_t size,
                const std::vector<EvalRange>& ranges, const EvalOptions& options,
                EvalResult* result);

inline size_t sign_bytes(int H) { return (size_t(H) + 7) / 8; }

}  // namespace bi
