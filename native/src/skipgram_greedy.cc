// Greedy offset selection (skipgram.h greedy_select): the loop the study greedy
// (skipgram_stats.cc) and the held-out greedy (skipgram_lm.cc) share; only the score differs.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "bi/skipgram.h"
#include "bi/threadpool.h"

namespace bi {

Status check_greedy(const std::vector<int>& start, int order, int max_d) {
  Status st = check_offsets(start);
  if (!st.ok()) return st;
  if (order < int(start.size()) || order > kMaxSkipOrder)
    return Status::Error("E_OPTION", "greedy order must be in " + std::to_string(start.size()) + "…" + std::to_string(kMaxSkipOrder));
  if (max_d < 1 || max_d > kMaxSkipOffset || max_d < order)
    return Status::Error("E_OPTION", "maxOffset must be ≥ the greedy order and ≤ " + std::to_string(kMaxSkipOffset));
  return Status::Ok();
}

Status greedy_select(int order, int max_d, const GreedyScore& score, int threads, MemoryBudget* budget,
                     const Control& control, std::vector<GreedyStep>* steps) {
  if (steps->empty()) return Status::Error("E_NATIVE", "greedy_select: the first step is missing");
  std::vector<int> D = steps->back().offsets;
  const double total = double(order - int(D.size())) * max_d;
  double done = 0;
  // Candidates of a step are independent: they run on the pool, each with its share of the
  // memory bound, and are compared afterwards in d order (same result for any threads).
  ThreadPool pool(std::max(1, threads));
  const int T = pool.size();
  while (int(D.size()) < order) {
    GreedyStep step;
    step.candidates.assign(max_d, std::numeric_limits<double>::quiet_NaN());
    std::vector<int> cands;
    for (int d = 1; d <= max_d; ++d)
      if (std::find(D.begin(), D.end(), d) == D.end()) cands.push_back(d);
    const int n = int(cands.size());
    std::vector<double> bits(n);
    std::vector<EntropyResult> stats(n);
    std::vector<Status> status(n);
    std::vector<MemoryBudget> budgets(n);
    pool.run(n, [&](int i) {
      budgets[i].limit = budget->limit / uint64_t(T);
      budgets[i].allow_sort = budget->allow_sort;
      std::vector<int> cand = D;
      cand.push_back(cands[i]);
      status[i] = score(cand, &budgets[i], &bits[i], &stats[i]);
    });
    for (int i = 0; i < n; ++i) {
      if (!status[i].ok()) return status[i];
      budget->peak = std::max(budget->peak, budgets[i].peak * uint64_t(T));
    }
    done += n;
    control.report(done, total);
    if (control.cancelled()) return Status::Error("E_ABORTED", "greedy selection cancelled");
    int best = 0;
    for (int i = 0; i < n; ++i) {
      if (std::isnan(bits[i])) continue;
      step.candidates[cands[i] - 1] = bits[i];
      if (best == 0 || bits[i] < step.score) {  // strict, in d order: ties keep the smaller d
        best = cands[i];
        step.score = bits[i];
        step.stats = stats[i];
      }
    }
    if (best == 0) return Status::Error("E_CORPUS_TOO_SHORT", "no candidate offset fits in the data");
    D.push_back(best);
    step.offsets = D;
    step.added = best;
    steps->push_back(std::move(step));
  }
  return Status::Ok();
}

}  // namespace bi
