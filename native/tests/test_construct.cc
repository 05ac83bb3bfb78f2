// φ against brute force: every count and tensor recomputed from its SPEC §2 definition on
// small corpora, the state holding the hash of the byte g steps back, the state table and
// sampled states against the dense trajectory, the grid against evaluate(), and the
// readout gradient against finite differences.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "bi/construct.h"
#include "bi/counts.h"
#include "bi/eval.h"
#include "fixtures.h"
#include "reference.h"

using namespace bi;
using bi_test::all_kernels;

namespace {

// Skewed bytes with long runs, so the 8-bit SWAR counters overflow many times.
std::vector<uint8_t> skewed_text(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) {
    const uint32_t r = rng() % 10;
    v[i] = r < 4 ? ' ' : r < 7 ? uint8_t('a' + rng() % 6) : uint8_t(rng() % 256);
    if (i > 0 && rng() % 3 == 0) v[i] = v[i - 1];
  }
  return v;
}

PhiCounts count(const std::vector<uint8_t>& x, uint64_t begin, uint64_t end) {
  PhiCounts c;
  Status s = phi_count(x.data(), x.size(), begin, end, &c, Control{});
  EXPECT_TRUE(s.ok()) << s.message;
  return c;
}

// The constructed model (bh = 0, or the sign log-odds bias) with Wy = s·L(α) and by.
std::vector<float> build(const PhiCounts& c, double alpha, double s, bool sign_bias) {
  std::vector<float> p(param_count(kPhiHidden));
  phi_build(c, alpha, s, sign_bias, p.data());
  return p;
}

std::vector<float> capture_hidden(const Kernels& k, const std::vector<float>& p, const std::vector<uint8_t>& x,
                                  uint64_t begin, uint64_t end) {
  return bi_test::hidden_states(k, param_views<const float>(p.data(), kPhiHidden), x, begin, end);
}

// A skewed text, its counts, the φ model built from them (sign_bias off) and its hidden
// states over the whole text with the default kernels.
struct BuiltPhi {
  std::vector<uint8_t> x;
  PhiCounts c;
  std::vector<float> p;
  std::vector<float> hs;
};
BuiltPhi built_phi(size_t n, uint32_t seed, double alpha, double s) {
  BuiltPhi b;
  b.x = skewed_text(n, seed);
  b.c = count(b.x, 0, b.x.size());
  b.p = build(b.c, alpha, s, false);
  b.hs = capture_hidden(*default_kernels(nullptr), b.p, b.x, 0, b.x.size());
  return b;
}

}  // namespace

TEST(Phi, HashMatchesTheDefinitionIn64BitArithmetic) {
  for (uint64_t x = 0; x < 256; ++x)
    for (uint64_t j = 0; j < 8; ++j) {
      const uint64_t M = 0xffffffffull;
      uint64_t h = x;
      h = (((h >> 4) ^ h) * 0x45d9f3bull) & M;
      h = (h >> 16) ^ h;
      h = (h + j * 2654435761ull) & M;
      h = (((h >> 4) ^ h) * 0x45d9f3bull) & M;
      h = (h >> 16) ^ h;
      ASSERT_EQ(hash_sign(int(x), int(j)), (h & 1) ? 1 : -1);
    }
  // Not degenerate: both signs occur in every bit.
  for (int j = 0; j < 8; ++j) {
    int plus = 0;
    for (int x = 0; x < 256; ++x) plus += hash_sign(x, j) > 0;
    EXPECT_GT(plus, 64);
    EXPECT_LT(plus, 192);
  }
}

