// Hashed levels of the backward trie: open-addressing tables keyed by the exact packed
// context (≤ 8 bytes in one uint64) and next byte, so counts are exact and shards merge by
// addition. The counting pass hashes a block of positions ahead and prefetches their slots,
// which hides most of the cache misses of a table larger than the caches.
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

// ───────────── counting ─────────────

Status count_skipgrams(const uint8_t* data, uint64_t size, uint64_t s_begin, uint64_t s_end,
                       const std::vector<int>& offsets, PairTable* top, const Control& control) {
  Status st = check_count_range(offsets, size, s_begin, s_end, top->size());
  if (!st.ok()) return st;
  const int K = int(offsets.size());
  constexpr int kBatch = 128;
  constexpr uint64_t kReport = uint64_t(1) << 22;
  uint64_t ctx[kBatch];
  for (uint64_t s0 = s_begin; s0 < s_end;) {
    const uint64_t s1 = std::min(s_end, s0 + kReport);
    for (uint64_t s = s0; s < s1; s += kBatch) {
      const int n = int(std::min<uint64_t>(kBatch, s1 - s));
      for (int j = 0; j < n; ++j) ctx[j] = pack_context(data, s + j, offsets.data(), K);
      st = top->add_batch(ctx, data + s, n);
      if (!st.ok()) return st;
    }
    s0 = s1;
    control.report(double(s0 - s_begin), double(s_end - s_begin));
    if (control.cancelled()) return Status::Error("E_ABORTED", "counting cancelled");
  }
  return Status::Ok();
}

Status merge_counts(const PairTable& from, PairTable* into) {
  for (const PairEntry& e : from.slots()) {
    if (!e.count) continue;
    Status st = into->add(e.ctx, e.y, e.count, e.cont);
    if (!st.ok()) return st;
  }
  return Status::Ok();
}

// ───────────── trie ─────────────

uint64_t SkipTrie::bytes() const {
  uint64_t b = 0;
  for (const SkipLevel& l : levels) b += l.pairs.bytes() + l.contexts.bytes();
  return b;
}

namespace {

// Modified Kneser–Ney discounts from the counts-of-counts n1…n4 of one level's KN values
// (Chen & Goodman 1998); a level too small to estimate them falls back to 0.5, 1, 1.5.
void set_discounts(const uint64_t n[5], double* D) {
  const double fallback[4] = {0, 0.5, 1.0, 1.5};
  if (n[1] == 0 || n[2] == 0) {
    for (int i = 1; i <= 3; ++i) D[i] = fallback[i];
    return;
  }
  const double Y = double(n[1]) / (double(n[1]) + 2.0 * double(n[2]));
  D[1] = 1.0 - 2.0 * Y * double(n[2]) / double(n[1]);
  D[2] = n[3] ? 2.0 - 3.0 * Y * double(n[3]) / double(n[2]) : fallback[2];
  D[3] = (n[3] && n[4]) ? 3.0 - 4.0 * Y * double(n[4]) / double(n[3]) : fallback[3];
  for (int i = 1; i <= 3; ++i) D[i] = std::min(double(i), std::max(0.0, D[i]));
}

Status build_contexts(SkipLevel* level, bool top, MemoryBudget* budget) {
  level->contexts.attach(budget);
  uint64_t n[5] = {0, 0, 0, 0, 0};
  for (const PairEntry& e : level->pairs.slots()) {
    if (!e.count) continue;
    const uint32_t v = top ? e.count : e.cont;
    ContextEntry* c;
    Status st = level->contexts.upsert(e.ctx, &c);
    if (!st.ok()) return st;
    c->total += e.count;
    c->kn_total += v;
    c->max_count = std::max(c->max_count, e.count);
    ++c->distinct;
    if (v == 1) ++c->n1;
    else if (v == 2) ++c->n2;
    else ++c->n3p;
    if (v <= 4) ++n[v];
  }
  set_discounts(n, level->discount);
  return Status::Ok();
}

}  // namespace

