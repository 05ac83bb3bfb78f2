// The plug-in sums without sorting (grouped_entropy_sums). The statistics need no order, so
// after pass 1 (skipgram_words.h) each byte-0 bucket is scattered by a hash of the rest of
// the context into parts of about GroupShape::part_items words, and each part is counted in a small hash table
// that stays in cache: its distinct words are the patterns, and the distinct words summed by
// context give the contexts (a context never straddles two parts). No LSD sort, no
// per-context emit, and no extra pass for the large groups a byte split leaves.
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

// Multiplicative hashes with different constants: the part index and the slot in a part's
// table must not use the same bits of the same product.
inline uint64_t part_hash(uint64_t context) { return context * 0x9e3779b97f4a7c15ULL; }
inline uint64_t slot_hash(uint64_t key) { return key * 0xff51afd7ed558ccdULL; }

template <typename W, int K>
class GroupCounter {
 public:
  GroupCounter(const GroupShape& shape, EntropySums* sums)
      : part_items_(shape.part_items), max_items_(shape.max_items), max_bits_(shape.max_bits),
        max_distinct_(uint64_t(1) << (shape.max_bits - 1)), sums_(sums),
        pairs_(new CountSlot<W>[size_t(1) << max_bits_]()), contexts_(new CountSlot<W>[size_t(1) << max_bits_]()),
        used_pairs_(new uint32_t[max_distinct_ + 1]), used_contexts_(new uint32_t[max_distinct_ + 1]) {}

  static uint64_t bytes(const GroupShape& shape) {
    return 2 * ((uint64_t(1) << shape.max_bits) * sizeof(CountSlot<W>) + ((uint64_t(1) << (shape.max_bits - 1)) + 1) * sizeof(uint32_t));
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

  // Probes one table for key; returns the slot (empty or holding key).
  static uint64_t probe(const CountSlot<W>* t, W key, int bits) {
    const uint64_t mask = (uint64_t(1) << bits) - 1;
    uint64_t h = slot_hash(uint64_t(key)) >> (64 - bits);
    while (t[h].count && t[h].key != key) h = (h + 1) & mask;
    return h;
  }

  // Counts the distinct words of w[0, n), then their contexts (key w >> 8) from the
  // distinct words alone; adds each one's n log n to the sums and empties the slots it used
  // (no clearing of whole tables). False, with nothing added, when the words hold more than
  // `limit` distinct ones.
  bool tally(const W* w, uint64_t n, int bits, uint64_t limit) {
    CountSlot<W>* P = pairs_.get();
    CountSlot<W>* C = contexts_.get();
    uint32_t *up = used_pairs_.get(), *uc = used_contexts_.get();
    uint64_t np = 0, nc = 0;
    for (uint64_t i = 0; i < n; ++i) {
      const W k = w[i];
      const uint64_t h = probe(P, k, bits);
      const uint32_t c = P[h].count;
      up[np] = uint32_t(h);  // branch-free: a new key's slot is appended to the used list
      np += c == 0;
      P[h].key = k;
      P[h].count = c + 1;
      if (np >= limit && i + 1 < n) {
        for (uint64_t k = 0; k < np; ++k) P[up[k]].count = 0;
        return false;
      }
    }
    const double* table = nlog2n_table();
    auto nlogn = [table](uint32_t c) { return c < kNlog2nTable ? table[c] : nlog2n(c); };
    double pair_sum = 0, context_sum = 0;
    for (uint64_t i = 0; i < np; ++i) {
      CountSlot<W>& p = P[up[i]];
      pair_sum += nlogn(p.count);
      const W kc = p.key >> 8;
      const uint64_t h = probe(C, kc, bits);
      const uint32_t c = C[h].count;
      uc[nc] = uint32_t(h);
      nc += c == 0;
      C[h].key = kc;
      C[h].count = c + p.count;
      p.count = 0;
    }
    for (uint64_t i = 0; i < nc; ++i) {
      context_sum += nlogn(C[uc[i]].count);
      C[uc[i]].count = 0;
    }
    sums_->pair_sum += pair_sum;
    sums_->context_sum += context_sum;
    sums_->patterns += np;
    sums_->contexts += nc;
    return true;
  }

  const uint64_t part_items_, max_items_;
  const int max_bits_;
  const uint64_t max_distinct_;
  EntropySums* sums_;
  std::unique_ptr<CountSlot<W>[]> pairs_, contexts_;
  std::unique_ptr<uint32_t[]> used_pairs_, used_contexts_;
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
