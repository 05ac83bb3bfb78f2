// The plug-in sums without sorting (grouped_entropy_sums). The statistics need no order, so
// after pass 1 (skipgram_words.h) each byte-0 bucket is scattered by a hash of the rest of
// the context into parts of about GroupShape::part_items words (a context never straddles
// two parts), and each part is tallied in small hash tables that stay in cache, by pairs or
// by contexts (see tally below): the distinct words are the patterns, the distinct contexts
// the contexts. No LSD sort, no per-context emit, and no extra pass for the large groups a
// byte split leaves.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bi/skipgram.h"
#include "bi/skipgram_words.h"

namespace bi {

namespace {

template <typename W>
struct CountSlot {
  W key;
  uint32_t count;  // 0: empty
};

// A context's slot holds its first word (the context and the first next byte seen), so a
// position whose next byte is its context's first costs one probe; only the other next bytes
// go to the pair table. Most contexts of long offset sets have one next byte.
template <typename W>
struct ContextSlot {
  W first;         // key: first >> 8
  uint32_t total;  // positions with this context; 0: empty
  uint32_t same;   // positions with this context and first's next byte
};

// Multiplicative hashes with different constants: the part index and the slot in a part's
// table must not use the same bits of the same product.
inline uint64_t part_hash(uint64_t context) { return context * 0x9e3779b97f4a7c15ULL; }
inline uint64_t slot_hash(uint64_t key) { return key * 0xff51afd7ed558ccdULL; }

template <typename W, int K>
class GroupCounter {
 public:
  GroupCounter(const GroupShape& shape, EntropySums* sums)
      : part_items_(shape.part_items), max_items_(shape.max_items), max_bits_(shape.max_bits), way_(shape.tally),
        max_distinct_(uint64_t(1) << (shape.max_bits - 1)), sums_(sums),
        pairs_(new CountSlot<W>[size_t(1) << max_bits_]()), contexts_(new ContextSlot<W>[size_t(1) << max_bits_]()),
        used_pairs_(new uint32_t[max_distinct_ + 1]), used_contexts_(new uint32_t[max_distinct_ + 1]) {}

  static uint64_t bytes(const GroupShape& shape) {
    return (uint64_t(1) << shape.max_bits) * (sizeof(CountSlot<W>) + sizeof(ContextSlot<W>)) +
           2 * ((uint64_t(1) << (shape.max_bits - 1)) + 1) * sizeof(uint32_t);
  }

  // The n ≥ 1 words of one byte-0 bucket, and a free buffer of n words.
  void bucket(W* w, uint64_t n, W* scratch) {
    int pbits = 0;
    while ((part_items_ << pbits) < n && pbits < 12) ++pbits;
    if (pbits == 0) return count(w, n, scratch, 1);
    uint64_t sub[4097];
    scatter_by_part(w, scratch, n, pbits, sub);
    for (uint64_t p = 0; p < (uint64_t(1) << pbits); ++p)
      if (const uint64_t m = sub[p + 1] - sub[p]) count(scratch + sub[p], m, w + sub[p], 1);
  }

 private:
  // Stable scatter of a[0, n) into b by the top pbits (≤ 12) of the context hash.
  static void scatter_by_part(const W* a, W* b, uint64_t n, int pbits, uint64_t* sub) {
    const uint64_t parts = uint64_t(1) << pbits;
    uint32_t pos[4096];
    uint64_t hist[4096] = {0}, acc = 0;
    auto part = [pbits](W w) { return part_hash(uint64_t(w >> 8)) >> (64 - pbits); };
    for (uint64_t i = 0; i < n; ++i) ++hist[part(a[i])];
    for (uint64_t p = 0; p < parts; ++p) sub[p] = pos[p] = uint32_t(acc), acc += hist[p];
    sub[parts] = n;
    for (uint64_t i = 0; i < n; ++i) b[pos[part(a[i])]++] = a[i];
  }

  // n ≥ 1 words whose contexts never continue outside them, whose context bytes 0 … j−1
  // are equal (j ≥ 1), and a free buffer of n words.
  void count(W* w, uint64_t n, W* partner, int j) {
    // A large part often holds few distinct words (one context seen very often): try the
    // largest table first, split by the next byte only if it would fill past half.
    if (n > max_items_ && j < K && tally(w, n, max_bits_, max_distinct_)) return;
    if (n > max_items_ && j < K) {
      uint64_t sub[257];
      words::scatter_by_byte(w, partner, n, j, sub);
      for (int d = 0; d < 256; ++d)
        if (const uint64_t m = sub[d + 1] - sub[d]) count(partner + sub[d], m, w + sub[d], j + 1);
      return;
    }
    // At most n ≤ max_items distinct words, or, with every context byte equal (j = K), 256.
    const uint64_t distinct = j >= K ? std::min<uint64_t>(n, 256) : n;
    int bits = 4;
    while ((uint64_t(1) << bits) < 4 * distinct) ++bits;
    tally(w, n, bits, n);
  }

