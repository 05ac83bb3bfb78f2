// Sorted count tables (skipgram_shards.h): both counting paths against brute force (std::map
// in unsigned (context, next) order), shards merging into the whole, the statistics and the
// held-out score of a table against the corpus-based functions, and the table checks.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <utility>

#include "bi/skipgram_shards.h"

using namespace bi;

namespace {

std::vector<uint8_t> random_bytes(size_t n, uint32_t seed) {
  const uint8_t alphabet[] = {0, 1, 2, 97, 128, 255};  // top context bytes ≥ 128 exercise bit 63
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (auto& c : v) c = alphabet[rng() % sizeof(alphabet)];
  return v;
}

// (packed context, y) → count over s ∈ [max(begin, max D), end); std::map orders it as the table.
std::map<std::pair<uint64_t, uint8_t>, uint32_t> brute(const std::vector<uint8_t>& x, const std::vector<int>& D,
                                                       uint64_t begin, uint64_t end) {
  std::map<std::pair<uint64_t, uint8_t>, uint32_t> m;
  for (uint64_t s = std::max<uint64_t>(begin, max_offset(D)); s < end; ++s) ++m[{pack_context(x.data(), s, D.data(), int(D.size())), x[s]}];
  return m;
}

void expect_same(const SkipCounts& a, const SkipCounts& b) {
  EXPECT_EQ(a.offsets, b.offsets);
  EXPECT_EQ(a.positions, b.positions);
  EXPECT_EQ(a.ctx, b.ctx);
  EXPECT_EQ(a.next, b.next);
  EXPECT_EQ(a.count, b.count);
}

const std::vector<std::vector<int>> kOffsetLists = {{}, {1}, {4, 1}, {1, 5, 2}, {1, 8, 20, 3, 27}, {1, 8, 20, 3, 27, 2, 12, 7}};

}  // namespace

TEST(SkipgramShards, BothCountingPathsMatchBruteForce) {
  auto x = random_bytes(2000, 1);
  for (const auto& D : kOffsetLists)
    for (bool sort : {true, false}) {
      MemoryBudget budget;
      budget.allow_sort = sort;
      SkipCounts t;
      ASSERT_TRUE(count_table(x.data(), x.size(), 3, 1900, D, &budget, Control{}, &t).ok());
      auto m = brute(x, D, 3, 1900);
      ASSERT_EQ(t.ctx.size(), m.size()) << "K=" << D.size() << " sort=" << sort;
      size_t i = 0;
      for (auto& [k, n] : m) {
        EXPECT_EQ(t.ctx[i], k.first);
        EXPECT_EQ(t.next[i], k.second);
        EXPECT_EQ(t.count[i], n);
        ++i;
      }
      EXPECT_EQ(t.positions, 1900 - std::max<uint64_t>(3, max_offset(D)));
      EXPECT_TRUE(check_table(view_of(t)).ok());
      EXPECT_EQ(budget.used, 0u);  // every buffer went back
    }
}

TEST(SkipgramShards, ShardsMergeIntoTheWhole) {
  auto x = random_bytes(5000, 2);
  for (const auto& D : kOffsetLists) {
    MemoryBudget budget;
    SkipCounts whole, a, b, c, merged;
    ASSERT_TRUE(count_table(x.data(), x.size(), 0, x.size(), D, &budget, Control{}, &whole).ok());
    ASSERT_TRUE(count_table(x.data(), x.size(), 0, 7, D, &budget, Control{}, &a).ok());  // empty when max D ≥ 7
    ASSERT_TRUE(count_table(x.data(), x.size(), 7, 2345, D, &budget, Control{}, &b).ok());
    ASSERT_TRUE(count_table(x.data(), x.size(), 2345, x.size(), D, &budget, Control{}, &c).ok());
    ASSERT_TRUE(merge_tables({view_of(c), view_of(a), view_of(b)}, Control{}, &merged).ok());
    expect_same(merged, whole);
  }
}

