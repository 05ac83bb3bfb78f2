// Skip-k-grams against brute force on small inputs (std::map counts), the study's numbers
// (SPEC §9), shard merging, the trie's levels, the language model's normalisation, the
// memory bound, witnesses and the RNN argmax pass.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include "bi/eval.h"
#include "bi/skipgram.h"
#include "reference.h"

using namespace bi;

namespace {

std::vector<uint8_t> random_text(size_t n, uint32_t seed, int alphabet = 5) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (auto& c : v) c = uint8_t('a' + rng() % alphabet);
  return v;
}

using Key = std::pair<std::vector<uint8_t>, uint8_t>;

// Brute-force counts of (context of the first k offsets, x_s) over s ∈ [s0, s1).
std::map<Key, uint64_t> brute_counts(const std::vector<uint8_t>& x, const std::vector<int>& D, size_t k, size_t s0, size_t s1) {
  std::map<Key, uint64_t> m;
  for (size_t s = s0; s < s1; ++s) {
    std::vector<uint8_t> c;
    for (size_t j = 0; j < k; ++j) c.push_back(x[s - D[j]]);
    ++m[{c, x[s]}];
  }
  return m;
}

double brute_entropy(const std::vector<uint8_t>& x, const std::vector<int>& D, size_t* patterns) {
  size_t md = 0;
  for (int d : D) md = std::max<size_t>(md, d);
  auto m = brute_counts(x, D, D.size(), md, x.size());
  std::map<std::vector<uint8_t>, uint64_t> ctx;
  for (auto& [k, n] : m) ctx[k.first] += n;
  double h = 0;
  for (auto& [k, n] : m) h -= double(n) * std::log2(double(n) / double(ctx[k.first]));
  *patterns = m.size();
  return h / double(x.size() - md);
}

std::vector<uint8_t> study_text() {
  auto x = bi_test::read_file(bi_test::study_dir() + "/enwik_1024.txt");
  if (x.size() != 1024) ADD_FAILURE() << "study text missing: set BI_EMBED_STUDY_DIR (" << bi_test::study_dir() << ")";
  return x;
}

}  // namespace

TEST(Skipgram, StudySkip4Reproduces) {
  auto x = study_text();
  ASSERT_EQ(x.size(), 1024u);
  MemoryBudget budget;
  EntropyResult r;
  ASSERT_TRUE(conditional_entropy(x.data(), x.size(), 0, x.size(), {1, 8, 20, 3}, &budget, Control{}, &r).ok());
  EXPECT_EQ(std::round(r.bits * 1000) / 1000, 0.069);  // SPEC §9: 0.069 bpc
  EXPECT_EQ(r.patterns, 712u);                        // SPEC §9: 712 patterns
  EXPECT_EQ(r.positions, 1024u - 20u);
  EXPECT_EQ(budget.used, 0u);  // every table returned its memory
}

TEST(Skipgram, StudyGreedy8Reproduces) {
  auto x = study_text();
  ASSERT_EQ(x.size(), 1024u);
  MemoryBudget budget;
  std::vector<GreedyStep> steps;
  ASSERT_TRUE(greedy_study(x.data(), x.size(), 0, x.size(), {1}, 8, 30, &budget, Control{}, &steps).ok());
  ASSERT_EQ(steps.size(), 8u);
  EXPECT_EQ(steps.back().offsets, (std::vector<int>{1, 8, 20, 3, 27, 2, 12, 7}));
  // Each step's score is the minimum of its candidates, and entropy never rises.
  for (size_t i = 1; i < steps.size(); ++i) {
    double mn = 1e9;
    for (double c : steps[i].candidates)
      if (!std::isnan(c)) mn = std::min(mn, c);
    EXPECT_EQ(steps[i].score, mn);
    EXPECT_LE(steps[i].score, steps[i - 1].score + 1e-12);
  }
}

