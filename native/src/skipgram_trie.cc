// The levels of the backward trie from the top-level counts: build_trie sums a hashed top
// level down level by level; build_trie_sorted builds every level in one scan of sorted
// counts. Both record per context the statistics the held-out model needs (Kneser–Ney).
#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#include "bi/skipgram.h"

namespace bi {

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

// Moves a level's sorted entries into its table (reserved once, then added 256 at a time
// through add(table, entries, n)) and frees the vector.
template <class Table, class Entry, class Add>
Status move_into(Table* table, std::vector<Entry>* entries, Add add) {
  Status st = table->reserve(entries->size());
  if (!st.ok()) return st;
  for (size_t i = 0; i < entries->size(); i += 256) {
    st = add(table, entries->data() + i, int(std::min<size_t>(256, entries->size() - i)));
    if (!st.ok()) return st;
  }
  std::vector<Entry>().swap(*entries);
  return Status::Ok();
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
    st = move_into(&L.pairs, &out[k].pairs, [](PairTable* t, const PairEntry* e, int n) { return t->add_entries(e, n); });
    if (!st.ok()) return st;
    st = move_into(&L.contexts, &out[k].contexts,
                   [](ContextTable* t, const ContextEntry* e, int n) { return t->insert_batch(e, n); });
    if (!st.ok()) return st;
    set_discounts(out[k].coc, L.discount);
    if (control.cancelled()) return Status::Error("E_ABORTED", "trie building cancelled");
  }
  return Status::Ok();
}

}  // namespace bi