Status build_trie(const std::vector<int>& offsets, PairTable&& top, MemoryBudget* budget,
                  const Control& control, SkipTrie* trie) {
  const int K = int(offsets.size());
  trie->offsets = offsets;
  trie->levels.clear();
  trie->levels.resize(K + 1);
  trie->levels[K].pairs = std::move(top);
  trie->positions = 0;
  for (const PairEntry& e : trie->levels[K].pairs.slots()) trie->positions += e.count;
  if (trie->positions >= (uint64_t(1) << 32))
    return Status::Error("E_RANGE", "a trie counts fewer than 2^32 positions: count shards separately");
  for (int k = K; k >= 1; --k) {
    PairTable& lower = trie->levels[k - 1].pairs;
    lower.attach(budget);
    PairEntry batch[128];
    int n = 0;
    for (const PairEntry& e : trie->levels[k].pairs.slots()) {
      if (!e.count) continue;
      batch[n++] = PairEntry{context_prefix(e.ctx, k - 1), e.count, 1, e.y};
      if (n == 128) {
        Status st = lower.add_entries(batch, n);
        if (!st.ok()) return st;
        n = 0;
      }
    }
    if (n) {
      Status st = lower.add_entries(batch, n);
      if (!st.ok()) return st;
    }
    if (control.cancelled()) return Status::Error("E_ABORTED", "trie building cancelled");
  }
  for (int k = 0; k <= K; ++k) {
    Status st = build_contexts(&trie->levels[k], k == K, budget);
    if (!st.ok()) return st;
  }
  return Status::Ok();
}

namespace {

// One level's group under construction: the (prefix, y) counts of the current prefix.
struct LevelAcc {
  uint64_t prefix = 0;
  bool active = false;
  int n = 0;
  uint32_t count[256];
  uint16_t cont[256];
  uint8_t seen[256];
  LevelAcc() {
    std::memset(count, 0, sizeof(count));
    std::memset(cont, 0, sizeof(cont));
  }
  void add(uint8_t y, uint32_t c, uint16_t k) {
    if (count[y] == 0) seen[n++] = y;
    count[y] += c;
    cont[y] = uint16_t(cont[y] + k);
  }
};

struct LevelOut {
  std::vector<PairEntry> pairs;
  std::vector<ContextEntry> contexts;
  uint64_t coc[5] = {0, 0, 0, 0, 0};  // counts-of-counts of the KN value
};

// Records one context group of a level: its pairs, its statistics, its counts-of-counts.
void record_group(uint64_t ctx, const uint8_t* ys, int n, const uint32_t* count, const uint16_t* cont, bool top,
                  LevelOut* out) {
  ContextEntry c{};
  c.ctx = ctx;
  for (int i = 0; i < n; ++i) {
    const uint8_t y = ys[i];
    out->pairs.push_back(PairEntry{ctx, count[y], top ? uint16_t(0) : cont[y], y});
    const uint32_t v = top ? count[y] : cont[y];
    c.total += count[y];
    c.kn_total += v;
    c.max_count = std::max(c.max_count, count[y]);
    if (v == 1) ++c.n1;
    else if (v == 2) ++c.n2;
    else ++c.n3p;
    if (v <= 4) ++out->coc[v];
  }
  c.distinct = uint16_t(n);
  out->contexts.push_back(c);
}

}  // namespace