TEST(Skipgram, EntropyAndPatternsMatchBruteForce) {
  for (uint32_t seed = 1; seed <= 8; ++seed) {  // 2 … 8 offsets, then 1
    auto x = random_text(400 + 37 * seed, seed, 3 + seed % 4);
    std::mt19937 rng(seed);
    std::vector<int> D;
    const int K = 1 + seed % kMaxSkipOrder;
    while (int(D.size()) < K) {
      int d = 1 + rng() % 12;
      if (std::find(D.begin(), D.end(), d) == D.end()) D.push_back(d);
    }
    size_t patterns;
    const double ref = brute_entropy(x, D, &patterns);
    for (bool sort : {true, false}) {  // by sorting, by hashing
      MemoryBudget budget;
      budget.allow_sort = sort;
      EntropyResult r;
      ASSERT_TRUE(conditional_entropy(x.data(), x.size(), 0, x.size(), D, &budget, Control{}, &r).ok());
      EXPECT_NEAR(r.bits, ref, 1e-12) << "seed " << seed;
      EXPECT_EQ(r.patterns, patterns);
      EXPECT_EQ(budget.used, 0u);
    }
  }
}

// The grouping path with shrunken sizes reaches every branch on small inputs: buckets split
// into hash parts, large parts counted whole in the largest table, parts that overflow it
// split by bytes down to a single context (heavy contexts come from runs of one byte).
TEST(Skipgram, GroupedEntropyMatchesBruteForceInEveryBranch) {
  std::vector<GroupShape> shapes;
  for (TallyWay way : {TallyWay::kAuto, TallyWay::kByPairs, TallyWay::kByContexts})
    for (GroupShape shape : {GroupShape{}, GroupShape{4, 16, 10}, GroupShape{1, 1, 10}, GroupShape{64, 256, 10}, GroupShape{1 << 20, 16, 10}}) {
      shape.tally = way;
      shapes.push_back(shape);
    }
  for (uint32_t seed = 1; seed <= 8; ++seed) {
    auto x = random_text(6000 + 500 * seed, seed, 2 + seed % 5);
    for (size_t i = 1000; i < 2500; ++i) x[i] = 'a';  // a context seen ~1500 times
    std::mt19937 rng(seed);
    std::vector<int> D;
    const int K = 2 + int(seed % 7);
    while (int(D.size()) < K) {
      int d = 1 + rng() % 12;
      if (std::find(D.begin(), D.end(), d) == D.end()) D.push_back(d);
    }
    if (seed == 8) {  // parts that overflow the table down to a single context of > 16 words
      x = random_text(100000, seed, 64);
      D = {1, 2};
    }
    size_t patterns;
    const double ref = brute_entropy(x, D, &patterns);
    const int md = *std::max_element(D.begin(), D.end());
    std::set<std::vector<uint8_t>> contexts;
    for (auto& [k, n] : brute_counts(x, D, D.size(), md, x.size())) contexts.insert(k.first);
    for (const GroupShape& shape : shapes) {
      MemoryBudget budget;
      EntropySums sums;
      ASSERT_TRUE(grouped_entropy_sums(x.data(), x.size(), md, x.size(), D, &budget, Control{}, &sums, shape).ok());
      EntropyResult r;
      sums.finish(x.size() - md, &r);
      EXPECT_NEAR(r.bits, ref, 1e-11) << "seed " << seed << " part " << shape.part_items << " way " << int(shape.tally);  // sums of 10^5 n log n
      EXPECT_EQ(r.patterns, patterns) << "seed " << seed << " part " << shape.part_items << " way " << int(shape.tally);
      EXPECT_EQ(r.contexts, contexts.size()) << "seed " << seed << " part " << shape.part_items << " way " << int(shape.tally);
      EXPECT_EQ(budget.used, 0u);
    }
  }
  MemoryBudget budget;
  EntropySums sums;
  auto x = random_text(100, 1);
  EXPECT_EQ(grouped_entropy_sums(x.data(), x.size(), 3, x.size(), {1, 2, 3}, &budget, Control{}, &sums, GroupShape{4, 16, 5}).code,
            "E_OPTION");
}

TEST(Skipgram, EmptyOffsetListGivesOrderZeroEntropy) {
  auto x = random_text(500, 9);
  size_t patterns;
  const double ref = brute_entropy(x, {}, &patterns);
  MemoryBudget budget;
  EntropyResult r;
  ASSERT_TRUE(conditional_entropy(x.data(), x.size(), 0, x.size(), {}, &budget, Control{}, &r).ok());
  EXPECT_NEAR(r.bits, ref, 1e-12);
  EXPECT_EQ(r.patterns, 5u);
}

