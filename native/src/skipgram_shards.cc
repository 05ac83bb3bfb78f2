// Sorted skip-gram count tables (skipgram_shards.h): counting into one, checking one, merging
// several linearly, and turning one into the plug-in statistics or the held-out model's trie.
#include "bi/skipgram_shards.h"

#include <algorithm>
#include <string>
#include <utility>

namespace bi {

namespace {

constexpr uint64_t kMaxPositions = uint64_t(1) << 32;
constexpr uint64_t kReport = uint64_t(1) << 20;  // entries between progress reports / cancel polls

// The context of the reversed offset list, read back in the order of the given list: byte j
// becomes byte K−1−j. sorted_counts emits contexts in increasing order of (byte 0, byte 1, …),
// so on the reversed list it emits the given list's contexts in increasing unsigned order.
inline uint64_t reverse_context(uint64_t c, int K) { return K == 0 ? 0 : __builtin_bswap64(c) >> (64 - 8 * K); }

inline bool key_less(uint64_t c0, uint8_t y0, uint64_t c1, uint8_t y1) { return c0 < c1 || (c0 == c1 && y0 < y1); }

std::string list(const std::vector<int>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s + "]";
}

void push(SkipCounts* out, uint64_t ctx, uint8_t y, uint32_t n) {
  out->ctx.push_back(ctx);
  out->next.push_back(y);
  out->count.push_back(n);
}

// Sorting path: each context arrives once, in table order; its next bytes are put in
// increasing order through a 256-bit set.
Status count_by_sorting(const uint8_t* data, uint64_t size, uint64_t s0, uint64_t end, const std::vector<int>& offsets,
                        MemoryBudget* budget, const Control& control, SkipCounts* out) {
  const std::vector<int> reversed(offsets.rbegin(), offsets.rend());
  const int K = int(offsets.size());
  bool ordered = true, first = true;
  uint64_t last = 0;
  Status st = sorted_counts(data, size, s0, end, reversed, budget, control,
                            [&](uint64_t rc, const uint32_t* by_y, const uint8_t* ys, int n_y) {
                              const uint64_t c = reverse_context(rc, K);
                              if (!first && c <= last) ordered = false;
                              first = false, last = c;
                              uint64_t set[4] = {0, 0, 0, 0};
                              for (int k = 0; k < n_y; ++k) set[ys[k] >> 6] |= uint64_t(1) << (ys[k] & 63);
                              for (int w = 0; w < 4; ++w)
                                for (uint64_t b = set[w]; b; b &= b - 1) {
                                  const uint8_t y = uint8_t(64 * w + __builtin_ctzll(b));
                                  push(out, c, y, by_y[y]);
                                }
                            });
  if (!st.ok()) return st;
  // sorted_counts documents its order; a change there must not silently unsort tables.
  if (!ordered) return Status::Error("E_NATIVE", "sorted_counts emitted contexts out of order");
  return Status::Ok();
}

// Hashing path (little memory per position): the distinct pairs are sorted afterwards.
Status count_by_hashing(const uint8_t* data, uint64_t size, uint64_t s0, uint64_t end, const std::vector<int>& offsets,
                        MemoryBudget* budget, const Control& control, SkipCounts* out) {
  std::vector<PairEntry> entries;
  uint64_t taken = 0;
  {
    PairTable table;
    table.attach(budget);
    Status st = count_skipgrams(data, size, s0, end, offsets, &table, control);
    if (!st.ok()) return st;
    taken = table.size() * sizeof(PairEntry);
    st = budget->take(taken);
    if (!st.ok()) return st;
    entries.reserve(table.size());
    for (const PairEntry& e : table.slots())
      if (e.count) entries.push_back(e);
  }  // the table is freed before sorting
  std::sort(entries.begin(), entries.end(),
            [](const PairEntry& a, const PairEntry& b) { return key_less(a.ctx, uint8_t(a.y), b.ctx, uint8_t(b.y)); });
  out->ctx.reserve(entries.size());
  out->next.reserve(entries.size());
  out->count.reserve(entries.size());
  for (const PairEntry& e : entries) push(out, e.ctx, uint8_t(e.y), e.count);
  budget->give(taken);
  return Status::Ok();
}

}  // namespace

SkipCountsView view_of(const SkipCounts& t) {
  return SkipCountsView{t.offsets, t.positions, t.ctx.data(), t.next.data(), t.count.data(), t.ctx.size()};
}

Status count_table(const uint8_t* data, uint64_t size, uint64_t begin, uint64_t end,
                   const std::vector<int>& offsets, MemoryBudget* budget, const Control& control,
                   SkipCounts* out) {
  Status st = check_offsets(offsets);
  if (!st.ok()) return st;
  if (end > size || begin > end) return Status::Error("E_RANGE", "range outside the data");
  *out = SkipCounts{};
  out->offsets = offsets;
  const uint64_t s0 = std::max<uint64_t>(begin, uint64_t(max_offset(offsets)));
  if (s0 >= end) return Status::Ok();  // no position: the empty table (a shard may be that short)
  // The bound conditional_entropy uses: ≤ 16 bytes per position while sorting, 18 kept.
  const bool sort = budget->allow_sort && budget->used + (end - s0) * 18 <= budget->limit;
  st = sort ? count_by_sorting(data, size, s0, end, offsets, budget, control, out)
            : count_by_hashing(data, size, s0, end, offsets, budget, control, out);
  if (!st.ok()) {
    *out = SkipCounts{};
    return st;
  }
  out->positions = end - s0;
  return Status::Ok();
}

Status check_table(const SkipCountsView& t) {
  Status st = check_offsets(t.offsets);
  if (!st.ok()) return st;
  if (t.positions >= kMaxPositions)
    return Status::Error("E_RANGE", "a count table holds fewer than 2^32 positions (counts are uint32), got " + std::to_string(t.positions));
  const int K = int(t.offsets.size());
  const uint64_t beyond = K >= 8 ? 0 : ~uint64_t(0) << (8 * K);  // bits of bytes past the K offsets
  uint64_t sum = 0;
  for (uint64_t i = 0; i < t.size; ++i) {
    if (t.count[i] == 0) return Status::Error("E_COUNT_TABLE", "entry " + std::to_string(i) + " has count 0");
    if (t.ctx[i] & beyond)
      return Status::Error("E_COUNT_TABLE", "entry " + std::to_string(i) + " has a context byte beyond its " + std::to_string(K) + " offsets");
    if (i && !key_less(t.ctx[i - 1], t.next[i - 1], t.ctx[i], t.next[i]))
      return Status::Error("E_COUNT_TABLE", "entries " + std::to_string(i - 1) + " and " + std::to_string(i) +
                                                " are not strictly increasing in (context, next)");
    sum += t.count[i];
  }
  if (sum != t.positions)
    return Status::Error("E_COUNT_TABLE", "the counts add up to " + std::to_string(sum) + ", not to positions = " + std::to_string(t.positions));
  return Status::Ok();
}

Status merge_tables(const std::vector<SkipCountsView>& parts, const Control& control, SkipCounts* out) {
  if (parts.empty()) return Status::Error("E_OPTION", "no count table to merge");
  uint64_t positions = 0, entries = 0, largest = 0;
  for (size_t p = 0; p < parts.size(); ++p) {
    if (parts[p].offsets != parts[0].offsets)
      return Status::Error("E_OPTION", "count tables of different offsets cannot merge: part " + std::to_string(p) + " has " +
                                           list(parts[p].offsets) + ", part 0 has " + list(parts[0].offsets));
    Status st = check_table(parts[p]);
    if (!st.ok()) return Status::Error(st.code, "part " + std::to_string(p) + ": " + st.message);
    positions += parts[p].positions;
    entries += parts[p].size;
    largest = std::max(largest, parts[p].size);
  }
  if (positions >= kMaxPositions)
    return Status::Error("E_RANGE", "the merged table would hold " + std::to_string(positions) +
                                        " positions; one table holds fewer than 2^32 (counts are uint32): merge fewer shards");
  *out = SkipCounts{};
  out->offsets = parts[0].offsets;
  out->positions = positions;
  out->ctx.reserve(largest);
  out->next.reserve(largest);
  out->count.reserve(largest);
  // k-way merge through a min-heap of the parts' current entries.
  struct Head {
    uint64_t ctx;
    uint8_t y;
    uint32_t part;
  };
  auto later = [](const Head& a, const Head& b) { return key_less(b.ctx, b.y, a.ctx, a.y); };
  std::vector<Head> heap;
  std::vector<uint64_t> at(parts.size(), 0);
  for (uint32_t p = 0; p < parts.size(); ++p)
    if (parts[p].size) heap.push_back(Head{parts[p].ctx[0], parts[p].next[0], p});
  std::make_heap(heap.begin(), heap.end(), later);
  for (uint64_t done = 0; !heap.empty(); ++done) {
    std::pop_heap(heap.begin(), heap.end(), later);
    Head h = heap.back();
    heap.pop_back();
    const SkipCountsView& part = parts[h.part];
    const uint32_t n = part.count[at[h.part]];
    if (!out->ctx.empty() && out->ctx.back() == h.ctx && out->next.back() == h.y)
      out->count.back() += n;  // < 2^32: the total is
    else
      push(out, h.ctx, h.y, n);
    if (++at[h.part] < part.size) {
      heap.push_back(Head{part.ctx[at[h.part]], part.next[at[h.part]], h.part});
      std::push_heap(heap.begin(), heap.end(), later);
    }
    if (done % kReport == kReport - 1) {
      control.report(double(done), double(entries));
      if (control.cancelled()) {
        *out = SkipCounts{};
        return Status::Error("E_ABORTED", "merging cancelled");
      }
    }
  }
  return Status::Ok();
}

Status table_entropy(const SkipCountsView& t, EntropyResult* out) {
  Status st = check_table(t);
  if (!st.ok()) return st;
  *out = EntropyResult{};
  if (t.positions == 0) return Status::Error("E_CORPUS_TOO_SHORT", "the count table holds no position");
  EntropySums sums;
  uint64_t total = 0;
  for (uint64_t i = 0; i < t.size; ++i) {
    if (i && t.ctx[i] != t.ctx[i - 1]) sums.add_context(total), total = 0;
    sums.add_pair(t.count[i]);
    total += t.count[i];
  }
  sums.add_context(total);
  sums.finish(t.positions, out);
  return Status::Ok();
}

Status table_trie(const SkipCountsView& t, MemoryBudget* budget, const Control& control, SkipTrie* trie) {
  Status st = check_table(t);
  if (!st.ok()) return st;
  if (t.positions == 0) return Status::Error("E_CORPUS_TOO_SHORT", "the count table holds no position");
  PairTable top;
  top.attach(budget);
  st = top.reserve(t.size);
  if (!st.ok()) return st;
  PairEntry batch[256];
  for (uint64_t i = 0; i < t.size;) {
    const int n = int(std::min<uint64_t>(256, t.size - i));
    for (int j = 0; j < n; ++j, ++i) batch[j] = PairEntry{t.ctx[i], t.count[i], 0, t.next[i]};
    st = top.add_entries(batch, n);
    if (!st.ok()) return st;
    if (i % kReport == 0 && control.cancelled()) return Status::Error("E_ABORTED", "trie building cancelled");
  }
  return build_trie(t.offsets, std::move(top), budget, control, trie);
}

}  // namespace bi
