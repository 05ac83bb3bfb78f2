// The SIMD byte transpose (SSE2 on x86-64, NEON on AArch64) against the scalar reference,
// for both word sizes and for zero lanes in every position; also built and run for aarch64
// under qemu by scripts/test-neon.sh.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "bi/byte_transpose.h"

namespace {

template <typename W>
void check_random_lanes(uint32_t seed) {
  constexpr int L = int(sizeof(W));
  std::mt19937 rng(seed);
  std::vector<uint8_t> bytes(L * 16 + 7);  // +7: lanes start at unaligned addresses
  for (auto& b : bytes) b = uint8_t(rng());
  for (uint32_t zeros = 0; zeros < (1u << L); zeros += 1 + zeros % 3) {
    const uint8_t* lane[L];
    for (int l = 0; l < L; ++l) lane[l] = (zeros >> l) & 1 ? bi::zero_lane() : bytes.data() + 1 + 16 * l;
    W simd[16], ref[16];
    bi::transpose16(lane, simd);
    bi::transpose16_scalar(lane, ref);
    for (int i = 0; i < 16; ++i) {
      ASSERT_EQ(simd[i], ref[i]) << "word " << i << " zero lanes " << zeros;
      for (int l = 0; l < L; ++l) ASSERT_EQ(uint8_t(ref[i] >> (8 * l)), lane[l][i]);  // the reference itself
    }
  }
}

TEST(ByteTranspose, FourLanesMatchScalar) {
  for (uint32_t seed = 1; seed <= 20; ++seed) check_random_lanes<uint32_t>(seed);
}

TEST(ByteTranspose, EightLanesMatchScalar) {
  for (uint32_t seed = 1; seed <= 20; ++seed) check_random_lanes<uint64_t>(seed);
}

}  // namespace