TEST(Skipgram, ShardsMergeToTheWhole) {
  auto x = random_text(3000, 4, 7);
  const std::vector<int> D = {1, 5, 2, 9};
  MemoryBudget budget;
  PairTable whole, a, b;
  whole.attach(&budget);
  a.attach(&budget);
  b.attach(&budget);
  ASSERT_TRUE(count_skipgrams(x.data(), x.size(), 9, x.size(), D, &whole, Control{}).ok());
  ASSERT_TRUE(count_skipgrams(x.data(), x.size(), 9, 1234, D, &a, Control{}).ok());
  ASSERT_TRUE(count_skipgrams(x.data(), x.size(), 1234, x.size(), D, &b, Control{}).ok());
  ASSERT_TRUE(merge_counts(b, &a).ok());
  PairTable sorted;  // counting by sorting gives the same table
  sorted.attach(&budget);
  ASSERT_TRUE(count_skipgrams_sorted(x.data(), x.size(), 9, x.size(), D, &budget, Control{}, &sorted).ok());
  ASSERT_EQ(a.size(), whole.size());
  ASSERT_EQ(sorted.size(), whole.size());
  for (const PairEntry& e : whole.slots()) {
    if (!e.count) continue;
    const PairEntry* f = a.find(e.ctx, e.y);
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->count, e.count);
    f = sorted.find(e.ctx, e.y);
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->count, e.count);
  }
}

TEST(Skipgram, TrieLevelsMatchBruteForce) {
  auto x = random_text(2000, 5, 4);
  const std::vector<int> D = {2, 1, 7};
  // Built by sorting and by hashing: both must be exact.
  for (bool sort : {true, false}) {
  MemoryBudget budget;
  budget.allow_sort = sort;
  SkipTrie trie;
  ASSERT_TRUE(count_trie(x.data(), x.size(), 7, x.size(), D, &budget, Control{}, &trie).ok());
  EXPECT_EQ(trie.positions, x.size() - 7);
  for (size_t k = 0; k <= D.size(); ++k) {
    auto m = brute_counts(x, D, k, 7, x.size());
    auto deeper = k < D.size() ? brute_counts(x, D, k + 1, 7, x.size()) : std::map<Key, uint64_t>{};
    EXPECT_EQ(trie.levels[k].pairs.size(), m.size()) << "level " << k;
    for (auto& [key, n] : m) {
      uint64_t ctx = 0;
      for (size_t j = 0; j < k; ++j) ctx |= uint64_t(key.first[j]) << (8 * j);
      const PairEntry* e = trie.levels[k].pairs.find(ctx, key.second);
      ASSERT_NE(e, nullptr);
      EXPECT_EQ(e->count, n);
      if (k < D.size()) {  // continuation count: distinct deeper contexts with this prefix and y
        uint32_t cont = 0;
        for (auto& [dk, dn] : deeper)
          if (dk.second == key.second && std::equal(key.first.begin(), key.first.end(), dk.first.begin())) ++cont;
        EXPECT_EQ(e->cont, cont);
      }
    }
    // Context statistics: totals and distinct next bytes by brute force.
    std::map<std::vector<uint8_t>, std::pair<uint64_t, uint32_t>> ctx;
    for (auto& [key, n] : m) ctx[key.first].first += n, ++ctx[key.first].second;
    EXPECT_EQ(trie.levels[k].contexts.size(), ctx.size());
    for (auto& [c, tn] : ctx) {
      uint64_t packed = 0;
      for (size_t j = 0; j < k; ++j) packed |= uint64_t(c[j]) << (8 * j);
      const ContextEntry* e = trie.levels[k].contexts.find(packed);
      ASSERT_NE(e, nullptr);
      EXPECT_EQ(e->total, tn.first);
      EXPECT_EQ(e->distinct, tn.second);
    }
  }
  }
}