TEST(SkipgramShards, StatisticsEqualConditionalEntropy) {
  auto x = random_bytes(4000, 3);
  for (const auto& D : kOffsetLists) {
    MemoryBudget budget;
    SkipCounts t;
    ASSERT_TRUE(count_table(x.data(), x.size(), 10, x.size(), D, &budget, Control{}, &t).ok());
    EntropyResult fromTable, direct;
    ASSERT_TRUE(table_entropy(view_of(t), &fromTable).ok());
    ASSERT_TRUE(conditional_entropy(x.data(), x.size(), 10, x.size(), D, &budget, Control{}, &direct).ok());
    EXPECT_NEAR(fromTable.bits, direct.bits, 1e-12);
    EXPECT_EQ(fromTable.patterns, direct.patterns);
    EXPECT_EQ(fromTable.contexts, direct.contexts);
    EXPECT_EQ(fromTable.positions, direct.positions);
  }
}

TEST(SkipgramShards, TableTrieScoresLikeTheCountedTrie) {
  auto x = random_bytes(6000, 4);
  for (const auto& D : kOffsetLists) {
    if (D.empty()) continue;
    MemoryBudget budget;
    SkipCounts t;
    ASSERT_TRUE(count_table(x.data(), x.size(), 0, 5000, D, &budget, Control{}, &t).ok());
    SkipTrie fromTable, direct;
    ASSERT_TRUE(table_trie(view_of(t), &budget, Control{}, &fromTable).ok());
    ASSERT_TRUE(count_trie(x.data(), x.size(), max_offset(D), 5000, D, &budget, Control{}, &direct).ok());
    for (Smoothing sm : {Smoothing::kneser_ney, Smoothing::witten_bell}) {
      HeldOutResult a, b;
      ASSERT_TRUE(score_trie(fromTable, sm, x.data(), x.size(), 5000, x.size(), Control{}, &a).ok());
      ASSERT_TRUE(score_trie(direct, sm, x.data(), x.size(), 5000, x.size(), Control{}, &b).ok());
      EXPECT_EQ(a.bits, b.bits);
      EXPECT_EQ(a.depth, b.depth);
    }
  }
}

TEST(SkipgramShards, BadTablesAreRejected) {
  std::vector<uint64_t> ctx = {0x0101, 0x0201, 0x0201};
  std::vector<uint8_t> next = {7, 7, 9};
  std::vector<uint32_t> count = {1, 2, 1};
  SkipCountsView v{{2, 1}, 4, ctx.data(), next.data(), count.data(), 3};
  EXPECT_TRUE(check_table(v).ok());
  SkipCountsView w = v;
  w.positions = 5;
  EXPECT_EQ(check_table(w).code, "E_COUNT_TABLE");
  next[2] = 6;  // (0x0201, 6) after (0x0201, 7)
  EXPECT_EQ(check_table(v).code, "E_COUNT_TABLE");
  next[2] = 9, count[2] = 0, v.positions = 3;
  EXPECT_EQ(check_table(v).code, "E_COUNT_TABLE");
  count[2] = 1, v.positions = 4, ctx[2] = 0x010201;  // a third byte for two offsets
  EXPECT_EQ(check_table(v).code, "E_COUNT_TABLE");
  ctx[2] = 0x0201;
  w = v;
  w.offsets = {1, 2};
  SkipCounts out;
  EXPECT_EQ(merge_tables({v, w}, Control{}, &out).code, "E_OPTION");
  EXPECT_EQ(merge_tables({}, Control{}, &out).code, "E_OPTION");
  EXPECT_TRUE(merge_tables({v, v}, Control{}, &out).ok());
  EXPECT_EQ(out.count, (std::vector<uint32_t>{2, 4, 2}));
  std::vector<uint64_t> big_ctx = {1};
  std::vector<uint8_t> big_next = {1};
  std::vector<uint32_t> big_count = {uint32_t(1) << 31};
  SkipCountsView big{{1}, uint64_t(1) << 31, big_ctx.data(), big_next.data(), big_count.data(), 1};
  EXPECT_EQ(merge_tables({big, big}, Control{}, &out).code, "E_RANGE");
  EntropyResult r;
  EXPECT_EQ(table_entropy(SkipCountsView{{1}, 0, nullptr, nullptr, nullptr, 0}, &r).code, "E_CORPUS_TOO_SHORT");
}
