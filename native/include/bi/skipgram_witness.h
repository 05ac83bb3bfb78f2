// Pattern witnesses for an RNN (skipgram_witness.cc, SPEC §4).
#pragma once
#include <cstdint>
#include <vector>

#include "bi/control.h"
#include "bi/kernels.h"
#include "bi/rnn.h"
#include "bi/skipgram_lm.h"
#include "bi/skipgram_trie.h"
#include "bi/status.h"

namespace bi {

struct WitnessResult {
  uint64_t positions = 0, correct = 0;
  uint64_t covered = 0, covered_correct = 0, covered_incorrect = 0;
  std::vector<uint64_t> matched;              // by depth k = 0 … K: context seen at s
  std::vector<uint64_t> witnessed;            // by depth: context is a witness
  std::vector<uint64_t> witnessed_correct;    // by depth, RNN correct at s
  std::vector<uint64_t> deepest;              // by depth: deepest witness (0 = none)
};

// Witnesses at s ∈ [max(begin, max D), end), argmax[s − 1 − argmax_begin] being the RNN's
// guess for x_s: a context of depth k ≥ 1 seen at s is a witness when the RNN's guess has
// the largest raw count among its continuations (ties count).
Status witness_stats(const SkipTrie& trie, const uint8_t* data, uint64_t size, uint64_t begin,
                     uint64_t end, const uint8_t* argmax, uint64_t argmax_begin, WitnessResult* out);

// The witness pass of a model over `range`: the trie of `offsets` counted on `train`
// (positions s ≥ max(train.begin, max D)), the RNN's guesses from one evaluation of the
// range from h = 0 (an argmax capture), then witness_stats.
Status witness_pass(const Kernels& k, const ModelView& model, const uint8_t* data, uint64_t size,
                    const std::vector<int>& offsets, LmRange range, LmRange train, MemoryBudget* budget,
                    const Control& control, WitnessResult* out);

}  // namespace bi