TEST(Phi, CountsMatchBruteForce) {
  auto x = skewed_text(20000, 3);
  for (auto [begin, end] : std::vector<std::pair<uint64_t, uint64_t>>{{0, 20000}, {137, 9000}, {5, 6}, {5, 7}, {40, 52}, {3, 20}, {0, 17}}) {
    PhiCounts c = count(x, begin, end);
    const uint64_t n = end - begin;
    const uint8_t* y = x.data() + begin;
    ASSERT_EQ(c.n, n);
    for (int o = 0; o < 256; ++o) {
      uint64_t cnt = 0;
      for (uint64_t t = 0; t < n; ++t) cnt += y[t] == o;
      ASSERT_EQ(c.count[o], cnt);
    }
    for (int g = 0; g < kPhiGroups; ++g) {
      std::vector<uint64_t> tot(256, 0);
      std::vector<uint64_t> plus(8 * 256, 0);
      for (int64_t t = g; t <= int64_t(n) - 2; ++t) {
        ++tot[y[t + 1]];
        for (int j = 0; j < 8; ++j)
          if (hash_sign(y[t - g], j) > 0) ++plus[j * 256 + y[t + 1]];
      }
      for (int o = 0; o < 256; ++o) {
        ASSERT_EQ(c.total[g * 256 + o], tot[o]) << "g=" << g << " o=" << o << " n=" << n;
        for (int j = 0; j < 8; ++j) ASSERT_EQ(c.plus[(g * 8 + j) * 256 + o], plus[j * 256 + o]) << g << " " << j << " " << o;
      }
      for (int j = 0; j < 8; ++j) {
        uint64_t nn = 0;
        for (uint64_t t = 0; t < n; ++t) nn += int64_t(t) < g ? 1 : hash_sign(y[t - g], j) > 0;
        ASSERT_EQ(c.nonneg[g * 8 + j], nn);
      }
    }
  }
}

TEST(Phi, CountsAgreeWithOffsetPairTables) {
  // The note's route: c⁺ from per-offset 256×256 pair tables (d = g + 1), summed by sign.
  auto x = skewed_text(5000, 9);
  PhiCounts c = count(x, 0, x.size());
  for (int g = 0; g < kPhiGroups; ++g) {
    std::vector<uint64_t> pairs(65536, 0);
    ASSERT_TRUE(offset_pair_counts(x.data(), x.size(), g + 1, x.size(), {g + 1}, pairs.data(), Control{}).ok());
    for (int j = 0; j < 8; ++j)
      for (int o = 0; o < 256; ++o) {
        uint64_t p = 0;
        for (int a = 0; a < 256; ++a)
          if (hash_sign(a, j) > 0) p += pairs[a * 256 + o];
        ASSERT_EQ(c.plus[(g * 8 + j) * 256 + o], p);
      }
  }
}

TEST(Phi, TensorsMatchTheirDefinitions) {
  auto x = skewed_text(3000, 5);
  PhiCounts c = count(x, 0, x.size());
  auto p = build(c, 1.5, 0.7, false);
  auto v = param_views<const float>(p.data(), kPhiHidden);
  const double n = double(x.size());
  for (int i = 0; i < kPhiHidden; ++i)
    for (int xb = 0; xb < 256; ++xb) ASSERT_EQ(v.Wx[i * 256 + xb], i < 8 ? 10.0f * hash_sign(xb, i) : 0.0f);
  for (int i = 0; i < kPhiHidden; ++i) {
    ASSERT_EQ(v.bh[i], 0.0f);
    for (int j = 0; j < kPhiHidden; ++j) ASSERT_EQ(v.Wh[i * kPhiHidden + j], (i >= 8 && j == i - 8) ? 5.0f : 0.0f);
  }
  for (int o = 0; o < 256; ++o) {
    double cnt = 0;
    for (uint8_t b : x) cnt += b == o;
    ASSERT_NEAR(v.by[o], std::log((cnt + 0.5) / (n + 128)), 1e-5);
  }
  // Wy by brute force, straight from the definition with α = 1.5, s = 0.7.
  for (int g = 0; g < kPhiGroups; g += 5)
    for (int j = 0; j < 8; ++j) {
      std::vector<double> cp(256, 1.5), cm(256, 1.5);
      for (size_t t = g; t + 2 <= x.size(); ++t) (hash_sign(x[t - g], j) > 0 ? cp : cm)[x[t + 1]] += 1;
      double Tp = 0, Tm = 0;
      for (int o = 0; o < 256; ++o) Tp += cp[o], Tm += cm[o];
      for (int o = 0; o < 256; ++o)
        ASSERT_NEAR(v.Wy[o * kPhiHidden + g * 8 + j], 0.7 * (std::log(cp[o] / Tp) - std::log(cm[o] / Tm)), 1e-5);
    }
  // Sign log-odds bias, from the trajectory's signs of the bh = 0 model.
  auto hs = capture_hidden(*scalar_kernels(), p, x, 0, x.size());
  std::vector<float> bh(kPhiHidden);
  phi_sign_log_odds(c, bh.data());
  for (int k = 0; k < kPhiHidden; ++k) {
    double f = 0;
    for (size_t t = 0; t < x.size(); ++t) f += hs[t * kPhiHidden + k] >= 0;
    f /= n;
    ASSERT_NEAR(bh[k], 5 * std::log(f / (1 - f + 1e-6)), 1e-4) << k;
  }
}

