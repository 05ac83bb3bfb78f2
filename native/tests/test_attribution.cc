// Counterfactual attribution against direct re-evaluation, Jacobian attribution against
// finite differences of the float64 reference, PMI against direct counts.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <map>

#include "bi/attribution.h"
#include "bi/eval.h"
#include "boolean_reference.h"
#include "fixtures.h"
#include "reference.h"

using namespace bi;
using bi_test::all_kernels;
using bi_test::hidden_states;
using bi_test::random_text;
using bi_test::state_rows;

TEST(Counterfactual, MatchesDirectReevaluation) {
  const int H = 16;
  bi_test::RandomModel m(H, 3, 0.4f);
  auto text = random_text(400, 5);
  const uint64_t first = 30, end = 400;
  const std::vector<uint64_t> positions = {30, 33, 42, 80, 200, 398};
  const int D = 12;
  const auto base = bi_test::reference_log2p(m, text.data(), first, end);
  for (const Kernels* k : all_kernels()) {
    auto states = hidden_states(*k, m, text, first, end);
    AttributionOptions o;
    o.kernels = k;
    o.threads = 2;
    o.max_offset = D;
    CounterfactualResult r;
    ASSERT_TRUE(counterfactual(m, text.data(), text.size(), state_rows(states, H, first, first, end), positions, o, &r).ok());
    ASSERT_EQ(r.alpha.size(), positions.size() * D);
    for (size_t i = 0; i < positions.size(); ++i) {
      const uint64_t t = positions[i];
      EXPECT_NEAR(r.bits[i], -base[t - first], 1e-4 * (1 + std::fabs(base[t - first])));
      for (int d = 1; d <= D; ++d) {
        const double a = r.alpha[i * D + d - 1];
        if (t + 1 < first + d) {  // the byte precedes the trajectory
          EXPECT_TRUE(std::isnan(a)) << "t=" << t << " d=" << d;
          continue;
        }
        // Direct: the whole pass from `first` again with the byte flipped.
        bi_test::VariantRef v;
        v.replace_at = int64_t(t + 1 - d);
        v.replace_byte = uint8_t((text[t + 1 - d] + 128) % 256);
        const auto flipped = bi_test::reference_log2p(m, text.data(), first, end, v);
        const double direct = -flipped[t - first] + base[t - first];
        EXPECT_NEAR(a, direct, 2e-4 * (1 + std::fabs(direct))) << k->name << " t=" << t << " d=" << d;
      }
    }
  }
}

TEST(Counterfactual, RejectsPositionsOutsideTheTrajectory) {
  const int H = 4;
  bi_test::RandomModel m(H, 3, 0.4f);
  auto text = random_text(100, 5);
  auto states = hidden_states(*all_kernels()[0], m, text, 10, 100);
  AttributionOptions o;
  o.kernels = all_kernels()[0];
  CounterfactualResult r;
  EXPECT_EQ(counterfactual(m, text.data(), text.size(), state_rows(states, H, 10, 10, 100), {9}, o, &r).code, "E_RANGE");
  EXPECT_EQ(counterfactual(m, text.data(), text.size(), state_rows(states, H, 10, 10, 100), {99}, o, &r).code, "E_RANGE");
}

