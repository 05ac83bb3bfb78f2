// PMI per offset from the pair counts of counts.cc (SPEC §6).
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "bi/attribution.h"
#include "bi/counts.h"

namespace bi {

Status pmi_tables(const uint8_t* data, uint64_t size, uint64_t s_begin, uint64_t s_end, const std::vector<int>& offsets,
                  float* out, const Control& control) {
  std::vector<uint64_t> tables(offsets.size() * 65536, 0);
  for (size_t k = 0; k < offsets.size(); ++k) {  // each offset over its own s ∈ [max(s_begin, d), s_end)
    const uint64_t first = std::max<uint64_t>(s_begin, offsets[k] > 0 ? uint64_t(offsets[k]) : 0);
    Status st = offset_pair_counts(data, size, std::min(first, s_end), s_end, {offsets[k]}, tables.data() + k * 65536, control);
    if (!st.ok()) return st;
  }
  for (size_t k = 0; k < offsets.size(); ++k) {
    const uint64_t* c = tables.data() + k * 65536;
    double row[256] = {}, col[256] = {}, n = 0;
    for (int a = 0; a < 256; ++a)
      for (int b = 0; b < 256; ++b) {
        const double v = double(c[a * 256 + b]);
        row[a] += v;
        col[b] += v;
        n += v;
      }
    float* o = out + k * 65536;
    for (int a = 0; a < 256; ++a)
      for (int b = 0; b < 256; ++b) {
        const double v = double(c[a * 256 + b]);
        o[a * 256 + b] = v > 0 ? float(std::log2(v * n / (row[a] * col[b]))) : -std::numeric_limits<float>::infinity();
      }
  }
  return Status::Ok();
}

}  // namespace bi