TEST(Phi, StateHoldsTheHashOfTheByteGStepsBack) {
  auto x = skewed_text(4000, 7);
  PhiCounts c = count(x, 0, x.size());
  for (bool sign_bias : {false, true}) {
    auto p = build(c, 1.0, 1.0, sign_bias);
    for (const Kernels* k : all_kernels()) {
      auto hs = capture_hidden(*k, p, x, 0, x.size());
      uint64_t agree = 0, total = 0;
      for (size_t t = 16; t < x.size(); ++t)
        for (int g = 0; g < kPhiGroups; ++g)
          for (int j = 0; j < 8; ++j) {
            agree += (hs[t * kPhiHidden + g * 8 + j] >= 0) == (hash_sign(x[t - g], j) > 0);
            ++total;
          }
      // With bh = 0 the register is exact. The sign log-odds bias can exceed 5 in magnitude
      // (f far from ½), which pins a neuron's sign and breaks the register: not asserted.
      if (!sign_bias) {
        EXPECT_EQ(agree, total) << k->name;
      }
      // The state table reproduces the dense trajectory for t ≥ 15 up to rounding.
      auto bh = param_views<const float>(p.data(), kPhiHidden).bh;
      PhiStateTable tab = phi_state_table(*k, bh);
      double worst = 0;
      for (size_t t = 15; t < x.size(); ++t)
        for (int g = 0; g < kPhiGroups; ++g)
          for (int j = 0; j < 8; ++j)
            worst = std::max(worst, double(std::fabs(hs[t * kPhiHidden + g * 8 + j] - tab.a[g * 8 + j][hash_sign(x[t - g], j) > 0])));
      EXPECT_LT(worst, 1e-6) << k->name;
      // Sampled states are the trajectory's rows at the sampled positions.
      std::vector<uint64_t> pos;
      std::vector<float> st;
      std::vector<uint8_t> tg;
      ASSERT_TRUE(phi_sample(*k, x.data(), x.size(), 100, 3000, bh, 500, 42, &pos, &st, &tg).ok());
      auto hs2 = capture_hidden(*k, p, x, 100, 3000);
      for (size_t i = 0; i < pos.size(); ++i) {
        ASSERT_GE(pos[i], 115u);
        ASSERT_LE(pos[i], 2998u);
        ASSERT_EQ(tg[i], x[pos[i] + 1]);
        for (int q = 0; q < kPhiHidden; ++q) ASSERT_NEAR(st[i * kPhiHidden + q], hs2[(pos[i] - 100) * kPhiHidden + q], 1e-6);
      }
    }
  }
}

TEST(Phi, GridBitsEqualEvaluateOfEachGridModel) {
  const BuiltPhi b = built_phi(1500, 11, 1.0, 0.0);
  const auto& [x, c, p0, hs] = b;
  const Kernels& k = *default_kernels(nullptr);
  const std::vector<double> alphas{0.5, 3.0}, scales{0.1, 0.85, 2.0};
  for (int threads : {1, 2}) {
    PhiGridOptions opt;
    opt.kernels = &k;
    opt.threads = threads;
    std::vector<double> bits;
    ASSERT_TRUE(phi_grid(c, param_views<const float>(p0.data(), kPhiHidden).by, hs.data(), x.data() + 1,
                         x.size() - 1, alphas, scales, opt, &bits).ok());
    for (size_t a = 0; a < alphas.size(); ++a)
      for (size_t s = 0; s < scales.size(); ++s) {
        auto p = build(c, alphas[a], scales[s], false);
        const double ref = bi_test::reference_bits(param_views<const float>(p.data(), kPhiHidden), x.data(), 0, x.size());
        EXPECT_NEAR(bits[a * scales.size() + s], ref, 1e-4 * ref) << alphas[a] << " " << scales[s];
      }
  }
}

