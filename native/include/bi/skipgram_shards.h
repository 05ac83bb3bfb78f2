// Skip-k-gram counts as a sorted table, so a corpus can be counted in shards and the shards
// combined (SPEC §4): the (context, next byte) counts of positions s ∈ [max(begin, max D), end),
// one entry per distinct pair, sorted by (context, next byte) as unsigned integers (the
// context packs byte j = x_{s−D[j]} in bits 8j…8j+7, as pack_context does). Tables of the same
// offsets merge by a linear k-way merge; the counts of shards [a, m) and [m, b) merge into the
// counts of [a, b). A table feeds the plug-in statistics (EntropySums) and the held-out model
// (build_trie) without going back to the corpus.
#pragma once
#include <cstdint>
#include <vector>

#include "bi/skipgram.h"

namespace bi {

// Owned table: entries i = 0 … ctx.size() strictly increasing in (ctx[i], next[i]), count[i] ≥ 1,
// Σ count = positions < 2^32.
struct SkipCounts {
  std::vector<int> offsets;
  uint64_t positions = 0;
  std::vector<uint64_t> ctx;
  std::vector<uint8_t> next;
  std::vector<uint32_t> count;
};

// The same table held elsewhere (JS typed arrays); nothing is assumed until check_table.
struct SkipCountsView {
  std::vector<int> offsets;
  uint64_t positions = 0;
  const uint64_t* ctx = nullptr;
  const uint8_t* next = nullptr;
  const uint32_t* count = nullptr;
  uint64_t size = 0;
};
SkipCountsView view_of(const SkipCounts& t);

// Counts s ∈ [max(begin, max D), end) into a sorted table (empty when no position is left).
// By sorting (sorted_counts on the reversed offset list, whose context order is this table's
// order) when ≤ 18 bytes per position fit in the budget, else by hashing (count_skipgrams)
// and sorting the distinct pairs. Both give the same table. The result's vectors are not
// charged to the budget (they are handed to the caller).
Status count_table(const uint8_t* data, uint64_t size, uint64_t begin, uint64_t end,
                   const std::vector<int>& offsets, MemoryBudget* budget, const Control& control,
                   SkipCounts* out);

// E_OPTION for bad offsets; E_COUNT_TABLE when the entries are not strictly increasing, a count
// is 0, a context has a byte beyond the offsets, or Σ count ≠ positions; E_RANGE for ≥ 2^32
// positions.
Status check_table(const SkipCountsView& t);

// Σ of the parts, entry by entry (linear k-way merge). Every part is checked; their offset
// lists must be equal (E_OPTION) and their positions add up to < 2^32 (E_RANGE).
Status merge_tables(const std::vector<SkipCountsView>& parts, const Control& control, SkipCounts* out);

// The plug-in statistics of a table (bytes = 0): the numbers conditional_entropy gives for
// the counted range, up to the rounding of the sums' order. E_CORPUS_TOO_SHORT when empty.
Status table_entropy(const SkipCountsView& t, EntropyResult* out);

// The backward trie of a table (build_trie on its entries), ready for score_trie.
// E_CORPUS_TOO_SHORT when empty.
Status table_trie(const SkipCountsView& t, MemoryBudget* budget, const Control& control, SkipTrie* trie);

}  // namespace bi
