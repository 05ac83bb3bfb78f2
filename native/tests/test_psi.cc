// ψ against brute force: the factor map, the feature map, read-back (with back-off) and
// the Hebbian estimates, each recomputed from the plain definitions by direct scans over
// positions; the state features against a scan from byte 0; and the study's numbers.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "bi/eval.h"
#include "bi/psi.h"
#include "fixtures.h"
#include "reference.h"

using namespace bi;

namespace {

std::vector<uint8_t> text(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  const char* alpha = "ab c<d>\n e\tf";
  for (auto& c : v) c = uint8_t(alpha[rng() % 12]);
  return v;
}

// h_t for every t of x, from h = 0 at 0 (scalar kernels).
std::vector<float> states_of(const std::vector<float>& params, int H, const std::vector<uint8_t>& x) {
  return bi_test::hidden_states(*kernels_for(Isa::scalar), param_views<const float>(params.data(), H), x, 0, x.size());
}

StateRows rows(const std::vector<float>& h, int H, uint64_t begin, uint64_t end) {
  return bi_test::state_rows(h, H, 0, begin, end);
}

// R² by direct scans: for each score t, the mean over fit s with the same key.
template <typename Key>
double brute_r2(const std::vector<float>& h, int H, int j, uint64_t fb, uint64_t fe, uint64_t sb, uint64_t se, Key key) {
  double fit_mean = 0, mean = 0, tot = 0, res = 0;
  for (uint64_t s = fb; s < fe; ++s) fit_mean += h[s * H + j];
  fit_mean /= double(fe - fb);
  for (uint64_t t = sb; t < se; ++t) mean += h[t * H + j];
  mean /= double(se - sb);
  for (uint64_t t = sb; t < se; ++t) {
    double sum = 0;
    int n = 0;
    for (uint64_t s = fb; s < fe; ++s)
      if (key(s) == key(t)) { sum += h[s * H + j]; ++n; }
    const double m = n ? sum / n : fit_mean;
    res += (h[t * H + j] - m) * (h[t * H + j] - m);
    tot += (h[t * H + j] - mean) * (h[t * H + j] - mean);
  }
  return 1 - res / tot;
}

}  // namespace

TEST(Psi, StateFeaturesFromAnyStartMatchAScanFromZero) {
  auto x = text(3000, 3);
  std::vector<uint8_t> all(kFeatureCount * x.size()), part(kFeatureCount * 1000);
  state_features(x.data(), 0, x.size(), all.data());
  state_features(x.data(), 1234, 2234, part.data());
  for (int f = 0; f < kFeatureCount; ++f)
    for (uint64_t i = 0; i < 1000; ++i) ASSERT_EQ(part[f * 1000 + i], all[f * x.size() + 1234 + i]) << "feature " << f;
  // spot definitions: word_len and in_tag after consuming x_t
  int wl = 0, tag = 0;
  for (size_t t = 0; t < x.size(); ++t) {
    if (x[t] == '<') tag = 1;
    if (x[t] == '>') tag = 0;
    wl = (x[t] == ' ' || x[t] == '\n' || x[t] == '\t') ? 0 : wl + 1;
    ASSERT_EQ(all[kWordLen * x.size() + t], std::min(wl, 15));
    ASSERT_EQ(all[kInTag * x.size() + t], tag);
  }
}

TEST(Psi, FactorMapMatchesBruteForceInSampleAndHeldOut) {
  const int H = 5;
  auto x = text(700, 7);
  auto params = bi_test::random_params(H, 9, 0.6f);
  auto h = states_of(params, H, x);
  const std::vector<int> lags = {1, 4, 0, 9};
  for (bool held_out : {false, true}) {
    StateRows fit = rows(h, H, 9, held_out ? 500 : 700), score = rows(h, H, held_out ? 500 : 9, 700);
    FactorMapOptions opt;
    opt.lags = lags;
    opt.threads = 2;
    FactorMapResult r;
    ASSERT_TRUE(factor_map(x.data(), x.size(), fit, score, opt, &r).ok());
    ASSERT_EQ(r.pair_r2.size(), 6u * H);
    size_t p = 0;
    for (size_t a = 0; a < lags.size(); ++a)
      for (size_t b = a + 1; b < lags.size(); ++b, ++p) {
        EXPECT_EQ(r.pair_lag1[p], lags[a]);
        EXPECT_EQ(r.pair_lag2[p], lags[b]);
        for (int j = 0; j < H; ++j) {
          auto key = [&](uint64_t t) { return x[t - lags[a]] * 256 + x[t - lags[b]]; };
          EXPECT_NEAR(r.pair_r2[p * H + j], brute_r2(h, H, j, fit.begin, fit.end, score.begin, score.end, key), 1e-9);
        }
      }
    for (size_t a = 0; a < lags.size(); ++a)
      for (int j = 0; j < H; ++j) {
        auto key = [&](uint64_t t) { return int(x[t - lags[a]]); };
        EXPECT_NEAR(r.single_r2[a * H + j], brute_r2(h, H, j, fit.begin, fit.end, score.begin, score.end, key), 1e-9);
      }
    if (!held_out) {
      for (auto u : r.pair_unseen) EXPECT_EQ(u, 0u);
    } else {
      EXPECT_GT(r.pair_unseen[5], 0u);
    }  // (0, 9) over a held-out tail sees new byte pairs
  }
}