TEST(Phi, ReadoutGradientMatchesFiniteDifferences) {
  BuiltPhi b = built_phi(700, 13, 1.0, 0.3);
  auto& [x, c, p, hs] = b;
  const Kernels& k = *default_kernels(nullptr);
  const uint64_t S = x.size() - 20;
  const float* st = hs.data() + 16 * kPhiHidden;
  const uint8_t* tg = x.data() + 17;
  auto v = param_views(p.data(), kPhiHidden);
  // mean nats in float64 for a given readout
  auto loss = [&](const std::vector<float>& Wy, const std::vector<float>& by) {
    double L = 0;
    std::vector<double> lg(256);
    for (uint64_t r = 0; r < S; ++r) {
      double mx = -1e300;
      for (int o = 0; o < 256; ++o) {
        double s = by[o];
        for (int i = 0; i < kPhiHidden; ++i) s += double(Wy[o * kPhiHidden + i]) * st[r * kPhiHidden + i];
        lg[o] = s;
        mx = std::max(mx, s);
      }
      double z = 0;
      for (int o = 0; o < 256; ++o) z += std::exp(lg[o] - mx);
      L += mx + std::log(z) - lg[tg[r]];
    }
    return L / double(S);
  };
  std::vector<float> Wy0(v.Wy, v.Wy + 256 * kPhiHidden), by0(v.by, v.by + 256);
  PhiFitOptions opt;
  opt.kernels = &k;
  opt.epochs = 1;
  opt.lr = 1.0;
  std::vector<float> Wy1 = Wy0, by1 = by0;
  std::vector<double> curve;
  ASSERT_TRUE(phi_fit_readout(st, tg, S, opt, Wy1.data(), by1.data(), &curve).ok());
  EXPECT_NEAR(curve[0], loss(Wy0, by0), 1e-4);
  const double eps = 1e-2;
  for (int idx : {0, 32 * kPhiHidden + 5, int(' ') * kPhiHidden + 17, int('a') * kPhiHidden + 127}) {
    auto Wp = Wy0, Wm = Wy0;
    Wp[idx] += float(eps);
    Wm[idx] -= float(eps);
    const double fd = (loss(Wp, by0) - loss(Wm, by0)) / (2 * eps);
    EXPECT_NEAR(Wy0[idx] - Wy1[idx], fd, 1e-4 + 1e-3 * std::fabs(fd)) << idx;
  }
  for (int o : {0, int(' '), int('a')}) {
    auto bp = by0, bm = by0;
    bp[o] += float(eps);
    bm[o] -= float(eps);
    const double fd = (loss(Wy0, bp) - loss(Wy0, bm)) / (2 * eps);
    EXPECT_NEAR(by0[o] - by1[o], fd, 1e-4 + 1e-3 * std::fabs(fd)) << o;
  }
  // Many epochs lower the loss, and the result does not depend on the thread count.
  opt.epochs = 50;
  opt.milestones = {20, 40};
  std::vector<float> Wa = Wy0, ba = by0, Wb = Wy0, bb = by0;
  std::vector<double> ca, cb;
  opt.threads = 1;
  ASSERT_TRUE(phi_fit_readout(st, tg, S, opt, Wa.data(), ba.data(), &ca).ok());
  opt.threads = 2;
  ASSERT_TRUE(phi_fit_readout(st, tg, S, opt, Wb.data(), bb.data(), &cb).ok());
  EXPECT_LT(ca.back(), ca.front() - 0.05);
  EXPECT_EQ(Wa, Wb);
  EXPECT_EQ(ba, bb);
}

TEST(Phi, CancelAndBadRanges) {
  auto x = skewed_text(100, 1);
  PhiCounts c;
  EXPECT_EQ(phi_count(x.data(), x.size(), 50, 101, &c, Control{}).code, "E_RANGE");
  std::vector<uint64_t> pos;
  std::vector<float> st;
  std::vector<uint8_t> tg;
  std::vector<float> bh(kPhiHidden, 0.0f);
  EXPECT_EQ(phi_sample(*scalar_kernels(), x.data(), x.size(), 0, 16, bh.data(), 3, 1, &pos, &st, &tg).code, "E_CORPUS_TOO_SHORT");
  auto big = skewed_text(1 << 23, 2);
  int32_t flag = 1;
  Control ctl;
  ctl.cancel_flag = &flag;
  EXPECT_EQ(phi_count(big.data(), big.size(), 0, big.size(), &c, ctl).code, "E_ABORTED");
}
