// The study's plug-in statistics of skip-k-grams (skipgram_stats.cc, in-sample: conditional
// entropy, patterns, MI profile) and the greedy choice of offsets (skipgram_greedy.cc).
#pragma once
#include <cmath>
#include <cstdint>
#include <functional>
#include <vector>

#include "bi/control.h"
#include "bi/skipgram_tables.h"
#include "bi/status.h"

namespace bi {

// ─────────────── study statistics (skipgram_stats.cc): plug-in, in-sample ───────────────

struct EntropyResult {
  double bits = 0;          // H(Y | X_D), bits per predicted byte
  uint64_t patterns = 0;    // distinct (context, y) with a nonzero count
  uint64_t contexts = 0;    // distinct contexts
  uint64_t positions = 0;   // s ∈ [max(max D, begin), end)
  uint64_t bytes = 0;       // table memory at the peak
};

// n log2 n, from a 32 KiB table for n < 4096 (most counts are small, and log2 was a tenth of
// the counting time); the table holds the same expression, so the bits are the same.
constexpr uint64_t kNlog2nTable = 1 << 12;
inline const double* nlog2n_table() {
  static const std::vector<double> table = [] {
    std::vector<double> t(kNlog2nTable, 0.0);
    for (size_t i = 1; i < t.size(); ++i) t[i] = double(i) * std::log2(double(i));
    return t;
  }();
  return table.data();
}
inline double nlog2n(uint64_t n) { return n < kNlog2nTable ? nlog2n_table()[n] : double(n) * std::log2(double(n)); }

// The plug-in sums of H(Y | X_D) = (Σ_c n_c log2 n_c − Σ_{c,y} n_cy log2 n_cy) / N, fed one
// count at a time in any order: conditional_entropy and the statistics of stored count tables
// (skipgram_shards.h) share them. Different orders agree up to rounding.
struct EntropySums {
  double pair_sum = 0, context_sum = 0;
  uint64_t patterns = 0, contexts = 0;
  void add_pair(uint64_t n_cy) { pair_sum += nlog2n(n_cy), ++patterns; }
  void add_context(uint64_t n_c) { context_sum += nlog2n(n_c), ++contexts; }
  // bits, patterns, contexts and positions of `out` (bytes is left as it is).
  void finish(uint64_t positions, EntropyResult* out) const {
    out->positions = positions;
    out->patterns = patterns;
    out->contexts = contexts;
    out->bits = (context_sum - pair_sum) / double(positions);
    if (out->bits < 0) out->bits = 0;  // rounding when every context is deterministic
  }
};

// Sizes of the grouping path: words per part, the part size above which a part may be split
// by bytes, and log2 of the largest table (≥ 4 × max_items slots). Tests shrink them so that
// small inputs reach every branch, and fix the way parts are tallied (by pairs: a probe per
// word and per distinct word; by contexts: a probe per word and per word whose next byte is
// not its context's first; automatic: whichever has cost fewer probes on sampled parts).
enum class TallyWay { kAuto, kByPairs, kByContexts };
struct GroupShape {
  uint64_t part_items = 1024;
  uint64_t max_items = 4096;
  int max_bits = 14;
  TallyWay tally = TallyWay::kAuto;
};

// The plug-in sums of the counts of s ∈ [s_begin, s_end) without an order: pass 1 of
// sorted_counts (by context byte 0), then each bucket is scattered by a hash of its contexts
// into parts of about part_items words, and each part's distinct words (patterns) and
// contexts are counted in small hash tables that stay in cache. Memory as sorted_counts; the
// sums agree with sorted_counts' up to rounding.
Status grouped_entropy_sums(const uint8_t* data, uint64_t size, uint64_t s_begin, uint64_t s_end,
                            const std::vector<int>& offsets, MemoryBudget* budget, const Control& control,
                            EntropySums* sums, const GroupShape& shape = GroupShape{});

// Plug-in H(Y | X_D) over s ∈ [max(begin, max D), end). An empty D gives H(Y).
Status conditional_entropy(const uint8_t* data, uint64_t size, uint64_t begin, uint64_t end,
                           const std::vector<int>& offsets, MemoryBudget* budget,
                           const Control& control, EntropyResult* out);

// Single-offset profile: mi[d−1] = H(Y) − H(Y | X_d), both over s ∈ [max(begin, d), end),
// d = 1 … max_d.
Status mi_profile(const uint8_t* data, uint64_t size, uint64_t begin, uint64_t end, int max_d,
                  std::vector<double>* mi, const Control& control);

struct GreedyStep {
  std::vector<int> offsets;        // after this step
  int added = 0;
  double score = 0;                // the chosen candidate's score
  std::vector<double> candidates;  // score by d − 1 (NaN for d already in the list)
  EntropyResult stats;             // in-sample statistics of `offsets`
};

// ─────────────── greedy offset selection (skipgram_greedy.cc) ───────────────

// E_OPTION unless start is a valid offset list, |start| ≤ order ≤ kMaxSkipOrder and
// order ≤ max_d ≤ kMaxSkipOffset.
Status check_greedy(const std::vector<int>& start, int order, int max_d);

// Scores one offset list D for a greedy step: *score (NaN when D does not fit in the data:
// not a candidate) and the statistics to keep; tables count against `budget`.
using GreedyScore = std::function<Status(const std::vector<int>& D, MemoryBudget* budget, double* score,
                                         EntropyResult* stats)>;
// The greedy loop both greedies run: from the offsets of steps->back() (the caller records
// the first step), add the d ∈ 1 … max_d not yet chosen with the smallest score until the
// list has `order` offsets; ties go to the smaller d. The candidates of a step run on
// `threads` threads, each with budget->limit / threads of memory, and are compared in d
// order (the same result for any thread count). Progress after each step; cancel between.
Status greedy_select(int order, int max_d, const GreedyScore& score, int threads, MemoryBudget* budget,
                     const Control& control, std::vector<GreedyStep>* steps);

// Study greedy: from `start`, add the d ∈ 1 … max_d (not yet chosen) that minimises the
// plug-in H(Y | X_{D ∪ d}) over s ∈ [max(begin, max(D ∪ d)), end); ties go to the smaller d.
// Runs until the list has `order` offsets. The first step records `start` itself.
Status greedy_study(const uint8_t* data, uint64_t size, uint64_t begin, uint64_t end,
                    const std::vector<int>& start, int order, int max_d, MemoryBudget* budget,
                    const Control& control, std::vector<GreedyStep>* steps);

}  // namespace bi
