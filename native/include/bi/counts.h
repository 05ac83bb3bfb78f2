// Counts: one-pass tables over corpus bytes, shared by φ (log-ratios), the skip-k-gram
// statistics (MI profile), PMI and synergy. Positions s are indices of predicted bytes
// x_s; a context byte at offset d is x_{s−d} (SPEC §0).
#pragma once
#include <cstdint>
#include <vector>

#include "bi/control.h"
#include "bi/status.h"

namespace bi {

// hist[b] += #{i ∈ [begin, end) : x_i = b}; hist has 256 entries.
void byte_histogram(const uint8_t* data, uint64_t begin, uint64_t end, uint64_t* hist);

// The order-0 (plug-in) entropy in bits per byte of [begin, end): −Σ_b p_b log2 p_b with
// p_b = count_b / (end − begin); 0 for an empty range or a single repeated byte.
double order0_bits(const uint8_t* data, uint64_t begin, uint64_t end);

// For each offset offsets[k] = d ≥ 1: tables[k·65536 + a·256 + b] += #{s ∈ [s_begin, s_end) :
// x_{s−d} = a, x_s = b}. Requires s_begin ≥ max d and s_end ≤ size. Tables are added to, so
// shards counted separately merge by addition.
Status offset_pair_counts(const uint8_t* data, uint64_t size, uint64_t s_begin, uint64_t s_end,
                          const std::vector<int>& offsets, uint64_t* tables, const Control& control);

}  // namespace bi
