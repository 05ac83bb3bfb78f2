// Skip-k-grams (SPEC §4): counts of (context, next byte) where the context at position s
// is the bytes x_{s−d} for the offsets d of an ordered list D; a backward trie whose level
// k holds the contexts of the first k offsets; the study's plug-in statistics (conditional
// entropy, patterns, greedy offsets, MI profile); a held-out interpolated back-off language
// model (modified Kneser–Ney or Witten–Bell); and pattern witnesses for an RNN.
//
// Positions: a count over [s_begin, s_end) needs s_begin ≥ max D; every level of one trie
// is counted over the same positions, so level k−1 is level k with its last byte summed
// out (which is how the lower levels are built, without a second pass over the corpus).
#pragma once
#include <cmath>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>


#include "bi/control.h"
#include "bi/kernels.h"
#include "bi/rnn.h"
#include "bi/status.h"

namespace bi {

constexpr int kMaxSkipOrder = 8;          // a context packs into one uint64
constexpr int kMaxSkipOffset = 1 << 20;

// A memory bound shared by the tables of one job: growth that would pass `limit` fails with
// E_MEMORY_LIMIT; `peak` is the largest number of table bytes held at once.
struct MemoryBudget {
  uint64_t limit = uint64_t(8) << 30;
  uint64_t used = 0, peak = 0;
  bool allow_sort = true;  // false forces the hashing paths (tests compare the two)
  Status take(uint64_t bytes);
  void give(uint64_t bytes) { used -= bytes; }
};

// Zeroed memory for hash slots: large arrays come from mmap with transparent huge pages
// requested (the tables are probed at random, so TLB misses matter), small ones from calloc.
void* alloc_slots(uint64_t bytes);
void free_slots(void* p, uint64_t bytes);

template <typename T>
class SlotArray {
 public:
  SlotArray() = default;
  SlotArray(const SlotArray&) = delete;
  SlotArray& operator=(const SlotArray&) = delete;
  SlotArray(SlotArray&& o) noexcept : p_(o.p_), n_(o.n_) { o.p_ = nullptr, o.n_ = 0; }
  SlotArray& operator=(SlotArray&& o) noexcept {
    if (this != &o) {
      reset();
      p_ = o.p_, n_ = o.n_;
      o.p_ = nullptr, o.n_ = 0;
    }
    return *this;
  }
  ~SlotArray() { reset(); }
  void allocate(uint64_t n) {
    reset();
    p_ = static_cast<T*>(alloc_slots(n * sizeof(T)));
    n_ = n;
  }
  void reset() {
    if (p_) free_slots(p_, n_ * sizeof(T));
    p_ = nullptr, n_ = 0;
  }
  T* data() const { return p_; }
  uint64_t size() const { return n_; }
  T* begin() const { return p_; }
  T* end() const { return p_ + n_; }
  T& operator[](uint64_t i) const { return p_[i]; }

 private:
  T* p_ = nullptr;
  uint64_t n_ = 0;
};

// The slots of one open-addressing table (linear probing, a power-of-two size), their memory
// charged to an optional MemoryBudget: what PairTable and ContextTable share.
template <typename Entry>
class BudgetedSlots {
 public:
  BudgetedSlots() = default;
  BudgetedSlots(BudgetedSlots&& o) noexcept { *this = std::move(o); }
  BudgetedSlots& operator=(BudgetedSlots&& o) noexcept {
    if (this != &o) {
      if (budget_) budget_->give(bytes());
      slots_ = std::move(o.slots_);
      mask_ = o.mask_;
      size_ = o.size_;
      budget_ = o.budget_;
      o.mask_ = o.size_ = 0;
    }
    return *this;
  }
  ~BudgetedSlots() {
    if (budget_) budget_->give(bytes());
  }
  void attach(MemoryBudget* budget) { budget_ = budget; }
  uint64_t size() const { return size_; }
  uint64_t bytes() const { return slots_.size() * sizeof(Entry); }
  const SlotArray<Entry>& slots() const { return slots_; }