TEST(Skipgram, LanguageModelDistributionsSumToOne) {
  auto x = random_text(5000, 6, 6);
  x[4000] = 'z';  // a byte never seen in training
  const std::vector<int> D = {1, 3, 2};
  for (Smoothing sm : {Smoothing::kneser_ney, Smoothing::witten_bell}) {
    MemoryBudget budget;
    SkipTrie trie;
    ASSERT_TRUE(count_trie(x.data(), x.size(), 3, 3500, D, &budget, Control{}, &trie).ok());
    double p[256];
    for (uint64_t s : {3ull, 100ull, 3600ull, 4000ull, 4001ull, 4999ull}) {
      trie_distribution(trie, sm, x.data(), s, p);
      double sum = 0;
      for (double v : p) {
        EXPECT_GT(v, 0.0);
        sum += v;
      }
      EXPECT_NEAR(sum, 1.0, 1e-9) << "s " << s;
    }
    HeldOutResult r;
    ASSERT_TRUE(score_trie(trie, sm, x.data(), x.size(), 3500, x.size(), Control{}, &r).ok());
    EXPECT_EQ(r.positions, 1500u);
    double bits = 0;
    for (uint64_t s = 3500; s < x.size(); ++s) {
      trie_distribution(trie, sm, x.data(), s, p);
      bits -= std::log2(p[x[s]]);
    }
    EXPECT_NEAR(r.bits, bits, 1e-6);
    // i.i.d. text over 6 letters: no model beats log2 6 by much, and smoothing keeps the
    // overfitted order-3 contexts from costing much more.
    EXPECT_GT(r.bits / r.positions, std::log2(6.0) - 0.1);
    EXPECT_LT(r.bits / r.positions, std::log2(6.0) + 0.4);
  }
}

TEST(Skipgram, KneserNeyPrefersTheDeterministicContext) {
  // Periodic text: the context at offset 1 determines the next byte exactly.
  std::vector<uint8_t> x(3000);
  for (size_t i = 0; i < x.size(); ++i) x[i] = uint8_t("abcde"[i % 5]);
  MemoryBudget budget;
  SkipTrie trie;
  ASSERT_TRUE(count_trie(x.data(), x.size(), 1, 2500, {1}, &budget, Control{}, &trie).ok());
  for (Smoothing sm : {Smoothing::kneser_ney, Smoothing::witten_bell}) {
    HeldOutResult r;
    ASSERT_TRUE(score_trie(trie, sm, x.data(), x.size(), 2500, x.size(), Control{}, &r).ok());
    EXPECT_LT(r.bits / r.positions, 0.01);
    EXPECT_EQ(r.depth[1], 500u);
  }
}

TEST(Skipgram, GreedyHeldOutPicksTheInformativeOffset) {
  // x_s copies x_{s−4}; other bytes random: offset 4 must be chosen first.
  std::mt19937 rng(3);
  std::vector<uint8_t> x(20000);
  for (size_t i = 0; i < x.size(); ++i) x[i] = i >= 4 && rng() % 4 ? x[i - 4] : uint8_t('a' + rng() % 8);
  MemoryBudget budget;
  std::vector<GreedyStep> steps;
  ASSERT_TRUE(greedy_heldout(x.data(), x.size(), {0, 16000}, {16000, 20000}, {}, 2, 6, Smoothing::kneser_ney, &budget,
                             Control{}, &steps).ok());
  ASSERT_EQ(steps.size(), 3u);
  EXPECT_EQ(steps[1].added, 4);
  EXPECT_LT(steps[1].score, steps[0].score);
  std::vector<GreedyStep> steps2;  // two threads: the same steps, bit for bit
  ASSERT_TRUE(greedy_heldout(x.data(), x.size(), {0, 16000}, {16000, 20000}, {}, 2, 6, Smoothing::kneser_ney, &budget,
                             Control{}, &steps2, 2).ok());
  ASSERT_EQ(steps2.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(steps2[i].offsets, steps[i].offsets);
    EXPECT_EQ(steps2[i].score, steps[i].score);
  }
}

