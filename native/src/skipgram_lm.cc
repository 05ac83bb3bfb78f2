// The held-out language model: interpolated back-off down the backward trie. Level k
// interpolates its own estimate with level k−1, level 0 with the uniform 1/256:
//   modified Kneser–Ney  p_k(y) = max(v − D(v), 0)/T + (D1·n1 + D2·n2 + D3+·n3+)/T · p_{k−1}(y),
//     v = raw count at the top level, continuation count (distinct longer contexts) below;
//   Witten–Bell          p_k(y) = (c + u·p_{k−1}(y)) / (T + u),  u = distinct next bytes.
// A context never seen at level k leaves p_{k−1} as it is (and every deeper one is unseen).
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "bi/skipgram.h"

namespace bi {

namespace {

// One level's interpolation step: p_{k−1}(y) → p_k(y), given the context's entry c and the
// (context, y) entry e (null when y never followed the context).
inline double level_prob(const SkipLevel& L, const ContextEntry& c, const PairEntry* e, bool top, Smoothing sm,
                         double lower) {
  if (sm == Smoothing::kneser_ney) {
    const uint32_t v = e ? (top ? e->count : e->cont) : 0;
    const double T = double(c.kn_total);
    const double D = v ? L.discount[std::min<uint32_t>(v, 3)] : 0.0;
    const double gamma = (L.discount[1] * c.n1 + L.discount[2] * c.n2 + L.discount[3] * c.n3p) / T;
    return std::max(double(v) - D, 0.0) / T + gamma * lower;
  }
  const double n = e ? double(e->count) : 0.0, u = double(c.distinct);
  return (n + u * lower) / (double(c.total) + u);
}

// Returns p(y | context at s); *depth = the number of offsets of the deepest seen context.
double trie_prob(const SkipTrie& t, Smoothing sm, const uint8_t* data, uint64_t s, uint32_t y, int* depth) {
  const int K = int(t.offsets.size());
  double p = 1.0 / 256.0;
  uint64_t ctx = 0;
  int k = 0;
  for (; k <= K; ++k) {
    if (k > 0) ctx |= uint64_t(data[s - uint64_t(t.offsets[k - 1])]) << (8 * (k - 1));
    const SkipLevel& L = t.levels[k];
    const ContextEntry* c = L.contexts.find(ctx);
    if (!c) break;
    p = level_prob(L, *c, L.pairs.find(ctx, y), k == K, sm, p);
  }
  *depth = k - 1;  // −1 only for an empty trie (no level-0 context)
  return p;
}

}  // namespace

void trie_distribution(const SkipTrie& trie, Smoothing sm, const uint8_t* data, uint64_t s, double* p) {
  int depth;
  for (uint32_t y = 0; y < 256; ++y) p[y] = trie_prob(trie, sm, data, s, y, &depth);
}

Status score_trie(const SkipTrie& trie, Smoothing sm, const uint8_t* data, uint64_t size,
                  uint64_t begin, uint64_t end, const Control& control, HeldOutResult* out) {
  if (end > size || begin > end) return Status::Error("E_RANGE", "scored range outside the data");
  const int K = int(trie.offsets.size());
  if (trie.levels.size() != size_t(K + 1)) return Status::Error("E_NATIVE", "score_trie: the trie was not built");
  const uint64_t s0 = std::max<uint64_t>(begin, uint64_t(max_offset(trie.offsets)));
  *out = HeldOutResult{};
  out->depth.assign(K + 1, 0);
  out->train_positions = trie.positions;
  out->patterns = trie.levels.back().pairs.size();
  out->contexts = trie.levels.back().contexts.size();
  out->bytes = trie.bytes();
  static const double kFloor = 1e-30;
  // A block of positions walks down the trie level by level, so the slots of a whole
  // level can be prefetched before they are read (the tables exceed the caches).
  constexpr int kBlock = 64;
  uint64_t ctx[kBlock];
  double p[kBlock];
  int live[kBlock];
  int depth[kBlock];
  uint64_t done = 0;
  for (uint64_t b0 = s0; b0 < end; b0 += kBlock) {
    const int n = int(std::min<uint64_t>(kBlock, end - b0));
    int nl = n;
    for (int j = 0; j < n; ++j) ctx[j] = 0, p[j] = 1.0 / 256.0, live[j] = j, depth[j] = -1;
    for (int k = 0; k <= K && nl > 0; ++k) {
      const SkipLevel& L = trie.levels[k];
      for (int i = 0; i < nl; ++i) {
        const int j = live[i];
        const uint64_t s = b0 + j;
        if (k > 0) ctx[j] |= uint64_t(data[s - uint64_t(trie.offsets[k - 1])]) << (8 * (k - 1));
        __builtin_prefetch(L.contexts.slots().data() + L.contexts.slot_of(ctx[j]));
        __builtin_prefetch(L.pairs.slots().data() + L.pairs.slot_of(ctx[j], data[s]));
      }
      int kept = 0;
      for (int i = 0; i < nl; ++i) {
        const int j = live[i];
        const ContextEntry* c = L.contexts.find(ctx[j]);
        if (!c) continue;  // unseen: every deeper context is unseen too
        const PairEntry* e = L.pairs.find(ctx[j], data[b0 + j]);
        p[j] = level_prob(L, *c, e, k == K, sm, p[j]);
        depth[j] = k;
        live[kept++] = j;
      }
      nl = kept;
    }
    for (int j = 0; j < n; ++j) {
      out->bits -= std::log2(std::max(p[j], kFloor));
      if (depth[j] >= 0) ++out->depth[depth[j]];
    }
    done += uint64_t(n);
    if ((done & ((uint64_t(1) << 20) - 1)) < uint64_t(n)) {
      control.report(double(done), double(end - s0));
      if (control.cancelled()) return Status::Error("E_ABORTED", "scoring cancelled");
    }
  }
  out->positions = end > s0 ? end - s0 : 0;
  return Status::Ok();
}

Status greedy_heldout(const uint8_t* data, uint64_t size, LmRange fit, LmRange valid,
                      const std::vector<int>& start, int order, int max_d, Smoothing sm,
                      MemoryBudget* budget, const Control& control, std::vector<GreedyStep>* steps, int threads) {
  Status st = check_greedy(start, order, max_d);
  if (!st.ok()) return st;
  if (fit.end > size || fit.begin > fit.end || valid.end > size || valid.begin > valid.end)
    return Status::Error("E_RANGE", "fit or validation range outside the data");
  const Control quiet = control.quiet();
  // Held-out bits per position of one offset list (NaN when it does not fit in the data).
  const GreedyScore score = [&](const std::vector<int>& D, MemoryBudget* mem, double* bits, EntropyResult* stats) -> Status {
    const uint64_t s0 = std::max<uint64_t>(fit.begin, uint64_t(max_offset(D)));
    if (s0 >= fit.end) {
      *bits = std::numeric_limits<double>::quiet_NaN();
      return Status::Ok();
    }
    SkipTrie trie;
    Status s = count_trie(data, size, s0, fit.end, D, mem, quiet, &trie);
    if (!s.ok()) return s;
    HeldOutResult r;
    s = score_trie(trie, sm, data, size, valid.begin, valid.end, quiet, &r);
    if (!s.ok()) return s;
    *bits = r.positions ? r.bits / double(r.positions) : std::numeric_limits<double>::quiet_NaN();
    stats->bits = *bits;
    stats->positions = r.positions;
    stats->patterns = trie.levels.back().pairs.size();
    stats->contexts = trie.levels.back().contexts.size();
    stats->bytes = trie.bytes();
    return Status::Ok();
  };
  steps->clear();
  GreedyStep first;
  first.offsets = start;
  first.added = start.empty() ? 0 : start.back();
  st = score(start, budget, &first.score, &first.stats);
  if (!st.ok()) return st;
  steps->push_back(first);
  return greedy_select(order, max_d, score, threads, budget, control, steps);
}

Status held_out(const uint8_t* data, uint64_t size, const std::vector<int>& offsets, LmRange train,
                LmRange test, Smoothing sm, MemoryBudget* budget, const Control& control, HeldOutResult* out) {
  if (train.end > size || train.begin > train.end) return Status::Error("E_RANGE", "training range outside the data");
  const uint64_t s0 = std::max<uint64_t>(train.begin, uint64_t(max_offset(offsets)));
  if (s0 >= train.end)
    return Status::Error("E_CORPUS_TOO_SHORT", "the training part is shorter than the largest offset");
  SkipTrie trie;
  Status st = count_trie(data, size, s0, train.end, offsets, budget, control, &trie);
  if (!st.ok()) return st;
  return score_trie(trie, sm, data, size, test.begin, test.end, control, out);
}

}  // namespace bi