TEST(Psi, FactorMapRefusesBadLagsAndRanges) {
  const int H = 3;
  auto x = text(100, 1);
  auto h = states_of(bi_test::random_params(H, 1, 0.5f), H, x);
  FactorMapOptions opt;
  FactorMapResult r;
  opt.lags = {1, 1};
  EXPECT_EQ(factor_map(x.data(), x.size(), rows(h, H, 5, 100), rows(h, H, 5, 100), opt, &r).code, "E_OPTION");
  opt.lags = {1, 8};
  EXPECT_EQ(factor_map(x.data(), x.size(), rows(h, H, 5, 100), rows(h, H, 5, 100), opt, &r).code, "E_RANGE");
  EXPECT_EQ(factor_map(x.data(), x.size(), rows(h, H, 8, 101), rows(h, H, 8, 100), opt, &r).code, "E_RANGE");
}

TEST(Psi, FeatureMapMatchesBruteForce) {
  const int H = 4;
  auto x = text(500, 11);
  auto h = states_of(bi_test::random_params(H, 4, 0.6f), H, x);
  FeatureMapResult r;
  ASSERT_TRUE(feature_map(x.data(), x.size(), rows(h, H, 1, 500), Control(), &r).ok());
  std::vector<uint8_t> f(kFeatureCount * x.size());
  state_features(x.data(), 0, x.size(), f.data());
  for (int j = 0; j < H; ++j) {
    EXPECT_NEAR(r.byte_r2[j], brute_r2(h, H, j, 1, 500, 1, 500, [&](uint64_t t) { return int(x[t]); }), 1e-9);
    for (int k = 0; k < kFeatureCount; ++k)
      EXPECT_NEAR(r.r2[k * H + j],
                  brute_r2(h, H, j, 1, 500, 1, 500, [&](uint64_t t) { return x[t] * 64 + f[k * x.size() + t]; }), 1e-9);
  }
}

TEST(Psi, ReadbackMatchesBruteForceWithBackoff) {
  const int H = 6;
  auto x = text(600, 5);
  bi_test::RandomModel m(H, 8, 0.7f);
  auto h = states_of(m.params, H, x);
  std::vector<uint8_t> f(kFeatureCount * x.size());
  state_features(x.data(), 0, x.size(), f.data());
  ReadbackOptions opt;
  opt.kernels = kernels_for(Isa::scalar);
  opt.partner = {2, 3, 2, 5, 7, 3};
  const uint64_t fb = 7, fe = 420, sb = 420, se = 600;
  ReadbackResult r;
  ASSERT_TRUE(readback(m, x.data(), x.size(), rows(h, H, fb, fe), rows(h, H, sb, se), opt, &r).ok());
  EXPECT_EQ(r.positions, se - 1 - sb);

  // Brute force: the finest non-empty level, then the lag-1 cell, then the fit mean.
  auto level_key = [&](int L, int p, uint64_t t) {
    long k = x[t - 1] * 256L + x[t - p];
    if (L >= 1) k = k * 16 + f[kWordLen * x.size() + t];
    if (L >= 2) k = k * 2 + f[kInTag * x.size() + t];
    return k;
  };
  double bits[3] = {0, 0, 0}, rnn = 0;
  std::vector<double> logit(kVocab);
  auto score_row = [&](const std::vector<double>& hh, uint8_t y) {
    double mx = -1e300;
    for (int o = 0; o < kVocab; ++o) {
      double s = m.by[o];
      for (int j = 0; j < H; ++j) s += double(m.Wy[o * H + j]) * hh[j];
      logit[o] = s;
      mx = std::max(mx, s);
    }
    double z = 0;
    for (double l : logit) z += std::exp(l - mx);
    return -(logit[y] - mx - std::log(z)) / std::log(2.0);
  };
  bool backed_off = false;
  for (uint64_t t = sb; t + 1 < se; ++t) {
    for (int L = 0; L < 3; ++L) {
      std::vector<double> hh(H);
      for (int j = 0; j < H; ++j) {
        double sum = 0;
        int n = 0;
        for (int l = L; l >= 0 && n == 0; --l)
          for (uint64_t s = fb; s < fe; ++s)
            if (level_key(l, opt.partner[j], s) == level_key(l, opt.partner[j], t)) { sum += h[s * H + j]; ++n; }
        if (n == 0) {
          backed_off = true;
          for (uint64_t s = fb; s < fe; ++s)
            if (x[s - 1] == x[t - 1]) { sum += h[s * H + j]; ++n; }
        }
        if (n == 0)
          for (uint64_t s = fb; s < fe; ++s) { sum += h[s * H + j]; ++n; }
        hh[j] = sum / n;
      }
      bits[L] += score_row(hh, x[t + 1]);
    }
    rnn += score_row(std::vector<double>(h.begin() + t * H, h.begin() + (t + 1) * H), x[t + 1]);
  }
  EXPECT_TRUE(backed_off);
  for (int L = 0; L < 3; ++L) EXPECT_NEAR(r.bpc[L], bits[L] / r.positions, 1e-4) << "level " << L;
  EXPECT_NEAR(r.bpc_rnn, rnn / r.positions, 1e-4);
  EXPECT_GT(r.resolved[2][1] + r.resolved[2][2], 0u);
}

