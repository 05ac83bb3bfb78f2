// The study's statistics (SPEC §4), all in-sample and unsmoothed: the plug-in conditional
// entropy H(Y | X_D) = (Σ_c n_c log n_c − Σ_{c,y} n_cy log n_cy) / N, the number of patterns
// (distinct (context, y)), the greedy offset search and the single-offset MI profile.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "bi/counts.h"
#include "bi/skipgram.h"

namespace bi {

Status conditional_entropy(const uint8_t* data, uint64_t size, uint64_t begin, uint64_t end,
                           const std::vector<int>& offsets, MemoryBudget* budget,
                           const Control& control, EntropyResult* out) {
  Status st = check_offsets(offsets);
  if (!st.ok()) return st;
  const uint64_t s0 = std::max<uint64_t>(begin, uint64_t(max_offset(offsets)));
  if (end > size || begin > end) return Status::Error("E_RANGE", "range outside the data");
  *out = EntropyResult{};
  if (s0 >= end) return Status::Error("E_CORPUS_TOO_SHORT", "no position s ≥ max offset in the range");
  EntropySums sums;
  const uint64_t used0 = budget->used, peak0 = budget->peak;
  budget->peak = used0;
  if (!budget->allow_sort || used0 + (end - s0) * 18 > budget->limit) {
    // No room to sort (≤ 16 bytes per position; 18 kept as the bound): hash the pairs, then
    // sum them by context.
    PairTable pairs, totals;
    pairs.attach(budget);
    totals.attach(budget);
    st = count_skipgrams(data, size, s0, end, offsets, &pairs, control);
    PairEntry batch[256];
    int n = 0;
    for (const PairEntry& e : pairs.slots()) {
      if (!st.ok()) break;
      if (!e.count) continue;
      sums.add_pair(e.count);
      batch[n++] = PairEntry{e.ctx, e.count, 0, 256};
      if (n == 256) st = totals.add_entries(batch, n), n = 0;
    }
    if (st.ok()) st = totals.add_entries(batch, n);
    if (st.ok())
      for (const PairEntry& e : totals.slots())
        if (e.count) sums.add_context(e.count);
  } else {
    // Grouping needs no table that outlives a group.
    st = grouped_entropy_sums(data, size, s0, end, offsets, budget, control, &sums);
  }
  out->bytes = budget->peak - used0;
  budget->peak = std::max(peak0, budget->peak);
  if (!st.ok()) return st;
  sums.finish(end - s0, out);
  return Status::Ok();
}

Status mi_profile(const uint8_t* data, uint64_t size, uint64_t begin, uint64_t end, int max_d,
                  std::vector<double>* mi, const Control& control) {
  if (max_d < 1 || max_d > kMaxSkipOffset) return Status::Error("E_OPTION", "maxOffset must be in 1…" + std::to_string(kMaxSkipOffset));
  if (end > size || begin > end) return Status::Error("E_RANGE", "range outside the data");
  mi->assign(max_d, std::numeric_limits<double>::quiet_NaN());
  std::vector<uint64_t> table(65536);
  for (int d = 1; d <= max_d; ++d) {
    const uint64_t s0 = std::max<uint64_t>(begin, uint64_t(d));
    if (s0 >= end) continue;  // no position: MI undefined (NaN)
    std::fill(table.begin(), table.end(), 0);
    const Control quiet = control.quiet();
    Status st = offset_pair_counts(data, size, s0, end, {d}, table.data(), quiet);
    if (!st.ok()) return st;
    uint64_t y[256] = {0};
    double s_pairs = 0, s_ctx = 0;
    for (int a = 0; a < 256; ++a) {
      uint64_t na = 0;
      for (int b = 0; b < 256; ++b) {
        const uint64_t n = table[a * 256 + b];
        na += n;
        y[b] += n;
        s_pairs += nlog2n(n);
      }
      s_ctx += nlog2n(na);
    }
    const double N = double(end - s0);
    double s_y = 0;
    for (int b = 0; b < 256; ++b) s_y += nlog2n(y[b]);
    const double hy = std::log2(N) - s_y / N;
    const double hyx = (s_ctx - s_pairs) / N;
    (*mi)[d - 1] = std::max(0.0, hy - hyx);
    control.report(d, max_d);
  }
  return Status::Ok();
}

Status greedy_study(const uint8_t* data, uint64_t size, uint64_t begin, uint64_t end,
                    const std::vector<int>& start, int order, int max_d, MemoryBudget* budget,
                    const Control& control, std::vector<GreedyStep>* steps) {
  Status st = check_greedy(start, order, max_d);
  if (!st.ok()) return st;
  steps->clear();
  GreedyStep first;
  first.offsets = start;
  first.added = start.empty() ? 0 : start.back();
  st = conditional_entropy(data, size, begin, end, start, budget, Control{}, &first.stats);
  if (!st.ok()) return st;
  first.score = first.stats.bits;
  steps->push_back(first);
  const Control quiet = control.quiet();
  const GreedyScore score = [&](const std::vector<int>& D, MemoryBudget* mem, double* bits, EntropyResult* stats) {
    Status s = conditional_entropy(data, size, begin, end, D, mem, quiet, stats);
    *bits = s.ok() ? stats->bits : std::numeric_limits<double>::quiet_NaN();
    return s.code == "E_CORPUS_TOO_SHORT" ? Status::Ok() : s;  // d reaches past the data: not a candidate
  };
  return greedy_select(order, max_d, score, 1, budget, control, steps);
}

}  // namespace bi
