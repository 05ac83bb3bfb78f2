// Pattern witnesses (SPEC §4): does some trie context seen at s make the RNN's guess the
// most frequent continuation? The RNN's guesses come from one forward pass (batch 1).
#include <algorithm>
#include <string>

#include "bi/skipgram.h"

namespace bi {

Status rnn_argmax(const Kernels& k, const ModelView& model, const uint8_t* data, uint64_t size,
                  uint64_t begin, uint64_t end, uint8_t* argmax, const Control& control) {
  if (end > size || begin > end) return Status::Error("E_RANGE", "range outside the data");
  if (end - begin < 2) return Status::Ok();
  const int H = model.H;
  const ForwardWeights w = prepare_forward(model);
  std::vector<float> h(H), hn(H), z(H), logits(kVocab);
  float nats;
  for (uint64_t t = begin; t + 1 < end; ++t) {
    rnn_step(k, w, 1, data + t, t == begin ? nullptr : h.data(), z.data(), hn.data());
    std::swap(h, hn);
    // The logits (before the log-softmax) are left in the scratch; argmax is the same.
    readout_xent(k, w, 1, h.data(), data + t + 1, logits.data(), &nats);
    argmax[t - begin] = uint8_t(std::max_element(logits.begin(), logits.end()) - logits.begin());
    if (((t - begin) & 0xffff) == 0xffff) {
      control.report(double(t - begin), double(end - begin - 1));
      if (control.cancelled()) return Status::Error("E_ABORTED", "argmax pass cancelled");
    }
  }
  return Status::Ok();
}

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

}  // namespace bi
