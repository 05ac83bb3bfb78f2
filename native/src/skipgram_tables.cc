// The tables of the backward trie (skipgram_tables.h): the memory budget, slot memory, and
// open-addressing tables keyed by the exact packed context (≤ 8 bytes in one uint64) and
// next byte, so counts are exact and shards merge by addition. A batch of keys is hashed
// ahead and its slots prefetched, which hides most of the cache misses of a table larger
// than the caches.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <new>
#include <string>
#include <utility>

#include "bi/skipgram.h"

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace bi {

namespace {

inline uint64_t mix(uint64_t h) {  // murmur3 fmix64
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}
inline uint64_t pair_hash(uint64_t ctx, uint32_t y) { return mix(ctx ^ (uint64_t(y + 1) * 0x9e3779b97f4a7c15ULL)); }

constexpr uint64_t kMinSlots = 64;
// Linear probing at load ≤ 3/4: a probe sequence rarely leaves the first cache line or two.
inline bool over_load(uint64_t entries, uint64_t slots) { return entries * 4 > slots * 3; }

}  // namespace

Status MemoryBudget::take(uint64_t bytes) {
  if (used + bytes > limit)
    return Status::Error("E_MEMORY_LIMIT", "skip-gram tables need more than the memory bound of " +
                                               std::to_string(limit >> 20) + " MiB (raise maxBytes)");
  used += bytes;
  peak = std::max(peak, used);
  return Status::Ok();
}

Status check_offsets(const std::vector<int>& offsets) {
  if (int(offsets.size()) > kMaxSkipOrder)
    return Status::Error("E_OPTION", "at most " + std::to_string(kMaxSkipOrder) + " offsets, got " + std::to_string(offsets.size()));
  for (size_t i = 0; i < offsets.size(); ++i) {
    if (offsets[i] < 1 || offsets[i] > kMaxSkipOffset)
      return Status::Error("E_OPTION", "offsets must be in 1…" + std::to_string(kMaxSkipOffset) + ", got " + std::to_string(offsets[i]));
    for (size_t j = 0; j < i; ++j)
      if (offsets[j] == offsets[i]) return Status::Error("E_OPTION", "offset " + std::to_string(offsets[i]) + " appears twice");
  }
  return Status::Ok();
}

Status check_count_range(const std::vector<int>& offsets, uint64_t size, uint64_t s_begin, uint64_t s_end,
                         uint64_t counted) {
  Status st = check_offsets(offsets);
  if (!st.ok()) return st;
  const uint64_t md = uint64_t(max_offset(offsets));
  if (s_end > size || s_begin > s_end || s_begin < md)
    return Status::Error("E_RANGE", "positions [" + std::to_string(s_begin) + ", " + std::to_string(s_end) +
                                        ") need s ≥ " + std::to_string(md) + " and s ≤ " + std::to_string(size));
  if (s_end - s_begin >= (uint64_t(1) << 32) - counted)
    return Status::Error("E_RANGE", "one count holds fewer than 2^32 positions: count shards and merge them");
  return Status::Ok();
}

int max_offset(const std::vector<int>& offsets) {
  int m = 0;
  for (int d : offsets) m = std::max(m, d);
  return m;
}

// ───────────── slots ─────────────

void* alloc_slots(uint64_t bytes) {
  if (bytes == 0) return nullptr;
#if defined(__linux__)
  if (bytes >= (uint64_t(4) << 20)) {
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    madvise(p, bytes, MADV_HUGEPAGE);  // a hint; fine if refused
    return p;
  }
#endif
  void* p = std::calloc(1, bytes);
  if (!p) throw std::bad_alloc();
  return p;
}

void free_slots(void* p, uint64_t bytes) {
#if defined(__linux__)
  if (bytes >= (uint64_t(4) << 20)) {
    munmap(p, bytes);
    return;
  }
#endif
  std::free(p);
}

// ───────────── PairTable ─────────────

Status PairTable::grow(uint64_t min_slots) {
  uint64_t n = std::max<uint64_t>(kMinSlots, slots_.size() * 2);
  while (n < min_slots) n *= 2;
  return rehash(n, [](const PairEntry& e) { return e.count != 0; },
                [](const PairEntry& e) { return pair_hash(e.ctx, e.y); });
}

Status PairTable::reserve(uint64_t n) {
  return over_load(n, slots_.size()) ? grow(n * 4 / 3 + 1) : Status::Ok();
}

uint64_t PairTable::slot_of(uint64_t ctx, uint32_t y) const { return pair_hash(ctx, y) & mask_; }

Status PairTable::add(uint64_t ctx, uint32_t y, uint64_t count, uint32_t cont) {
  if (over_load(size_ + 1, slots_.size())) {
    Status st = grow(0);
    if (!st.ok()) return st;
  }
  uint64_t i = pair_hash(ctx, y) & mask_;
  for (;; i = (i + 1) & mask_) {
    PairEntry& e = slots_[i];
    if (!e.count) {
      e.ctx = ctx;
      e.y = uint16_t(y);
      e.count = uint32_t(count);
      e.cont = uint16_t(cont);
      ++size_;
      return Status::Ok();
    }
    if (e.ctx == ctx && e.y == y) {
      e.count += uint32_t(count);
      e.cont = uint16_t(e.cont + cont);
      return Status::Ok();
    }
  }
}

const PairEntry* PairTable::find(uint64_t ctx, uint32_t y) const {
  if (!slots_.size()) return nullptr;
  for (uint64_t i = pair_hash(ctx, y) & mask_;; i = (i + 1) & mask_) {
    const PairEntry& e = slots_[i];
    if (!e.count) return nullptr;
    if (e.ctx == ctx && e.y == y) return &e;
  }
}

Status PairTable::add_batch(const uint64_t* ctx, const uint8_t* y, int n) {
  for (; n > 256; ctx += 256, y += 256, n -= 256) {
    Status st = add_batch(ctx, y, 256);
    if (!st.ok()) return st;
  }
  if (over_load(size_ + uint64_t(n), slots_.size())) {  // grow once for the whole batch
    Status st = grow((size_ + uint64_t(n)) * 4 / 3 + 1);
    if (!st.ok()) return st;
  }
  uint64_t h[256];
  PairEntry* slots = slots_.data();
  for (int j = 0; j < n; ++j) {
    h[j] = pair_hash(ctx[j], y[j]) & mask_;
    __builtin_prefetch(slots + h[j], 1, 1);
  }
  for (int j = 0; j < n; ++j) {
    for (uint64_t i = h[j];; i = (i + 1) & mask_) {
      PairEntry& e = slots[i];
      if (!e.count) {
        e.ctx = ctx[j];
        e.y = y[j];
        e.count = 1;
        ++size_;
        break;
      }
      if (e.ctx == ctx[j] && e.y == y[j]) {
        ++e.count;
        break;
      }
    }
  }
  return Status::Ok();
}

Status PairTable::add_entries(const PairEntry* in, int n) {
  for (; n > 256; in += 256, n -= 256) {  // prefetch windows of at most 256 entries
    Status st = add_entries(in, 256);
    if (!st.ok()) return st;
  }
  if (over_load(size_ + uint64_t(n), slots_.size())) {
    Status st = grow((size_ + uint64_t(n)) * 4 / 3 + 1);
    if (!st.ok()) return st;
  }
  uint64_t h[256];
  PairEntry* slots = slots_.data();
  for (int j = 0; j < n; ++j) {
    h[j] = pair_hash(in[j].ctx, in[j].y) & mask_;
    __builtin_prefetch(slots + h[j], 1, 1);
  }
  for (int j = 0; j < n; ++j) {
    for (uint64_t i = h[j];; i = (i + 1) & mask_) {
      PairEntry& e = slots[i];
      if (!e.count) {
        e = in[j];
        ++size_;
        break;
      }
      if (e.ctx == in[j].ctx && e.y == in[j].y) {
        e.count += in[j].count;
        e.cont = uint16_t(e.cont + in[j].cont);
        break;
      }
    }
  }
  return Status::Ok();
}

// ───────────── ContextTable ─────────────

Status ContextTable::grow() {
  const uint64_t n = std::max<uint64_t>(kMinSlots, slots_.size() * 2);
  return rehash(n, [](const ContextEntry& e) { return e.distinct != 0; },
                [](const ContextEntry& e) { return mix(e.ctx); });
}

uint64_t ContextTable::slot_of(uint64_t ctx) const { return mix(ctx) & mask_; }

Status ContextTable::reserve(uint64_t n) {
  while (over_load(n, slots_.size())) {
    Status st = grow();
    if (!st.ok()) return st;
  }
  return Status::Ok();
}

Status ContextTable::insert_batch(const ContextEntry* in, int n) {
  for (; n > 256; in += 256, n -= 256) {
    Status st = insert_batch(in, 256);
    if (!st.ok()) return st;
  }
  Status st = reserve(size_ + uint64_t(n));
  if (!st.ok()) return st;
  uint64_t h[256];
  ContextEntry* slots = slots_.data();
  for (int j = 0; j < n; ++j) {
    h[j] = mix(in[j].ctx) & mask_;
    __builtin_prefetch(slots + h[j], 1, 1);
  }
  for (int j = 0; j < n; ++j) {
    uint64_t i = h[j];
    while (slots[i].distinct) i = (i + 1) & mask_;
    slots[i] = in[j];
    ++size_;
  }
  return Status::Ok();
}

Status ContextTable::upsert(uint64_t ctx, ContextEntry** out) {
  if (over_load(size_ + 1, slots_.size())) {
    Status st = grow();
    if (!st.ok()) return st;
  }
  for (uint64_t i = mix(ctx) & mask_;; i = (i + 1) & mask_) {
    ContextEntry& e = slots_[i];
    if (!e.distinct) {
      e.ctx = ctx;
      ++size_;
      *out = &e;  // the caller sets distinct ≥ 1 before the next upsert
      return Status::Ok();
    }
    if (e.ctx == ctx) {
      *out = &e;
      return Status::Ok();
    }
  }
}

const ContextEntry* ContextTable::find(uint64_t ctx) const {
  if (!slots_.size()) return nullptr;
  for (uint64_t i = mix(ctx) & mask_;; i = (i + 1) & mask_) {
    const ContextEntry& e = slots_[i];
    if (!e.distinct) return nullptr;
    if (e.ctx == ctx) return &e;
  }
}

}  // namespace bi
