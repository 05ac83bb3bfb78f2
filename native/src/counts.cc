// One-pass count tables. Each offset is counted in its own pass so that its 256×256
// table stays in L2; counters are uint32 within a block of ≤ 2^32 − 1 positions and
// flushed into the caller's uint64 tables, which keeps the hot table half the size.
#include "bi/counts.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace bi {

void byte_histogram(const uint8_t* data, uint64_t begin, uint64_t end, uint64_t* hist) {
  // Four sub-histograms break the store-to-load dependency on runs of equal bytes.
  std::vector<uint64_t> sub(4 * 256, 0);
  uint64_t i = begin;
  for (; i + 4 <= end; i += 4) {
    ++sub[data[i]];
    ++sub[256 + data[i + 1]];
    ++sub[512 + data[i + 2]];
    ++sub[768 + data[i + 3]];
  }
  for (; i < end; ++i) ++sub[data[i]];
  for (int b = 0; b < 256; ++b) hist[b] += sub[b] + sub[256 + b] + sub[512 + b] + sub[768 + b];
}

double order0_bits(const uint8_t* data, uint64_t begin, uint64_t end) {
  if (end <= begin) return 0;
  uint64_t hist[256] = {};
  byte_histogram(data, begin, end, hist);
  const double n = double(end - begin);
  double bits = 0;
  for (uint64_t c : hist)
    if (c) bits -= double(c) / n * std::log2(double(c) / n);
  return bits + 0.0;  // −0 (one byte value) as 0
}

Status offset_pair_counts(const uint8_t* data, uint64_t size, uint64_t s_begin, uint64_t s_end,
                          const std::vector<int>& offsets, uint64_t* tables, const Control& control) {
  int max_d = 0;
  for (int d : offsets) {
    if (d < 1) return Status::Error("E_OPTION", "offsets must be ≥ 1, got " + std::to_string(d));
    max_d = std::max(max_d, d);
  }
  if (s_end > size || s_begin > s_end || s_begin < uint64_t(max_d))
    return Status::Error("E_RANGE", "positions [" + std::to_string(s_begin) + ", " + std::to_string(s_end) +
                                        ") need s ≥ " + std::to_string(max_d) + " and s ≤ " + std::to_string(size));
  constexpr uint64_t kBlock = uint64_t(1) << 26;  // positions per progress step (< 2^32)
  std::vector<uint32_t> t(65536);
  const double total = double(s_end - s_begin) * offsets.size();
  double done = 0;
  for (size_t k = 0; k < offsets.size(); ++k) {
    const uint64_t d = uint64_t(offsets[k]);
    uint64_t* out = tables + k * 65536;
    for (uint64_t b0 = s_begin; b0 < s_end; b0 += kBlock) {
      const uint64_t b1 = std::min(s_end, b0 + kBlock);
      std::fill(t.begin(), t.end(), 0u);
      const uint8_t* ctx = data - d;
      for (uint64_t s = b0; s < b1; ++s) ++t[(uint32_t(ctx[s]) << 8) | data[s]];
      for (int i = 0; i < 65536; ++i) out[i] += t[i];
      done += double(b1 - b0);
      control.report(done, total);
      if (control.cancelled()) return Status::Error("E_ABORTED", "counting cancelled");
    }
  }
  return Status::Ok();
}

}  // namespace bi