 protected:
  // Moves every used entry (used(e)) into n fresh slots, each at its first free slot from
  // home(e) & mask. Fails with E_MEMORY_LIMIT, leaving the table as it was.
  template <typename Used, typename Home>
  Status rehash(uint64_t n, Used used, Home home) {
    if (budget_) {
      Status st = budget_->take(n * sizeof(Entry));
      if (!st.ok()) return st;
    }
    SlotArray<Entry> old = std::move(slots_);
    slots_.allocate(n);
    mask_ = n - 1;
    for (const Entry& e : old) {
      if (!used(e)) continue;
      uint64_t i = home(e) & mask_;
      while (used(slots_[i])) i = (i + 1) & mask_;
      slots_[i] = e;
    }
    if (budget_) budget_->give(old.size() * sizeof(Entry));
    return Status::Ok();
  }

  SlotArray<Entry> slots_;
  uint64_t mask_ = 0, size_ = 0;
  MemoryBudget* budget_ = nullptr;
};

// (context, next byte) → raw count and continuation count (the number of distinct longer
// contexts that sum into this entry, ≤ 256; 0 at the top level). Open addressing, linear
// probing, load ≤ 3/4; count == 0 marks an empty slot. Counts are uint32: one trie holds
// fewer than 2^32 positions (checked). y = 256 is used for per-context totals.
struct PairEntry {
  uint64_t ctx;
  uint32_t count;
  uint16_t cont;
  uint16_t y;
};
static_assert(sizeof(PairEntry) == 16, "PairEntry is 16 bytes");

class PairTable : public BudgetedSlots<PairEntry> {
 public:
  Status add(uint64_t ctx, uint32_t y, uint64_t count, uint32_t cont);
  const PairEntry* find(uint64_t ctx, uint32_t y) const;
  uint64_t slot_of(uint64_t ctx, uint32_t y) const;  // the first probe (for prefetching)
  // Adds one to each of n (context, next byte) pairs (the counting hot loop).
  Status add_batch(const uint64_t* ctx, const uint8_t* y, int n);
  // Adds n entries (the level-building loop), prefetching their slots.
  Status add_entries(const PairEntry* e, int n);
  Status reserve(uint64_t n);

 private:
  Status grow(uint64_t min_slots);
};

// Per context of one level: raw total, the Kneser–Ney total (continuation counts below the
// top level), the largest raw count of one next byte, and counts-of-counts for discounts.
struct ContextEntry {
  uint64_t ctx;
  uint32_t total;
  uint32_t kn_total;
  uint32_t max_count;
  uint16_t distinct;  // 0 marks an empty slot (1 … 256)
  uint16_t n1, n2, n3p;  // next bytes whose KN value is 1, 2, ≥ 3
  uint16_t pad_[2];
};
static_assert(sizeof(ContextEntry) == 32, "ContextEntry is 32 bytes");

class ContextTable : public BudgetedSlots<ContextEntry> {
 public:
  // The entry of ctx, inserted (distinct = 0, the caller fills it) if absent; may grow.
  Status upsert(uint64_t ctx, ContextEntry** out);
  const ContextEntry* find(uint64_t ctx) const;
  uint64_t slot_of(uint64_t ctx) const;
  Status reserve(uint64_t n);
  // Inserts n entries whose contexts are not in the table yet, prefetching their slots.
  Status insert_batch(const ContextEntry* e, int n);

