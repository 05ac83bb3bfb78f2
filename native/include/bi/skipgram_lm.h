// The held-out skip-k-gram language model (skipgram_lm.cc): interpolated back-off down a
// trie (modified Kneser–Ney or Witten–Bell), its score on held-out bytes, the held-out greedy.
#pragma once
#include <cstdint>
#include <vector>

#include "bi/control.h"
#include "bi/skipgram_stats.h"
#include "bi/skipgram_trie.h"
#include "bi/status.h"

namespace bi {

enum class Smoothing { kneser_ney, witten_bell };

struct HeldOutResult {
  double bits = 0;          // Σ −log2 p, p floored at 1e-30
  uint64_t positions = 0;
  std::vector<uint64_t> depth;  // positions whose deepest seen context has k offsets, k = 0 … K
  // The trie that scored them: its counted positions, top-level patterns and contexts, bytes.
  uint64_t train_positions = 0, patterns = 0, contexts = 0, bytes = 0;
};

// −log2 p(x_s | context) by interpolated back-off down the trie, for s ∈ [max(begin, max D),
// end): contexts may read the bytes before `begin`. Records the trie's size in out.
Status score_trie(const SkipTrie& trie, Smoothing sm, const uint8_t* data, uint64_t size,
                  uint64_t begin, uint64_t end, const Control& control, HeldOutResult* out);
// p(y | context at s) for all 256 y (tests: they sum to one).
void trie_distribution(const SkipTrie& trie, Smoothing sm, const uint8_t* data, uint64_t s, double* p);

struct LmRange {
  uint64_t begin = 0, end = 0;
};

// The held-out model of `offsets`: the trie counted on `train` (positions
// s ≥ max(train.begin, max D)), then score_trie on `test`.
Status held_out(const uint8_t* data, uint64_t size, const std::vector<int>& offsets, LmRange train,
                LmRange test, Smoothing sm, MemoryBudget* budget, const Control& control, HeldOutResult* out);

// Scale greedy: fit on `fit` (positions s ∈ [max D, fit.end) with s ≥ fit.begin), score on
// `valid`, add the d minimising held-out bits; ties go to the smaller d. Candidates run on
// `threads` threads, each with budget->limit / threads of memory.
Status greedy_heldout(const uint8_t* data, uint64_t size, LmRange fit, LmRange valid,
                      const std::vector<int>& start, int order, int max_d, Smoothing sm,
                      MemoryBudget* budget, const Control& control, std::vector<GreedyStep>* steps,
                      int threads = 1);

}  // namespace bi