TEST(Skipgram, MiProfileMatchesBruteForce) {
  auto x = random_text(1500, 8, 5);
  std::vector<double> mi;
  ASSERT_TRUE(mi_profile(x.data(), x.size(), 0, x.size(), 12, &mi, Control{}).ok());
  ASSERT_EQ(mi.size(), 12u);
  for (int d = 1; d <= 12; ++d) {
    // H(Y) over the same positions minus the brute-force H(Y | X_d).
    std::map<uint8_t, uint64_t> y;
    for (size_t s = d; s < x.size(); ++s) ++y[x[s]];
    double hy = 0;
    const double N = double(x.size() - d);
    for (auto& [b, n] : y) hy -= n / N * std::log2(n / N);
    size_t patterns;
    const double hyx = brute_entropy(x, {d}, &patterns);
    EXPECT_NEAR(mi[d - 1], hy - hyx, 1e-10) << "d " << d;
  }
}

TEST(Skipgram, MemoryBoundStopsCounting) {
  auto x = random_text(100000, 2, 200);
  MemoryBudget budget;
  budget.limit = 64 * 1024;
  EntropyResult r;
  Status st = conditional_entropy(x.data(), x.size(), 0, x.size(), {1, 2, 3}, &budget, Control{}, &r);
  EXPECT_EQ(st.code, "E_MEMORY_LIMIT");
  EXPECT_EQ(budget.used, 0u);
  EXPECT_LE(budget.peak, budget.limit);
}

TEST(Skipgram, BadOffsetsAndRangesAreRejected) {
  auto x = random_text(100, 1);
  PairTable t;
  EXPECT_EQ(count_skipgrams(x.data(), x.size(), 0, 100, {1, 0}, &t, Control{}).code, "E_OPTION");
  EXPECT_EQ(count_skipgrams(x.data(), x.size(), 0, 100, {1, 1}, &t, Control{}).code, "E_OPTION");
  EXPECT_EQ(count_skipgrams(x.data(), x.size(), 0, 100, {1, 2, 3, 4, 5, 6, 7, 8, 9}, &t, Control{}).code, "E_OPTION");
  EXPECT_EQ(count_skipgrams(x.data(), x.size(), 2, 100, {3}, &t, Control{}).code, "E_RANGE");
  EXPECT_EQ(count_skipgrams(x.data(), x.size(), 3, 101, {3}, &t, Control{}).code, "E_RANGE");
  int32_t flag = 1;
  Control c;
  c.cancel_flag = &flag;
  EXPECT_EQ(count_skipgrams(x.data(), x.size(), 3, 100, {3}, &t, c).code, "E_ABORTED");
}

TEST(Skipgram, WitnessesMatchBruteForce) {
  auto x = random_text(1200, 12, 4);
  const std::vector<int> D = {1, 4};
  MemoryBudget budget;
  SkipTrie trie;
  ASSERT_TRUE(count_trie(x.data(), x.size(), 4, x.size(), D, &budget, Control{}, &trie).ok());
  std::mt19937 rng(1);
  std::vector<uint8_t> guess(x.size() - 1);  // guess[t] predicts x_{t+1}
  for (size_t t = 0; t + 1 < x.size(); ++t) guess[t] = rng() % 3 ? x[t + 1] : uint8_t('a' + rng() % 4);
  WitnessResult w;
  ASSERT_TRUE(witness_stats(trie, x.data(), x.size(), 0, x.size(), guess.data(), 0, &w).ok());
  auto c1 = brute_counts(x, D, 1, 4, x.size()), c2 = brute_counts(x, D, 2, 4, x.size());
  auto is_witness = [&](const std::map<Key, uint64_t>& m, const std::vector<uint8_t>& ctx, uint8_t g) {
    uint64_t mx = 0, mine = 0;
    for (auto& [k, n] : m)
      if (k.first == ctx) {
        mx = std::max(mx, n);
        if (k.second == g) mine = n;
      }
    return mine > 0 && mine == mx;
  };
  uint64_t covered = 0, correct = 0, w1 = 0, w2 = 0;
  for (size_t s = 4; s < x.size(); ++s) {
    const uint8_t g = guess[s - 1];
    const bool a = is_witness(c1, {x[s - 1]}, g), b = is_witness(c2, {x[s - 1], x[s - 4]}, g);
    w1 += a;
    w2 += b;
    covered += a || b;
    correct += g == x[s];
  }
  EXPECT_EQ(w.positions, x.size() - 4);
  EXPECT_EQ(w.correct, correct);
  EXPECT_EQ(w.witnessed[1], w1);
  EXPECT_EQ(w.witnessed[2], w2);
  EXPECT_EQ(w.covered, covered);
  EXPECT_EQ(w.matched[1], x.size() - 4);  // in-sample: every context is seen
  EXPECT_EQ(w.covered_correct + w.covered_incorrect, w.covered);
}

