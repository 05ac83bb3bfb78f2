// Counting skip-k-grams into a hashed table (count_skipgrams, merge_counts) and the one
// entry point that counts a whole trie (count_trie: by sorting when it fits in the memory
// bound, else by hashing, skipgram_trie.cc builds the levels).
#include <algorithm>
#include <utility>

#include "bi/skipgram.h"

namespace bi {

Status count_skipgrams(const uint8_t* data, uint64_t size, uint64_t s_begin, uint64_t s_end,
                       const std::vector<int>& offsets, PairTable* top, const Control& control) {
  Status st = check_count_range(offsets, size, s_begin, s_end, top->size());
  if (!st.ok()) return st;
  const int K = int(offsets.size());
  constexpr int kBatch = 128;
  constexpr uint64_t kReport = uint64_t(1) << 22;
  uint64_t ctx[kBatch];
  for (uint64_t s0 = s_begin; s0 < s_end;) {
    const uint64_t s1 = std::min(s_end, s0 + kReport);
    for (uint64_t s = s0; s < s1; s += kBatch) {
      const int n = int(std::min<uint64_t>(kBatch, s1 - s));
      for (int j = 0; j < n; ++j) ctx[j] = pack_context(data, s + j, offsets.data(), K);
      st = top->add_batch(ctx, data + s, n);
      if (!st.ok()) return st;
    }
    s0 = s1;
    control.report(double(s0 - s_begin), double(s_end - s_begin));
    if (control.cancelled()) return Status::Error("E_ABORTED", "counting cancelled");
  }
  return Status::Ok();
}

Status merge_counts(const PairTable& from, PairTable* into) {
  for (const PairEntry& e : from.slots()) {
    if (!e.count) continue;
    Status st = into->add(e.ctx, e.y, e.count, e.cont);
    if (!st.ok()) return st;
  }
  return Status::Ok();
}

Status count_trie(const uint8_t* data, uint64_t size, uint64_t s_begin, uint64_t s_end,
                  const std::vector<int>& offsets, MemoryBudget* budget, const Control& control,
                  SkipTrie* trie) {
  // Sorting (≤ 16 bytes per position, plus the levels' lists) when it fits in the bound.
  if (budget->allow_sort && s_end >= s_begin && budget->used + (s_end - s_begin) * 40 + (uint64_t(64) << 20) <= budget->limit)
    return build_trie_sorted(data, size, s_begin, s_end, offsets, budget, control, trie);
  PairTable top;
  top.attach(budget);
  Status st = count_skipgrams(data, size, s_begin, s_end, offsets, &top, control);
  if (!st.ok()) return st;
  return build_trie(offsets, std::move(top), budget, control, trie);
}

}  // namespace bi