// Builds every level in one scan of the sorted top-level groups: a group of level j closes
// when its prefix changes (deepest first), records its pairs and context, and adds its
// counts, with one continuation each, into the open group of level j − 1.
Status build_trie_sorted(const uint8_t* data, uint64_t size, uint64_t s_begin, uint64_t s_end,
                         const std::vector<int>& offsets, MemoryBudget* budget, const Control& control,
                         SkipTrie* trie) {
  const int K = int(offsets.size());
  std::vector<LevelAcc> acc(K);
  std::vector<LevelOut> out(K + 1);
  auto close = [&](int j) {
    LevelAcc& a = acc[j];
    record_group(a.prefix, a.seen, a.n, a.count, a.cont, false, &out[j]);
    for (int i = 0; i < a.n; ++i) {
      const uint8_t y = a.seen[i];
      if (j > 0) acc[j - 1].add(y, a.count[y], 1);
      a.count[y] = 0;
      a.cont[y] = 0;
    }
    a.n = 0;
    a.active = false;
  };
  Status st = sorted_counts(data, size, s_begin, s_end, offsets, budget, control,
                            [&](uint64_t ctx, const uint32_t* by_y, const uint8_t* ys, int n_y) {
                              int changed = K;  // the shallowest level whose prefix changes
                              for (int k = 0; k < K; ++k)
                                if (!acc[k].active || acc[k].prefix != context_prefix(ctx, k)) {
                                  changed = k;
                                  break;
                                }
                              for (int k = K - 1; k >= changed; --k)
                                if (acc[k].active) close(k);
                              for (int k = changed; k < K; ++k) {
                                acc[k].prefix = context_prefix(ctx, k);
                                acc[k].active = true;
                              }
                              static const uint16_t zero_cont[256] = {0};
                              record_group(ctx, ys, n_y, by_y, zero_cont, true, &out[K]);
                              if (K > 0)
                                for (int i = 0; i < n_y; ++i) acc[K - 1].add(ys[i], by_y[ys[i]], 1);
                            });
  if (!st.ok()) return st;
  for (int k = K - 1; k >= 0; --k)
    if (acc[k].active) close(k);
  trie->offsets = offsets;
  trie->positions = s_end - s_begin;
  trie->levels.clear();
  trie->levels.resize(K + 1);
  for (int k = 0; k <= K; ++k) {
    SkipLevel& L = trie->levels[k];
    L.pairs.attach(budget);
    L.contexts.attach(budget);
    st = L.pairs.reserve(out[k].pairs.size());
    if (!st.ok()) return st;
    for (size_t i = 0; i < out[k].pairs.size(); i += 256) {
      st = L.pairs.add_entries(out[k].pairs.data() + i, int(std::min<size_t>(256, out[k].pairs.size() - i)));
      if (!st.ok()) return st;
    }
    std::vector<PairEntry>().swap(out[k].pairs);
    st = L.contexts.reserve(out[k].contexts.size());
    if (!st.ok()) return st;
    for (size_t i = 0; i < out[k].contexts.size(); i += 256) {
      st = L.contexts.insert_batch(out[k].contexts.data() + i, int(std::min<size_t>(256, out[k].contexts.size() - i)));
      if (!st.ok()) return st;
    }
    std::vector<ContextEntry>().swap(out[k].contexts);
    set_discounts(out[k].coc, L.discount);
    if (control.cancelled()) return Status::Error("E_ABORTED", "trie building cancelled");
  }
  return Status::Ok();
}

Status count_trie(const uint8_t* data, uint64_t size, uint64_t s_begin, uint64_t s_end,
                  const std::vector<int>& offsets, MemoryBudget* budget, const Control& control,
                  SkipTrie* trie) {
  // Sorting (≤ 16 bytes per position, plus the levels' lists) when it fits in the bound.
  if (budget->allow_sort && s_end >= s_begin && budget->used + (s_end - s_begin) * 40 + (uint64_t(64) << 20) <= budget->limit)
    return build_trie_sorted(data, size, s_begin, s_end, offsets, budget, control, trie);
  PairTable top;
  top.attach(budget);
  Status st = count_skipgrams(data, size, s_begin, s_end, offsets, &top, control);
  if (!st.ok()) return st;
  return build_trie(offsets, std::move(top), budget, control, trie);
}

}  // namespace bi
