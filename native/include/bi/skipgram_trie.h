// Counting skip-k-grams (skipgram_count.cc, by hashing; skipgram_sort.cc, by sorting) and
// the backward trie whose level k holds the contexts of the first k offsets
// (skipgram_trie.cc).
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "bi/control.h"
#include "bi/skipgram_tables.h"
#include "bi/status.h"

namespace bi {

// Adds the (context of all offsets, x_s) counts of s ∈ [s_begin, s_end) into `top`. Counts
// of shards add up to the count of their union (merge with merge_counts).
Status count_skipgrams(const uint8_t* data, uint64_t size, uint64_t s_begin, uint64_t s_end,
                       const std::vector<int>& offsets, PairTable* top, const Control& control);
Status merge_counts(const PairTable& from, PairTable* into);

// The same counts by sorting: the contexts of s ∈ [s_begin, s_end) are radix-sorted (with
// x_s carried along) and each context is emitted once with its next-byte counts by_y[b] for
// the n_y bytes b = ys[0 … n_y) that follow it, contexts in increasing order of (byte 0,
// byte 1, …), next bytes in order of first occurrence. Memory (taken from the budget for the
// call's duration): one word per position plus a scratch word per position of the largest
// first-byte bucket, 4-byte words for ≤ 4 offsets, 8-byte words above (≤ 8 or ≤ 16 bytes per
// position, plus 768 KiB of in-cache buffers; 320 KiB for ≤ 1 offset); throughput does not
// depend on the number of patterns.
Status sorted_counts(const uint8_t* data, uint64_t size, uint64_t s_begin, uint64_t s_end,
                     const std::vector<int>& offsets, MemoryBudget* budget, const Control& control,
                     const std::function<void(uint64_t ctx, const uint32_t* by_y, const uint8_t* ys, int n_y)>& emit);
// count_skipgrams through sorted_counts: the distinct pairs are then inserted once each.
Status count_skipgrams_sorted(const uint8_t* data, uint64_t size, uint64_t s_begin, uint64_t s_end,
                              const std::vector<int>& offsets, MemoryBudget* budget, const Control& control,
                              PairTable* top);

struct SkipLevel {
  PairTable pairs;
  ContextTable contexts;
  double discount[4] = {0, 0, 0, 0};  // modified Kneser–Ney D(1), D(2), D(3+) at [1..3]
};

// The backward trie: levels[k] holds the contexts of offsets[0..k), k = 0 … K.
struct SkipTrie {
  std::vector<int> offsets;
  uint64_t positions = 0;
  std::vector<SkipLevel> levels;
  uint64_t bytes() const;
};

// Builds every level from the top-level counts (moved in) and the context statistics.
Status build_trie(const std::vector<int>& offsets, PairTable&& top, MemoryBudget* budget,
                  const Control& control, SkipTrie* trie);
// Builds the trie in one pass over the sorted counts of [s_begin, s_end) (every level's
// groups are contiguous in that order); memory ≤ 16 bytes per position while sorting.
Status build_trie_sorted(const uint8_t* data, uint64_t size, uint64_t s_begin, uint64_t s_end,
                         const std::vector<int>& offsets, MemoryBudget* budget, const Control& control,
                         SkipTrie* trie);
// Counts [s_begin, s_end) and builds the trie in one call: by sorting when it fits in the
// memory bound, else by hashing and deriving the lower levels (identical tries).
Status count_trie(const uint8_t* data, uint64_t size, uint64_t s_begin, uint64_t s_end,
                  const std::vector<int>& offsets, MemoryBudget* budget, const Control& control,
                  SkipTrie* trie);

}  // namespace bi
