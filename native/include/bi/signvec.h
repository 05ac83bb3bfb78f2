// The network read as a Boolean automaton (SPEC §5, 86fbef8): the sign vectors
// σ_t = 1[h_t ≥ 0] over a range under the true dynamics or the sign-only dynamics
// (h = sgn z, same readout), their frequencies and entropy, the transition map
// (σ_{t−1}, x_t) → σ_t, the bpc of the pass and the margins |z_j(t)|.
#pragma once
#include <cstdint>
#include <vector>

#include "bi/control.h"
#include "bi/kernels.h"
#include "bi/rnn.h"
#include "bi/status.h"

namespace bi {

// HyperLogLog (Flajolet et al. 2007, with the linear-counting correction for small counts):
// 2^14 one-byte registers, relative standard error 1.04/√16384 ≈ 0.8%. Fed 64-bit hashes.
class HyperLogLog {
 public:
  static constexpr int kBits = 14;
  HyperLogLog() : reg_(size_t(1) << kBits, 0) {}
  void add(uint64_t hash) {
    const uint64_t idx = hash >> (64 - kBits);
    const uint64_t rest = (hash << kBits) | (uint64_t(1) << (kBits - 1));  // a stop bit bounds the run
    const uint8_t rank = uint8_t(__builtin_clzll(rest) + 1);
    if (rank > reg_[idx]) reg_[idx] = rank;
  }
  double estimate() const;

 private:
  std::vector<uint8_t> reg_;
};

// 64-bit hash of a sign vector of `n` bytes (also the HyperLogLog input).
uint64_t hash_bytes(const uint8_t* p, size_t n);

// Coarse histogram of margins: bin i holds |z| ∈ [kMarginEdges[i], kMarginEdges[i+1]), the last
// bin is unbounded above. Powers of two: the counts come exactly from the fine histogram.
constexpr int kMarginBins = 13;
constexpr double kMarginEdges[kMarginBins] = {0, 0.0625, 0.125, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128};

struct MarginStats {
  uint64_t count = 0, below_1 = 0, below_01 = 0;
  double mean = 0, median = 0;
  bool median_exact = true;  // false: from a histogram of 64 bins per octave (≤ 0.8% off)
  uint64_t histogram[kMarginBins] = {};
};

struct SignVectorOptions {
  const Kernels* kernels = nullptr;
  int threads = 1;
  bool sign_only = false;
  // The range is split into this many contiguous streams, each run from h = 0 (the batch
  // of the recurrence GEMM). 1 is the SPEC's one pass.
  int streams = 1;
  // Bytes the exact tables may hold; past it the counts switch to HyperLogLog estimates.
  uint64_t max_memory = uint64_t(1) << 30;
  // Run the readout for the bpc (false: enumeration alone, `bits` stays 0).
  bool score = true;
  // Margin values kept for an exact median; past it the median comes from the histogram.
  uint64_t exact_median_values = uint64_t(1) << 24;
  Control control;
};

struct SignVectorResult {
  uint64_t positions = 0;        // states t ∈ [begin, end − 1) (each predicts x_{t+1})
  double bits = 0;               // Σ −log2 p over them
  uint64_t transitions = 0;      // consecutive pairs of counted states within a stream
  bool estimated = false;        // the budget was reached: distinct and keys are estimates
  double distinct = 0;           // distinct σ (exact, or the HyperLogLog estimate)
  double keys = 0;               // distinct (σ_{t−1}, x_t) (likewise)
  // Exact figures over the first `exact_positions` states (all of them unless estimated).
  uint64_t exact_positions = 0, exact_transitions = 0;
  uint64_t exact_distinct = 0, exact_keys = 0;
  uint64_t deterministic_keys = 0;          // keys followed by one σ only
  uint64_t deterministic_transitions = 0;   // transitions whose key is deterministic
  double entropy = 0;                       // bits, of the σ frequencies
  std::vector<uint64_t> top_counts;         // the 16 largest σ counts, descending
  uint64_t peak_table_bytes = 0;
  MarginStats margins;
};

// σ over states t ∈ [begin, end − 1) of the bytes [begin, end).
Status sign_vectors(const ModelView& m, const uint8_t* data, uint64_t size, uint64_t begin, uint64_t end,
                    const SignVectorOptions& options, SignVectorResult* out);

}  // namespace bi
