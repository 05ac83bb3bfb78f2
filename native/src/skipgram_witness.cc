// Pattern witnesses (SPEC §4): does some trie context seen at s make the RNN's guess the
// most frequent continuation? The RNN's guesses come from one evaluation pass (an argmax
// capture, eval.h).
#include <algorithm>
#include <string>

#include "bi/eval.h"
#include "bi/skipgram.h"

namespace bi {

Status witness_stats(const SkipTrie& trie, const uint8_t* data, uint64_t size, uint64_t begin,
                     uint64_t end, const uint8_t* argmax, uint64_t argmax_begin, WitnessResult* out) {
  const int K = int(trie.offsets.size());
  const uint64_t s0 = std::max({begin, uint64_t(max_offset(trie.offsets)), argmax_begin + 1});
  if (end > size || begin > end) return Status::Error("E_RANGE", "range outside the data");
  *out = WitnessResult{};
  out->matched.assign(K + 1, 0);
  out->witnessed.assign(K + 1, 0);
  out->witnessed_correct.assign(K + 1, 0);
  out->deepest.assign(K + 1, 0);
  for (uint64_t s = s0; s < end; ++s) {
    const uint8_t guess = argmax[s - 1 - argmax_begin];
    const bool correct = guess == data[s];
    ++out->positions;
    out->correct += correct;
    uint64_t ctx = 0;
    int deepest = 0;
    for (int k = 1; k <= K; ++k) {
      ctx |= uint64_t(data[s - uint64_t(trie.offsets[k - 1])]) << (8 * (k - 1));
      const ContextEntry* c = trie.levels[k].contexts.find(ctx);
      if (!c) break;  // deeper contexts extend this one: unseen too
      ++out->matched[k];
      const PairEntry* e = trie.levels[k].pairs.find(ctx, guess);
      if (e && e->count == c->max_count) {
        ++out->witnessed[k];
        out->witnessed_correct[k] += correct;
        deepest = k;
      }
    }
    ++out->deepest[deepest];
    if (deepest > 0) {
      ++out->covered;
      if (correct) ++out->covered_correct;
      else ++out->covered_incorrect;
    }
  }
  return Status::Ok();
}

Status witness_pass(const Kernels& k, const ModelView& model, const uint8_t* data, uint64_t size,
                    const std::vector<int>& offsets, LmRange range, LmRange train, MemoryBudget* budget,
                    const Control& control, WitnessResult* out) {
  if (range.end > size || range.begin > range.end || train.end > size || train.begin > train.end)
    return Status::Error("E_RANGE", "range outside the data");
  const uint64_t s0 = std::max<uint64_t>(train.begin, uint64_t(max_offset(offsets)));
  if (s0 >= train.end || range.end - range.begin < 2)
    return Status::Error("E_CORPUS_TOO_SHORT", "no position to witness in the range");
  SkipTrie trie;
  Status st = count_trie(data, size, s0, train.end, offsets, budget, control.quiet(), &trie);
  if (!st.ok()) return st;
  std::vector<uint8_t> argmax(range.end - range.begin - 1);
  Capture capture;
  capture.argmax = argmax.data();
  EvalOptions eo;
  eo.kernels = &k;
  eo.captures = &capture;
  eo.control = control;
  EvalResult er;
  st = evaluate(model, data, size, {{range.begin, range.end}}, eo, &er);
  if (!st.ok()) return st;  // a NaN in the model leaves no meaningful guesses: E_NON_FINITE
  return witness_stats(trie, data, size, range.begin, range.end, argmax.data(), range.begin, out);
}

}  // namespace bi
