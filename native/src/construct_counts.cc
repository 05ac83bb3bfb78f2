// The φ counting pass. c⁺[g][j][o] counts targets o whose context byte g + 1 back has a
// positive hash bit j. Per target byte o we keep 16 uint64 words, word g holding eight
// 8-bit counters (one per j); a position adds E[x_{t−g}] (byte j = 1 if the sign is +)
// to word g of row x_{t+1}: 16 plain adds, no carries while every counter stays ≤ 255,
// which a per-row tick guarantees by flushing the row into uint64 at 255. The rows
// (32 KB) stay in L1, so one sweep replaces 16 passes over per-offset pair tables.
#include <algorithm>
#include <memory>
#include <string>

#include "bi/construct.h"
#include "bi/counts.h"

namespace bi {
namespace {

// row[0..15] += w[0..15]. GCC/Clang vector extensions lower to SSE2 on x86-64 and NEON on
// aarch64 (both baseline, so no ISA is assumed); other compilers take the scalar loop.
#if defined(__GNUC__) || defined(__clang__)
typedef uint64_t u64x2 __attribute__((vector_size(16), aligned(8)));
inline void add16(uint64_t* __restrict row, const uint64_t* __restrict w) {
  u64x2* r = reinterpret_cast<u64x2*>(row);
  const u64x2* v = reinterpret_cast<const u64x2*>(w);
  for (int i = 0; i < kPhiGroups / 2; ++i) r[i] += v[i];
}
#else
inline void add16(uint64_t* row, const uint64_t* w) {
  for (int g = 0; g < kPhiGroups; ++g) row[g] += w[g];
}
#endif

struct SwarCounter {
  uint64_t E[256];
  uint64_t rows[256 * kPhiGroups] = {};
  uint32_t tick[256] = {};
  uint64_t acc[256 * kPhiHidden] = {};  // o-major, so a flush touches 1 KB contiguous

  SwarCounter() {
    for (int x = 0; x < 256; ++x) {
      uint64_t e = 0;
      for (int j = 0; j < kPhiGroupWidth; ++j)
        if (hash_sign(x, j) > 0) e |= uint64_t(1) << (8 * j);
      E[x] = e;
    }
  }
  void flush(int o) {
    uint64_t* a = acc + size_t(o) * kPhiHidden;
    for (int g = 0; g < kPhiGroups; ++g) {
      const uint64_t w = rows[o * kPhiGroups + g];
      for (int j = 0; j < kPhiGroupWidth; ++j) a[g * kPhiGroupWidth + j] += (w >> (8 * j)) & 0xff;
      rows[o * kPhiGroups + g] = 0;
    }
    tick[o] = 0;
  }
  void tick_row(int o) {
    if (++tick[o] == 255) flush(o);
  }
  // plus[k][o] += acc[o][k]
  void finish(uint64_t* plus) {
    for (int o = 0; o < 256; ++o) flush(o);
    for (int o = 0; o < 256; ++o)
      for (int k = 0; k < kPhiHidden; ++k) plus[size_t(k) * 256 + o] += acc[size_t(o) * kPhiHidden + k];
  }
};

}  // namespace

Status phi_count(const uint8_t* data, uint64_t size, uint64_t begin, uint64_t end, PhiCounts* out,
                 const Control& control) {
  if (end > size || begin > end)
    return Status::Error("E_RANGE", "fitting range [" + std::to_string(begin) + ", " + std::to_string(end) +
                                        ") is outside the data (" + std::to_string(size) + " bytes)");
  const uint64_t n = end - begin;
  const uint8_t* x = data + begin;
  out->n = n;
  out->count.assign(256, 0);
  out->plus.assign(size_t(kPhiHidden) * 256, 0);
  out->total.assign(size_t(kPhiGroups) * 256, 0);
  out->nonneg.assign(kPhiHidden, 0);
  byte_histogram(x, 0, n, out->count.data());

  // total[g][o] = #{s ∈ [g + 1, n − 1] : x_s = o}, s = t + 1 the target index.
  if (n >= 2) {
    std::vector<uint64_t> tail(256, 0);
    byte_histogram(x, 1, n, tail.data());
    for (int g = 0; g < kPhiGroups; ++g) {
      if (g >= 1 && uint64_t(g) < n) --tail[x[g]];
      if (uint64_t(g) + 1 >= n) std::fill(tail.begin(), tail.end(), 0);
      std::copy(tail.begin(), tail.end(), out->total.begin() + size_t(g) * 256);
    }
  }
  // nonneg[k] = min(g, n) + #{t ∈ [g, n − 1] : hash_sign(x_{t−g}, j) = +1}.
  {
    std::vector<uint64_t> head(out->count);  // histogram of x_0 … x_{n−1−g}
    for (int g = 0; g < kPhiGroups; ++g) {
      if (g >= 1 && uint64_t(g) <= n) --head[x[n - g]];
      if (uint64_t(g) >= n) std::fill(head.begin(), head.end(), 0);
      for (int j = 0; j < kPhiGroupWidth; ++j) {
        uint64_t s = std::min<uint64_t>(g, n);
        for (int b = 0; b < 256; ++b)
          if (hash_sign(b, j) > 0) s += head[b];
        out->nonneg[g * kPhiGroupWidth + j] = s;
      }
    }
  }

  auto counter = std::make_unique<SwarCounter>();  // 300 KB: off the stack
  SwarCounter& c = *counter;
  // Head: targets s = 1 … 16 see only the groups g ≤ s − 1.
  const uint64_t head_end = std::min<uint64_t>(n, kPhiGroups + 1);
  for (uint64_t s = 1; s < head_end; ++s) {
    uint64_t* row = c.rows + size_t(x[s]) * kPhiGroups;
    for (uint64_t g = 0; g < s; ++g) row[g] += c.E[x[s - 1 - g]];
    c.tick_row(x[s]);
  }
  // Main loop. Per block, R[k] = E[x_{b1−1−k}] (the block's context words, reversed), so a
  // position's 16 context words are R[b1 − s … b1 − s + 15]: one contiguous run added to a
  // contiguous row, which the compiler vectorises with the baseline ISA.
  constexpr uint64_t kBlock = 512;  // R stays small beside the 32 KB of rows in L1
  constexpr uint64_t kReport = uint64_t(1) << 22;
  std::vector<uint64_t> R(kBlock + kPhiGroups);
  uint64_t next_report = kReport;
  for (uint64_t b0 = head_end; b0 < n; b0 += kBlock) {
    const uint64_t b1 = std::min(n, b0 + kBlock);
    for (uint64_t k = 0; k < b1 - b0 + kPhiGroups; ++k) R[k] = c.E[x[b1 - 1 - k]];
    for (uint64_t s = b0; s < b1; ++s) {
      const int o = x[s];
      uint64_t* __restrict row = c.rows + size_t(o) * kPhiGroups;
      const uint64_t* __restrict w = R.data() + (b1 - s);
      add16(row, w);
      c.tick_row(o);
    }
    if (b1 >= next_report || b1 == n) {
      next_report += kReport;
      control.report(double(b1), double(n));
      if (control.cancelled()) return Status::Error("E_ABORTED", "counting cancelled");
    }
  }
  c.finish(out->plus.data());
  return Status::Ok();
}

}  // namespace bi