TEST(Psi, HebbianMatchesBruteForce) {
  const int H = 5;
  auto x = text(9000, 2);  // more than one 4096-row block
  auto h = states_of(bi_test::random_params(H, 3, 0.6f), H, x);
  for (const Kernels* k : bi_test::all_kernels()) {
    HebbianResult r;
    ASSERT_TRUE(hebbian(*k, x.data(), x.size(), rows(h, H, 10, 9000), &r).ok());
    const uint64_t T = 8990;
    std::vector<double> mean(H, 0);
    for (uint64_t t = 10; t < 9000; ++t)
      for (int j = 0; j < H; ++j) mean[j] += h[t * H + j] / double(T);
    for (int i = 0; i < H; ++i)
      for (int j = 0; j < H; ++j) {
        double c = 0;
        for (uint64_t t = 10; t + 1 < 9000; ++t) c += (h[t * H + j] - mean[j]) * (h[(t + 1) * H + i] - mean[i]);
        EXPECT_NEAR(r.C[i * H + j], c / double(T - 1), 1e-5);
      }
    for (int v : {'a', ' ', '<'}) {
      double s = 0, sy = 0;
      int n = 0, ny = 0;
      for (uint64_t t = 10; t < 9000; ++t) {
        if (x[t] == v) { s += h[t * H + 2]; ++n; }
        if (t + 1 < 9000 && x[t + 1] == v) { sy += h[t * H + 2]; ++ny; }
      }
      EXPECT_NEAR(r.Cx[2 * kVocab + v], s / n - mean[2], 1e-9);
      EXPECT_NEAR(r.Cy[v * H + 2], sy / ny - mean[2], 1e-9);
    }
    EXPECT_EQ(r.count_x['Z'], 0u);
    EXPECT_EQ(r.Cx[kVocab + 'Z'], 0.0);
  }
}

// The study's factor map (SPEC §9): mean R² 0.837, 120/128 ≥ 0.80, (1,7) best for 52.
TEST(Psi, StudyFactorMap) {
  auto x = bi_test::read_file(bi_test::study_dir() + "/enwik_1024.txt");
  auto params = bi_test::read_file(bi_test::study_dir() + "/sat_model.bin");
  ASSERT_EQ(x.size(), 1024u) << "study files missing: set BI_EMBED_STUDY_DIR";
  ASSERT_EQ(params.size(), param_count(128) * 4);
  std::vector<float> p(param_count(128));
  std::memcpy(p.data(), params.data(), params.size());
  auto h = states_of(p, 128, x);
  FactorMapOptions opt;
  opt.lags = {1, 8, 20, 3, 27, 2, 12, 7};
  FactorMapResult r;
  StateRows all = rows(h, 128, 27, 1024);
  ASSERT_TRUE(factor_map(x.data(), x.size(), all, all, opt, &r).ok());
  double sum = 0;
  int above = 0, p17 = 0;
  for (int j = 0; j < 128; ++j) {
    int best = 0;
    for (size_t q = 1; q < r.pair_lag1.size(); ++q)
      if (r.pair_r2[q * 128 + j] > r.pair_r2[best * 128 + j]) best = int(q);
    sum += r.pair_r2[best * 128 + j];
    above += r.pair_r2[best * 128 + j] >= 0.80;
    p17 += r.pair_lag1[best] == 1 && r.pair_lag2[best] == 7;
  }
  printf("study factor map: mean R2 %.4f, %d >= 0.80, (1,7) best for %d\n", sum / 128, above, p17);
  EXPECT_NEAR(sum / 128, 0.837, 0.0005);
  EXPECT_EQ(above, 120);
  EXPECT_EQ(p17, 52);
}
