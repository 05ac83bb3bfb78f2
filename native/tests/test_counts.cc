// The shared count primitives against brute force: histograms, offset-pair tables over
// shards (which must add up to the whole), bad arguments and cancellation.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>

#include "bi/counts.h"

using namespace bi;

namespace {
std::vector<uint8_t> random_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (auto& c : v) c = uint8_t(rng() % 7 == 0 ? rng() : 'a' + rng() % 3);  // runs and rare bytes
  return v;
}
}  // namespace

TEST(Counts, HistogramMatchesBruteForce) {
  auto x = random_bytes(1001, 1);
  for (auto [b, e] : std::vector<std::pair<uint64_t, uint64_t>>{{0, 1001}, {3, 3}, {5, 8}, {17, 990}}) {
    std::vector<uint64_t> h(256, 1), ref(256, 1);  // adds to what is there
    byte_histogram(x.data(), b, e, h.data());
    for (uint64_t i = b; i < e; ++i) ++ref[x[i]];
    EXPECT_EQ(h, ref);
  }
}

TEST(Counts, Order0BitsMatchesBruteForce) {
  auto x = random_bytes(1001, 4);
  for (auto [b, e] : std::vector<std::pair<uint64_t, uint64_t>>{{0, 1001}, {5, 8}, {17, 990}}) {
    std::map<uint8_t, uint64_t> count;  // brute force: another counter, another summation order
    for (uint64_t i = b; i < e; ++i) ++count[x[i]];
    double ref = 0;
    for (auto [byte, c] : count) ref += double(c) / double(e - b) * std::log2(double(e - b) / double(c));
    EXPECT_NEAR(order0_bits(x.data(), b, e), ref, 1e-12) << b << ".." << e;
  }
  std::vector<uint8_t> all(512);
  for (size_t i = 0; i < all.size(); ++i) all[i] = uint8_t(i);
  EXPECT_NEAR(order0_bits(all.data(), 0, 512), 8.0, 1e-12);  // every byte twice
  const uint8_t aabb[] = {'a', 'a', 'b', 'b'};
  EXPECT_DOUBLE_EQ(order0_bits(aabb, 0, 4), 1.0);
  EXPECT_FALSE(std::signbit(order0_bits(aabb, 0, 2)));  // one byte value: +0, not −0
  EXPECT_EQ(order0_bits(aabb, 2, 2), 0.0);
}

TEST(Counts, OffsetPairsMatchBruteForceAndShardsAdd) {
  auto x = random_bytes(5000, 2);
  const std::vector<int> D = {1, 7, 30};
  std::vector<uint64_t> whole(3 * 65536, 0), parts(3 * 65536, 0), ref(3 * 65536, 0);
  ASSERT_TRUE(offset_pair_counts(x.data(), x.size(), 30, x.size(), D, whole.data(), Control{}).ok());
  ASSERT_TRUE(offset_pair_counts(x.data(), x.size(), 30, 2222, D, parts.data(), Control{}).ok());
  ASSERT_TRUE(offset_pair_counts(x.data(), x.size(), 2222, x.size(), D, parts.data(), Control{}).ok());
  for (size_t k = 0; k < D.size(); ++k)
    for (size_t s = 30; s < x.size(); ++s) ++ref[k * 65536 + x[s - D[k]] * 256 + x[s]];
  EXPECT_EQ(whole, ref);
  EXPECT_EQ(parts, ref);
}

TEST(Counts, BadArgumentsAndCancel) {
  auto x = random_bytes(100, 3);
  std::vector<uint64_t> t(65536);
  EXPECT_EQ(offset_pair_counts(x.data(), x.size(), 5, 100, {0}, t.data(), Control{}).code, "E_OPTION");
  EXPECT_EQ(offset_pair_counts(x.data(), x.size(), 4, 100, {5}, t.data(), Control{}).code, "E_RANGE");
  EXPECT_EQ(offset_pair_counts(x.data(), x.size(), 5, 101, {5}, t.data(), Control{}).code, "E_RANGE");
  int32_t flag = 1;
  Control c;
  c.cancel_flag = &flag;
  EXPECT_EQ(offset_pair_counts(x.data(), x.size(), 5, 100, {5}, t.data(), c).code, "E_ABORTED");
}