  // Whether a probe goes on: the slot is taken by another key. One branch, not two: whether
  // a slot is empty or holds the key is as random as whether the key is new (a mispredicted
  // branch after each slot load), but a slot held by another key is rare (load ≤ 1/4).
  // opaque() keeps the compiler from splitting the test back into two branches.
  static bool occupied_by_other(uint32_t count, bool other) {
    uint32_t go = uint32_t(count != 0) & uint32_t(other);
    opaque(go);
    return go != 0;
  }

  // Hides a value from the optimiser, so that arithmetic on it stays arithmetic.
  template <typename T>
  static void opaque(T& v) {
#if defined(__GNUC__)
    asm("" : "+r"(v));
#endif
  }

  // Probes the pair table for key; returns the slot (empty or holding key).
  static uint64_t probe(const CountSlot<W>* t, W key, int bits) {
    const uint64_t mask = (uint64_t(1) << bits) - 1;
    uint64_t h = slot_hash(uint64_t(key)) >> (64 - bits);
    while (occupied_by_other(t[h].count, t[h].key != key)) h = (h + 1) & mask;
    return h;
  }

  // Probes the context table for the context of word w; returns the slot (empty or holding
  // the context).
  static uint64_t probe_context(const ContextSlot<W>* t, W w, int bits) {
    const uint64_t mask = (uint64_t(1) << bits) - 1;
    const W context = w >> 8;
    uint64_t h = slot_hash(uint64_t(context)) >> (64 - bits);
    while (occupied_by_other(t[h].total, (t[h].first >> 8) != context)) h = (h + 1) & mask;
    return h;
  }

  // Counts the contexts and patterns of w[0, n) (see the two ways below), adds each count's
  // n log n to the sums and empties the slots it used (no clearing of whole tables). False,
  // with nothing added, when the words hold `limit` or more distinct ones.
  bool tally(const W* w, uint64_t n, int bits, uint64_t limit) {
    // By contexts when it has cost fewer probes: re-measured on every 16th part, as the
    // balance changes with the data.
    const bool by_contexts = way_ == TallyWay::kAuto ? (tallies_++ & 15) == 0 || 2 * sampled_spills_ < sampled_patterns_
                                                     : way_ == TallyWay::kByContexts;
    Tally t{};
    if (!(by_contexts ? tally_by_contexts(w, n, bits, limit, &t) : tally_by_pairs(w, n, bits, limit, &t))) return false;
    if (by_contexts) sampled_spills_ += t.spills, sampled_patterns_ += t.patterns;
    sums_->pair_sum += t.pair_sum;
    sums_->context_sum += t.context_sum;
    sums_->patterns += t.patterns;
    sums_->contexts += t.contexts;
    return true;
  }

  struct Tally {
    double pair_sum, context_sum;
    uint64_t patterns, contexts, spills;
  };

  // The two tables and their lists of used slots (a tally empties only those).
  struct Tables {
    CountSlot<W>* pairs;
    ContextSlot<W>* contexts;
    uint32_t *used_pairs, *used_contexts;
  };
  Tables tables() const { return {pairs_.get(), contexts_.get(), used_pairs_.get(), used_contexts_.get()}; }

  // Counts word k in the pattern table; a new pattern's slot is appended to used[*np]
  // (branch-free: the append is always written, *np moves only for a new one).
  static void add_pattern(W k, int bits, CountSlot<W>* P, uint32_t* used, uint64_t* np) {
    const uint64_t h = probe(P, k, bits);
    const uint32_t c = P[h].count;
    used[*np] = uint32_t(h);
    *np += c == 0;
    P[h].key = k;
    P[h].count = c + 1;
  }

  // By pairs: one pair probe per word, then one context probe per distinct word. Costs
  // n + patterns probes.
  bool tally_by_pairs(const W* w, uint64_t n, int bits, uint64_t limit, Tally* t) {
    auto [P, C, up, uc] = tables();
    uint64_t np = 0, nc = 0;
    for (uint64_t i = 0; i < n; ++i) {
      add_pattern(w[i], bits, P, up, &np);
      if (np >= limit && i + 1 < n) {
        for (uint64_t k = 0; k < np; ++k) P[up[k]].count = 0;
        return false;
      }
    }
    for (uint64_t i = 0; i < np; ++i) {
      CountSlot<W>& p = P[up[i]];
      t->pair_sum += nlogn(p.count);
      ContextSlot<W>& c = C[probe_context(C, p.key, bits)];
      uc[nc] = uint32_t(&c - C);
      nc += c.total == 0;
      c.first = p.key;
      c.total += p.count;
      p.count = 0;
    }
    for (uint64_t i = 0; i < nc; ++i) {
      t->context_sum += nlogn(C[uc[i]].total);
      C[uc[i]].total = 0;
    }
    t->patterns = np;
    t->contexts = nc;
    return true;
  }

