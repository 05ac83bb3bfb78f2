// Skip-k-gram tables (skipgram_tables.cc): the memory budget a job's tables share, slot
// memory, and the two open-addressing tables of a trie level — (context, next byte) counts
// and per-context statistics — with the offset-list checks and context packing.
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

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

}  // namespace bi