 private:
  Status grow();
};

Status check_offsets(const std::vector<int>& offsets);
int max_offset(const std::vector<int>& offsets);
// A count of positions [s_begin, s_end) on top of `counted` earlier ones: valid offsets,
// s_begin ≥ max D, s_end ≤ size, and fewer than 2^32 positions in all (counts are uint32).
Status check_count_range(const std::vector<int>& offsets, uint64_t size, uint64_t s_begin, uint64_t s_end,
                         uint64_t counted);

// The context of the first k offsets at position s, byte j in bits 8j…8j+7.
inline uint64_t pack_context(const uint8_t* data, uint64_t s, const int* offsets, int k) {
  uint64_t c = 0;
  for (int j = 0; j < k; ++j) c |= uint64_t(data[s - uint64_t(offsets[j])]) << (8 * j);
  return c;
}
inline uint64_t context_prefix(uint64_t ctx, int k) { return k >= 8 ? ctx : ctx & ((uint64_t(1) << (8 * k)) - 1); }

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

// ─────────────── held-out language model (skipgram_lm.cc) ───────────────

enum class Smoothing { kneser_ney, witten_bell };

struct HeldOutResult {
  double bits = 0;          // Σ −log2 p, p floored at 1e-30
  uint64_t positions = 0;
  std::vector<uint64_t> depth;  // positions whose deepest seen context has k offsets, k = 0 … K
  // The trie that scored them: its counted positions, top-level patterns and contexts, bytes.
  uint64_t train_positions = 0, patterns = 0, contexts = 0, bytes = 0;
};

// −log2 p(x_s | context) by interpolated back-off down the trie, for s ∈ [max(begin, max D),
// end): contexts may read the bytes before `begin`. Records the trie's size in out.
Status score_trie(const SkipTrie& trie, Smoothing sm, const uint8_t* data, uint64_t size,
                  uint64_t begin, uint64_t end, const Control& control, HeldOutResult* out);
// p(y | context at s) for all 256 y (tests: they sum to one).
void trie_distribution(const SkipTrie& trie, Smoothing sm, const uint8_t* data, uint64_t s, double* p);

struct LmRange {
  uint64_t begin = 0, end = 0;
};

// The held-out model of `offsets`: the trie counted on `train` (positions
// s ≥ max(train.begin, max D)), then score_trie on `test`.
Status held_out(const uint8_t* data, uint64_t size, const std::vector<int>& offsets, LmRange train,
                LmRange test, Smoothing sm, MemoryBudget* budget, const Control& control, HeldOutResult* out);

// Scale greedy: fit on `fit` (positions s ∈ [max D, fit.end) with s ≥ fit.begin), score on
// `valid`, add the d minimising held-out bits; ties go to the smaller d. Candidates run on
// `threads` threads, each with budget->limit / threads of memory.
Status greedy_heldout(const uint8_t* data, uint64_t size, LmRange fit, LmRange valid,
                      const std::vector<int>& start, int order, int max_d, Smoothing sm,
                      MemoryBudget* budget, const Control& control, std::vector<GreedyStep>* steps,
                      int threads = 1);

// ─────────────── pattern witnesses (skipgram_witness.cc) ───────────────

struct WitnessResult {
  uint64_t positions = 0, correct = 0;
  uint64_t covered = 0, covered_correct = 0, covered_incorrect = 0;
  std::vector<uint64_t> matched;              // by depth k = 0 … K: context seen at s
  std::vector<uint64_t> witnessed;            // by depth: context is a witness
  std::vector<uint64_t> witnessed_correct;    // by depth, RNN correct at s
  std::vector<uint64_t> deepest;              // by depth: deepest witness (0 = none)
};

// Witnesses at s ∈ [max(begin, max D), end), argmax[s − 1 − argmax_begin] being the RNN's
// guess for x_s: a context of depth k ≥ 1 seen at s is a witness when the RNN's guess has
// the largest raw count among its continuations (ties count).
Status witness_stats(const SkipTrie& trie, const uint8_t* data, uint64_t size, uint64_t begin,
                     uint64_t end, const uint8_t* argmax, uint64_t argmax_begin, WitnessResult* out);

// The witness pass of a model over `range`: the trie of `offsets` counted on `train`
// (positions s ≥ max(train.begin, max D)), the RNN's guesses from one evaluation of the
// range from h = 0 (an argmax capture), then witness_stats.
Status witness_pass(const Kernels& k, const ModelView& model, const uint8_t* data, uint64_t size,
                    const std::vector<int>& offsets, LmRange range, LmRange train, MemoryBudget* budget,
                    const Control& control, WitnessResult* out);

}  // namespace bi