  // By contexts: one context probe per word, and a pair probe for a word whose next byte
  // is not its context's first (a spill). Costs n + spills probes, but a spill is a branch
  // as random as the data.
  bool tally_by_contexts(const W* w, uint64_t n, int bits, uint64_t limit, Tally* t) {
    auto [P, C, up, uc] = tables();
    uint64_t np = 0, nc = 0;
    for (uint64_t i = 0; i < n; ++i) {
      const W k = w[i];
      ContextSlot<W>& c = C[probe_context(C, k, bits)];
      // Branch-free for a new context (as random as the data): a mask, not a select the
      // compiler could turn back into a branch.
      W fresh = c.total == 0;
      opaque(fresh);
      uc[nc] = uint32_t(&c - C);
      nc += fresh;
      c.first ^= (c.first ^ k) & (W(0) - fresh);
      c.total += 1;
      const uint32_t same = c.first == k;
      c.same += same;
      if (!same) add_pattern(k, bits, P, up, &np);
      if ((nc >= limit || np >= limit) && i + 1 < n) {
        for (uint64_t j = 0; j < nc; ++j) C[uc[j]].total = C[uc[j]].same = 0;
        for (uint64_t j = 0; j < np; ++j) P[up[j]].count = 0;
        return false;
      }
    }
    for (uint64_t i = 0; i < nc; ++i) {
      ContextSlot<W>& c = C[uc[i]];
      t->context_sum += nlogn(c.total);
      t->pair_sum += nlogn(c.same);
      t->spills += c.total - c.same;
      c.total = c.same = 0;
    }
    for (uint64_t i = 0; i < np; ++i) {
      t->pair_sum += nlogn(P[up[i]].count);
      P[up[i]].count = 0;
    }
    t->patterns = nc + np;
    t->contexts = nc;
    return true;
  }

  double nlogn(uint32_t c) const { return c < kNlog2nTable ? nlogn_[c] : nlog2n(c); }

  const uint64_t part_items_, max_items_;
  const int max_bits_;
  const TallyWay way_;
  const uint64_t max_distinct_;
  EntropySums* sums_;
  std::unique_ptr<CountSlot<W>[]> pairs_;
  std::unique_ptr<ContextSlot<W>[]> contexts_;
  std::unique_ptr<uint32_t[]> used_pairs_, used_contexts_;
  const double* nlogn_ = nlog2n_table();
  uint64_t tallies_ = 0, sampled_spills_ = 0, sampled_patterns_ = 0;
};

}  // namespace

Status grouped_entropy_sums(const uint8_t* data, uint64_t size, uint64_t s_begin, uint64_t s_end,
                            const std::vector<int>& offsets, MemoryBudget* budget, const Control& control,
                            EntropySums* sums, const GroupShape& shape) {
  if (offsets.size() <= 1)  // a dense 256 × 256 table: nothing to group
    return sorted_counts(data, size, s_begin, s_end, offsets, budget, control,
                         [&](uint64_t, const uint32_t* by_y, const uint8_t* ys, int n_y) {
                           uint64_t total = 0;
                           for (int k = 0; k < n_y; ++k) {
                             total += by_y[ys[k]];
                             sums->add_pair(by_y[ys[k]]);
                           }
                           sums->add_context(total);
                         });
  Status st = check_count_range(offsets, size, s_begin, s_end, 0);
  if (!st.ok()) return st;
  if (shape.part_items < 1 || shape.max_bits < 10 || shape.max_bits > 20 || shape.max_items < 1 ||
      4 * shape.max_items > (uint64_t(1) << shape.max_bits))
    return Status::Error("E_OPTION", "grouping shape out of range");
  return words::with_word(int(offsets.size()), [&](auto word, auto k) {
    using W = decltype(word);
    constexpr int K = decltype(k)::value;
    GroupCounter<W, K> counter(shape, sums);
    return words::partition_words<W, K>(data, s_begin, s_end, offsets, GroupCounter<W, K>::bytes(shape), budget, control,
                                        [&](W* w, uint64_t n, W* scratch, uint64_t) { counter.bucket(w, n, scratch); });
  });
}

}  // namespace bi
