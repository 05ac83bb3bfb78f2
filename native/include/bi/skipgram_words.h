// The first counting pass, shared by the sorting path (sorted_counts) and the grouping path
// (grouped_entropy_sums): every position s becomes one word, the words are scattered by
// byte 0 of the context (pass 1, MSD), and each byte-0 bucket goes to a handler that splits
// it into groups small enough for the caches.
// Internal to native/src/skipgram_*.cc.
#pragma once
#include <algorithm>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "bi/byte_transpose.h"
#include "bi/skipgram.h"

namespace bi::words {

// Sort words (K ≥ 2): the pass-1 bucket holds byte 0 of the context, so a word W stores
// bytes 1…K−1 from the top byte down (byte j at bits B−8j of a B-bit word: unsigned order is
// the lexicographic order of the bytes) and x_s in the low byte. One array of the narrowest
// word that fits (uint32_t for K ≤ 4, else uint64_t): fewer bytes moved per item and one
// write stream per scatter instead of a key array plus a y array.
template <typename W>
constexpr int kBits = int(8 * sizeof(W));
inline uint64_t word_context(uint32_t w, uint64_t b0) { return (uint64_t(__builtin_bswap32(w & ~uint32_t(255))) << 8) | b0; }
inline uint64_t word_context(uint64_t w, uint64_t b0) { return (__builtin_bswap64(w & ~uint64_t(255)) << 8) | b0; }

// Byte j ≥ 1 of the context in a word.
template <typename W>
inline uint32_t word_byte(W w, int j) { return uint32_t(w >> (kBits<W> - 8 * j)) & 255; }

// Calls fn(W word, uint8_t b0) for every position s of [s_begin, s_end) in order: the word
// of s (bytes 1…K−1 of its context and x_s, see above) and byte 0 of its context. K is a
// template argument so the packing unrolls (this reads K streams of the corpus).
template <typename W, int K, typename Fn>
void for_each_word(const uint8_t* data, uint64_t s_begin, uint64_t s_end, const int* offsets, Fn&& fn) {
  static_assert(K >= 2 && K <= int(sizeof(W)), "bytes 1…K−1 and y fill at most the word");
  constexpr int L = int(sizeof(W));
  uint64_t off[K];
  for (int j = 0; j < K; ++j) off[j] = uint64_t(offsets[j]);
  // Word byte l comes from lane l: byte 0 is y = x_s, byte L − j is context byte j, and the
  // bytes between are zero. Sixteen positions at a time through the byte transpose.
  const uint8_t* lane[L];
  alignas(16) W words[16];
  uint64_t s = s_begin;
  for (; s + 16 <= s_end; s += 16) {
    lane[0] = data + s;
    for (int l = 1; l <= L - K; ++l) lane[l] = zero_lane();
    for (int j = 1; j < K; ++j) lane[L - j] = data + s - off[j];
    transpose16(lane, words);
    const uint8_t* b0 = data + s - off[0];
    for (int i = 0; i < 16; ++i) fn(words[i], b0[i]);
  }
  for (; s < s_end; ++s) {
    W w = data[s];
    for (int j = 1; j < K; ++j) w |= W(data[s - off[j]]) << (kBits<W> - 8 * j);
    fn(w, data[s - off[0]]);
  }
}

// Pass 1: scatter every position's word into the bucket of byte 0.
template <typename W, int K>
void scatter_words(const uint8_t* data, uint64_t s_begin, uint64_t s_end, const int* offsets, uint64_t* pos, W* key) {
  for_each_word<W, K>(data, s_begin, s_end, offsets, [&](W w, uint8_t b0) { key[pos[b0]++] = w; });
}

// Stable counting-sort scatter of a[0, n) into b by context byte j ≥ 1; sub[0 … 256] gets
// the sub-bucket bounds.
template <typename W>
void scatter_by_byte(const W* a, W* b, uint64_t n, int j, uint64_t sub[257]) {
  uint64_t pos[256], hist[256] = {0}, acc = 0;
  for (uint64_t i = 0; i < n; ++i) ++hist[word_byte(a[i], j)];
  for (int d = 0; d < 256; ++d) sub[d] = pos[d] = acc, acc += hist[d];
  sub[256] = n;
  for (uint64_t i = 0; i < n; ++i) b[pos[word_byte(a[i], j)]++] = a[i];
}

// The byte-0 buckets of positions [s_begin, s_end): start[0 … 256] and the largest size.
inline void first_byte_buckets(const uint8_t* data, uint64_t s_begin, uint64_t s_end, int d0, uint64_t start[257],
                               uint64_t* largest) {
  uint64_t hist[256] = {0}, acc = 0;
  const uint8_t* first = data - uint64_t(d0);
  for (uint64_t s = s_begin; s < s_end; ++s) ++hist[first[s]];
  *largest = 0;
  for (int b = 0; b < 256; ++b) {
    start[b] = acc;
    acc += hist[b];
    *largest = std::max(*largest, hist[b]);
  }
  start[256] = s_end - s_begin;
}

// Pass 1 for K ≥ 2 offsets, then each byte-0 bucket in turn. Memory, taken from the budget
// for the call: the words (one per position), a scratch buffer as large as the largest
// bucket, plus `extra` bytes the handler needs. Calls, in increasing order of byte 0,
//   bucket(W* words, uint64_t n, W* scratch, uint64_t b0)
// with the n ≥ 1 words of byte-0 value b0 and a free buffer of ≥ n words.
template <typename W, int K, typename Bucket>
Status partition_words(const uint8_t* data, uint64_t s_begin, uint64_t s_end, const std::vector<int>& offsets,
                       uint64_t extra, MemoryBudget* budget, const Control& control, Bucket&& bucket) {
  static_assert(K >= 2 && K <= int(sizeof(W)), "bytes 1…K−1 and y fill at most the word");
  const uint64_t N = s_end - s_begin;
  uint64_t start[257], largest;
  first_byte_buckets(data, s_begin, s_end, offsets[0], start, &largest);
  const uint64_t bytes = (N + largest) * sizeof(W) + extra;
  Status st = budget->take(bytes);
  if (!st.ok()) return st;
  struct Give {  // gives the bytes back however the call ends
    MemoryBudget* b;
    uint64_t n;
    ~Give() { b->give(n); }
  } give{budget, bytes};
  SlotArray<W> key_buf, tmp_buf;  // large ones are mmap'ed with huge pages requested
  key_buf.allocate(N ? N : 1);
  tmp_buf.allocate(largest ? largest : 1);
  W *key = key_buf.data(), *tmp = tmp_buf.data();
  uint64_t pos[256];
  std::copy(start, start + 256, pos);
  scatter_words<W, K>(data, s_begin, s_end, offsets.data(), pos, key);
  if (control.cancelled()) return Status::Error("E_ABORTED", "counting cancelled");
  for (int b = 0; b < 256; ++b) {
    if (const uint64_t n = start[b + 1] - start[b]) bucket(key + start[b], n, tmp, uint64_t(b));
    if ((b & 15) == 15) {
      control.report(double(start[b + 1]), double(N));
      if (control.cancelled()) return Status::Error("E_ABORTED", "counting cancelled");
    }
  }
  return Status::Ok();
}

// Calls fn(W{}, std::integral_constant<int, K>{}) with the narrowest word for K = 2 … 8
// offsets (uint32_t for K ≤ 4, else uint64_t), so the per-item loops unroll.
template <typename Fn>
Status with_word(int K, Fn&& fn) {
  switch (K) {
    case 2: return fn(uint32_t{}, std::integral_constant<int, 2>{});
    case 3: return fn(uint32_t{}, std::integral_constant<int, 3>{});
    case 4: return fn(uint32_t{}, std::integral_constant<int, 4>{});
    case 5: return fn(uint64_t{}, std::integral_constant<int, 5>{});
    case 6: return fn(uint64_t{}, std::integral_constant<int, 6>{});
    case 7: return fn(uint64_t{}, std::integral_constant<int, 7>{});
    default: return fn(uint64_t{}, std::integral_constant<int, 8>{});
  }
}

}  // namespace bi::words