TEST(Jacobian, MatchesFiniteDifferencesOfTheFloat64Reference) {
  const int H = 20;
  bi_test::RandomModel m(H, 8, 0.35f);
  auto text = random_text(700, 9);
  const uint64_t first = 5, begin = 5, end = 700;  // end − 1 has no target: skipped
  const int D = 32;
  for (const Kernels* k : all_kernels()) {
    auto states = hidden_states(*k, m, text, first, end);
    std::vector<float> alpha((end - begin) * D), alpha1((end - begin) * D);
    JacobianResult r, r1;
    for (int threads : {2, 1}) {  // the same numbers on any thread count
      JacobianOptions o;
      o.kernels = k;
      o.threads = threads;
      o.max_offset = D;
      o.alpha = threads == 1 ? alpha1.data() : alpha.data();
      ASSERT_TRUE(jacobian_attribution(m, text.data(), text.size(), state_rows(states, H, first, begin, end), o, threads == 1 ? &r1 : &r).ok());
    }
    EXPECT_EQ(0, std::memcmp(alpha.data(), alpha1.data(), alpha.size() * sizeof(float)));
    EXPECT_EQ(r.abs_sum, r1.abs_sum);
    {
      EXPECT_EQ(r.positions, end - 1 - begin);
      // Finite differences on a sample of positions (including the first rows of a block and
      // rows whose offsets run past the trajectory's start).
      for (uint64_t t : {5ul, 6ul, 20ul, 36ul, 260ul, 261ul, 517ul, 698ul}) {
        for (int d = 1; d <= D; ++d) {
          const float a = alpha[(t - begin) * D + d - 1];
          if (t + 1 < first + d) {
            EXPECT_TRUE(std::isnan(a));
            continue;
          }
          const double eps = 1e-4;
          bi_test::VariantRef v;
          v.scale_at = int64_t(t + 1 - d);
          v.eps = eps;
          const double up = bi_test::reference_log2p(m, text.data(), first, t + 2, v)[t - first];
          v.eps = -eps;
          const double down = bi_test::reference_log2p(m, text.data(), first, t + 2, v)[t - first];
          const double fd = (up - down) / (2 * eps);
          EXPECT_NEAR(a, fd, 1e-4 + 2e-3 * std::fabs(fd)) << k->name << " t=" << t << " d=" << d;
        }
      }
      // The sums agree with the array, with counts of the defined entries.
      for (int d = 1; d <= D; ++d) {
        double s = 0, sa = 0;
        uint64_t n = 0;
        for (uint64_t t = begin; t + 1 < end; ++t) {
          const float a = alpha[(t - begin) * D + d - 1];
          if (std::isnan(a)) continue;
          s += a;
          sa += std::fabs(a);
          ++n;
        }
        EXPECT_EQ(r.count[d - 1], n);
        EXPECT_NEAR(r.sum[d - 1], s, 1e-6 * (1 + sa));
        EXPECT_NEAR(r.abs_sum[d - 1], sa, 1e-6 * (1 + sa));
      }
    }
  }
}

TEST(Jacobian, AlignedSumsFollowTheMask) {
  const int H = 8;
  bi_test::RandomModel m(H, 2, 0.4f);
  auto text = random_text(600, 1);
  const int D = 4;
  auto states = hidden_states(*all_kernels()[0], m, text, 0, 600);
  std::vector<uint8_t> mask(size_t(D) * 65536, 0);
  for (size_t i = 0; i < mask.size(); ++i) mask[i] = (i * 2654435761u >> 7) & 1;
  std::vector<float> alpha(600 * D);
  JacobianOptions o;
  o.kernels = all_kernels()[0];
  o.max_offset = D;
  o.alpha = alpha.data();
  o.aligned = mask.data();
  JacobianResult r;
  ASSERT_TRUE(jacobian_attribution(m, text.data(), text.size(), state_rows(states, H, 0, 0, 600), o, &r).ok());
  for (int d = 1; d <= D; ++d) {
    double want = 0;
    for (uint64_t t = d - 1; t + 1 < 600; ++t)
      if (mask[size_t(d - 1) * 65536 + text[t + 1 - d] * 256 + text[t + 1]]) want += std::fabs(alpha[t * D + d - 1]);
    EXPECT_NEAR(r.aligned_abs[d - 1], want, 1e-6 * (1 + want));
    EXPECT_GT(r.aligned_abs[d - 1], 0.0);
    EXPECT_LT(r.aligned_abs[d - 1], r.abs_sum[d - 1]);
  }
}

TEST(Pmi, MatchesDirectCounts) {
  auto text = random_text(5000, 12);
  const std::vector<int> offsets = {1, 3, 17};
  const uint64_t s_begin = 10, s_end = 4900;
  std::vector<float> pmi(offsets.size() * 65536);
  ASSERT_TRUE(pmi_tables(text.data(), text.size(), s_begin, s_end, offsets, pmi.data(), Control{}).ok());
  for (size_t k = 0; k < offsets.size(); ++k) {
    const uint64_t d = offsets[k], s0 = std::max<uint64_t>(s_begin, d);
    std::map<std::pair<int, int>, double> pair;
    std::vector<double> pa(256, 0), pb(256, 0);
    double n = 0;
    for (uint64_t s = s0; s < s_end; ++s) {
      pair[{text[s - d], text[s]}] += 1;
      pa[text[s - d]] += 1;
      pb[text[s]] += 1;
      n += 1;
    }
    int checked = 0;
    for (int a = 0; a < 256; ++a)
      for (int b = 0; b < 256; ++b) {
        const float v = pmi[k * 65536 + a * 256 + b];
        auto it = pair.find({a, b});
        if (it == pair.end()) {
          EXPECT_TRUE(std::isinf(v) && v < 0);
          continue;
        }
        const double want = std::log2((it->second / n) / ((pa[a] / n) * (pb[b] / n)));
        EXPECT_NEAR(v, want, 1e-5 * (1 + std::fabs(want)));
        ++checked;
      }
    EXPECT_EQ(size_t(checked), pair.size());
  }
}
