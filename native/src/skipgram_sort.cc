// Counting by sorting (sorted_counts): the passes of skipgram_words.h bring each group of
// words sharing context bytes 0 and 1 into cache, where an LSD radix sort on the remaining
// bytes makes each context's words contiguous; every context is then emitted once, in
// lexicographic order, which is what the trie and the stored count tables are built from.
#include <algorithm>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bi/skipgram.h"
#include "bi/skipgram_words.h"

namespace bi {

namespace {

using EmitFn = std::function<void(uint64_t ctx, const uint32_t* by_y, const uint8_t* ys, int n_y)>;
using words::kBits;

// Stable insertion sort by the context part of the words (small groups: a radix pass's
// 256-entry histograms would cost more than the items).
template <typename W>
void insertion_sort(W* a, uint64_t n) {
  for (uint64_t i = 1; i < n; ++i) {
    const W w = a[i];
    uint64_t j = i;
    for (; j > 0 && (a[j - 1] >> 8) > (w >> 8); --j) a[j] = a[j - 1];
    a[j] = w;
  }
}

// One stable counting-sort pass of a[0, n) into b by the digit (w >> shift) & mask, with
// the histogram hist[0 … mask]; false (nothing moved) when every item has the same digit.
template <typename W>
bool radix_pass(const W* a, W* b, uint64_t n, int shift, uint32_t mask, uint32_t* hist) {
  std::memset(hist, 0, (size_t(mask) + 1) * sizeof(uint32_t));
  for (uint64_t i = 0; i < n; ++i) ++hist[(a[i] >> shift) & mask];
  if (hist[(a[0] >> shift) & mask] == n) return false;
  uint32_t acc = 0;
  for (uint32_t d = 0; d <= mask; ++d) {
    const uint32_t h = hist[d];
    hist[d] = acc, acc += h;
  }
  for (uint64_t i = 0; i < n; ++i) b[hist[(a[i] >> shift) & mask]++] = a[i];
  return true;
}

constexpr uint64_t kWide = 1 << 14;  // from this group size on, 16-bit digits pay for their histogram

// Stable LSD sort of a[0, n) by bytes K−1 … 2 (byte 1 is already equal), ping-ponging with
// b; returns the buffer holding the result. The groups it gets mostly fit in cache. Large
// ones sort two bytes per pass (wide: 2^16 counters); smaller ones take all the bytes'
// histograms in one read; a digit shared by the whole group is skipped.
template <typename W, int K>
W* sort_rest(W* a, W* b, uint64_t n, uint32_t* wide) {
  if (K <= 2) return a;
  if (n <= 32) {
    insertion_sort(a, n);
    return a;
  }
  if (n >= kWide) {
    int j = K - 1;
    for (; j >= 3; j -= 2)  // bytes j−1 and j: byte j−1 is the more significant half
      if (radix_pass(a, b, n, kBits<W> - 8 * j, 0xffff, wide)) std::swap(a, b);
    if (j == 2 && radix_pass(a, b, n, kBits<W> - 16, 0xff, wide)) std::swap(a, b);
    return a;
  }
  uint32_t hist[kMaxSkipOrder][256];
  std::memset(hist[2], 0, sizeof(hist[0]) * size_t(K - 2));
  for (uint64_t i = 0; i < n; ++i)
    for (int j = 2; j < K; ++j) ++hist[j][(a[i] >> (kBits<W> - 8 * j)) & 255];
  for (int j = K - 1; j >= 2; --j) {
    const int shift = kBits<W> - 8 * j;
    if (hist[j][(a[0] >> shift) & 255] == n) continue;
    uint32_t pos[256], acc = 0;
    for (int d = 0; d < 256; ++d) pos[d] = acc, acc += hist[j][d];
    for (uint64_t i = 0; i < n; ++i) b[pos[(a[i] >> shift) & 255]++] = a[i];
    std::swap(a, b);
  }
  return a;
}

// Sorts and counts K ≥ 2 offsets.
template <typename W, int K>
Status sort_words(const uint8_t* data, uint64_t s_begin, uint64_t s_end, const std::vector<int>& offsets,
                  MemoryBudget* budget, const Control& control, const EmitFn& emit) {
  // Beyond the passes' buffers: a small buffer for in-cache sorting and a 16-bit histogram.
  constexpr uint64_t kHot = (512 << 10) / sizeof(W);
  const uint64_t extra = kHot * sizeof(W) + (uint64_t(1) << 16) * sizeof(uint32_t);
  std::unique_ptr<W[]> hot(new W[kHot]);
  std::unique_ptr<uint32_t[]> wide(new uint32_t[1 << 16]);
  // Runs of one context: next-byte counts through a 256 table and the list of bytes seen.
  uint32_t by_y[256] = {0};
  uint8_t seen[256];
  auto emit_runs = [&](const W* w, uint64_t n, uint64_t b0) {
    for (uint64_t i = 0; i < n;) {
      const W c = w[i] >> 8;
      int n_y = 0;
      for (; i < n && (w[i] >> 8) == c; ++i) {
        const uint8_t y = uint8_t(w[i]);
        if (by_y[y]++ == 0) seen[n_y++] = y;
      }
      emit(words::word_context(W(c << 8), b0), by_y, seen, n_y);
      for (int k = 0; k < n_y; ++k) by_y[seen[k]] = 0;
    }
  };
  // Pass 2 (MSD again): each bucket is scattered by byte 1 into the scratch buffer; the
  // groups mostly fit in L2. The bucket's own words are then free: the LSD partners.
  return words::partition_words<W, K>(
      data, s_begin, s_end, offsets, extra, budget, control, [&](W* k0, uint64_t n, W* tmp, uint64_t b0) {
        if (n <= 32) {
          insertion_sort(k0, n);
          emit_runs(k0, n, b0);
          return;
        }
        uint64_t sub[257];
        words::scatter_by_byte(k0, tmp, n, 1, sub);
        for (int d = 0; d < 256; ++d) {
          const uint64_t m = sub[d + 1] - sub[d];
          // The small buffer, which stays in cache, when the group fits in it.
          if (m) emit_runs(sort_rest<W, K>(tmp + sub[d], m <= kHot ? hot.get() : k0 + sub[d], m, wide.get()), m, b0);
        }
      });
}

}  // namespace

Status sorted_counts(const uint8_t* data, uint64_t size, uint64_t s_begin, uint64_t s_end,
                     const std::vector<int>& offsets, MemoryBudget* budget, const Control& control,
                     const EmitFn& emit) {
  Status st = check_count_range(offsets, size, s_begin, s_end, 0);
  if (!st.ok()) return st;
  const int K = int(offsets.size());
  // Every path emits the contexts in increasing lexicographic order of (byte 0, byte 1, …) —
  // the contexts of every prefix of the offset list come out contiguous (the trie is built
  // from that order) — and each context's next bytes in order of first occurrence.
  if (K <= 1) {
    // One context byte: a dense 256 × 256 count, no sort; seen lists each context's next
    // bytes in order of first occurrence, as a stable sort would leave them.
    const uint64_t bytes = 256 * 256 * (sizeof(uint32_t) + 1);
    st = budget->take(bytes);
    if (!st.ok()) return st;
    struct Give {
      MemoryBudget* b;
      uint64_t n;
      ~Give() { b->give(n); }
    } give{budget, bytes};
    std::vector<uint32_t> count(256 * 256);
    std::vector<uint8_t> seen(256 * 256);
    uint32_t n_seen[256] = {0};
    const uint64_t d0 = K ? uint64_t(offsets[0]) : 0;
    for (uint64_t s = s_begin; s < s_end; ++s) {
      const uint32_t c = K ? uint32_t(data[s - d0]) << 8 : 0, y = data[s];
      if (count[c | y]++ == 0) seen[c | n_seen[c >> 8]++] = uint8_t(y);
    }
    for (int c = 0; c < 256; ++c)
      if (n_seen[c]) emit(uint64_t(c), &count[size_t(c) << 8], &seen[size_t(c) << 8], int(n_seen[c]));
    return Status::Ok();
  }
  return words::with_word(K, [&](auto word, auto k) {
    return sort_words<decltype(word), decltype(k)::value>(data, s_begin, s_end, offsets, budget, control, emit);
  });
}

Status count_skipgrams_sorted(const uint8_t* data, uint64_t size, uint64_t s_begin, uint64_t s_end,
                              const std::vector<int>& offsets, MemoryBudget* budget, const Control& control,
                              PairTable* top) {
  std::vector<PairEntry> batch;
  batch.reserve(512);
  Status st;
  Status inner = sorted_counts(data, size, s_begin, s_end, offsets, budget, control,
                               [&](uint64_t ctx, const uint32_t* by_y, const uint8_t* ys, int n_y) {
                                 for (int k = 0; k < n_y; ++k) batch.push_back(PairEntry{ctx, by_y[ys[k]], 0, ys[k]});
                                 if (batch.size() >= 256 && st.ok()) {
                                   st = top->add_entries(batch.data(), int(batch.size()));
                                   batch.clear();
                                 }
                               });
  if (!inner.ok()) return inner;
  if (!st.ok()) return st;
  return top->add_entries(batch.data(), int(batch.size()));
}

}  // namespace bi