// held_out (the skipgramHeldOut job) is the trie counted on train then scored on test, and
// records that trie's size.
TEST(Skipgram, HeldOutIsCountThenScore) {
  auto x = random_text(2000, 7, 6);
  const std::vector<int> D = {1, 3};
  MemoryBudget budget;
  SkipTrie trie;
  ASSERT_TRUE(count_trie(x.data(), x.size(), 3, 1500, D, &budget, Control{}, &trie).ok());
  HeldOutResult want, got;
  ASSERT_TRUE(score_trie(trie, Smoothing::kneser_ney, x.data(), x.size(), 1500, 2000, Control{}, &want).ok());
  MemoryBudget budget2;
  ASSERT_TRUE(held_out(x.data(), x.size(), D, {0, 1500}, {1500, 2000}, Smoothing::kneser_ney, &budget2, Control{}, &got).ok());
  EXPECT_EQ(got.bits, want.bits);
  EXPECT_EQ(got.positions, 500u);
  EXPECT_EQ(got.depth, want.depth);
  EXPECT_EQ(got.train_positions, 1497u);
  EXPECT_EQ(got.patterns, trie.levels.back().pairs.size());
  EXPECT_GT(got.contexts, 0u);
  EXPECT_EQ(held_out(x.data(), x.size(), D, {0, 3}, {1500, 2000}, Smoothing::kneser_ney, &budget2, Control{}, &got).code,
            "E_CORPUS_TOO_SHORT");
}

// witness_pass (the skipgramWitness job): the RNN's guesses from an evaluation's argmax
// capture, then witness_stats; out-of-sample trie on `train`.
TEST(Skipgram, WitnessPassUsesTheEvaluationsGuesses) {
  const int H = 7;
  auto params = bi_test::random_params(H, 9, 0.6f);
  auto m = param_views<const float>(params.data(), H);
  auto x = random_text(1500, 4, 4);
  const std::vector<int> D = {1, 2};
  const Kernels& k = *kernels_for(Isa::scalar);
  std::vector<uint8_t> guess(499);
  Capture cap;
  cap.argmax = guess.data();
  ASSERT_TRUE(bi_test::capture_pass(k, m, x, 1000, 1500, cap).ok());
  MemoryBudget budget;
  SkipTrie trie;
  ASSERT_TRUE(count_trie(x.data(), x.size(), 2, 1000, D, &budget, Control{}, &trie).ok());
  WitnessResult want, got;
  ASSERT_TRUE(witness_stats(trie, x.data(), x.size(), 1000, 1500, guess.data(), 1000, &want).ok());
  MemoryBudget budget2;
  ASSERT_TRUE(witness_pass(k, m, x.data(), x.size(), D, {1000, 1500}, {0, 1000}, &budget2, Control{}, &got).ok());
  EXPECT_EQ(got.positions, want.positions);
  EXPECT_EQ(got.correct, want.correct);
  EXPECT_EQ(got.witnessed, want.witnessed);
  EXPECT_EQ(got.deepest, want.deepest);
  EXPECT_EQ(got.matched, want.matched);
  EXPECT_GT(got.matched[1], 0u);
  auto nan = params;
  nan[size_t(H) * kVocab + 3] = NAN;  // in Wh: every step reads it
  EXPECT_EQ(witness_pass(k, param_views<const float>(nan.data(), H), x.data(), x.size(), D, {1000, 1500}, {0, 1000},
                         &budget2, Control{}, &got).code,
            "E_NON_FINITE");
}
