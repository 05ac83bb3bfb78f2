// Sign vectors, variant passes and ablation against float64 references and brute force.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "bi/ablation.h"
#include "bi/eval.h"
#include "bi/signvec.h"
#include "bi/variant_pass.h"
#include "boolean_reference.h"
#include "fixtures.h"
#include "reference.h"

using namespace bi;
using bi_test::all_kernels;
using bi_test::random_text;

namespace {

// Sign vectors of one stream (packed, as variant_pass writes them) over bytes [begin, end).
std::vector<uint8_t> stream_signs(const Kernels& k, const ModelView& m, const std::vector<uint8_t>& text, uint64_t begin,
                                  uint64_t end, bool sign_only) {
  std::vector<uint8_t> signs((end - begin) * sign_bytes(m.H));
  VariantStream s;
  s.begin = begin;
  s.steps = end - begin;
  s.sign_only = sign_only;
  s.signs = signs.data();
  VariantOptions o;
  o.kernels = &k;
  VariantResult r;
  EXPECT_TRUE(variant_pass(m, text.data(), text.size(), {s}, o, &r).ok());
  return signs;
}

// Brute force over streams [a_s, a_{s+1}) of [begin, end): distinct σ, keys, deterministic keys.
struct Brute {
  std::map<std::string, uint64_t> vectors;
  std::map<std::pair<std::string, int>, std::set<std::string>> keys;
  std::map<std::pair<std::string, int>, uint64_t> key_count;
  uint64_t positions = 0;
};

Brute brute_force(const Kernels& k, const ModelView& m, const std::vector<uint8_t>& text, uint64_t begin, uint64_t end,
                  int S, bool sign_only) {
  Brute b;
  const size_t sb = sign_bytes(m.H);
  for (int s = 0; s < S; ++s) {
    const uint64_t a0 = begin + (end - begin) * s / S, a1 = begin + (end - begin) * (s + 1) / S;
    const auto signs = stream_signs(k, m, text, a0, a1, sign_only);
    std::string prev;
    for (uint64_t t = a0; t < std::min(a1, end - 1); ++t) {
      const std::string sigma(reinterpret_cast<const char*>(signs.data() + (t - a0) * sb), sb);
      ++b.vectors[sigma];
      ++b.positions;
      if (t > a0) {
        b.keys[{prev, text[t]}].insert(sigma);
        ++b.key_count[{prev, text[t]}];
      }
      prev = sigma;
    }
  }
  return b;
}

}  // namespace

TEST(VariantPass, SignOnlyAndMasksMatchTheFloat64Reference) {
  const int H = 24;
  bi_test::RandomModel m(H, 5, 0.3f);
  auto text = random_text(900, 2);
  std::vector<float> knock(H, 1.0f), keep(H, 0.0f);
  knock[3] = 0.0f;
  keep[7] = 1.0f;
  struct Case { const float* mask; bool sign_only; };
  const std::vector<Case> cases = {{nullptr, false}, {nullptr, true}, {knock.data(), false}, {keep.data(), false}, {knock.data(), true}};
  for (const Kernels* k : all_kernels()) {
    for (int threads : {1, 2}) {
      std::vector<VariantStream> streams;
      std::vector<double> ref;
      for (const Case& c : cases)
        for (auto r : std::vector<std::pair<uint64_t, uint64_t>>{{0, 900}, {100, 350}}) {
          VariantStream s;
          s.begin = r.first;
          s.steps = r.second - r.first - 1;
          s.score_begin = r.first;
          s.score_end = r.second - 1;
          s.mask = c.mask;
          s.sign_only = c.sign_only;
          streams.push_back(s);
          bi_test::VariantRef v;
          v.mask = c.mask;
          v.sign_only = c.sign_only;
          ref.push_back(bi_test::sum_bits(bi_test::reference_log2p(m, text.data(), r.first, r.second, v)));
        }
      VariantOptions o;
      o.kernels = k;
      o.threads = threads;
      VariantResult res;
      ASSERT_TRUE(variant_pass(m, text.data(), text.size(), streams, o, &res).ok());
      for (size_t i = 0; i < streams.size(); ++i) {
        EXPECT_NEAR(res.bits[i], ref[i], 1e-4 * (1 + ref[i])) << k->name << " stream " << i;
        EXPECT_EQ(res.positions[i], streams[i].score_end - streams[i].score_begin);
      }
    }
  }
}

TEST(VariantPass, RejectsStreamsOutsideTheCorpus) {
  const int H = 4;
  bi_test::RandomModel m(H, 1, 0.3f);
  auto text = random_text(50, 1);
  VariantStream s;
  s.begin = 40;
  s.steps = 11;
  VariantOptions o;
  o.kernels = all_kernels()[0];
  VariantResult r;
  EXPECT_EQ(variant_pass(m, text.data(), text.size(), {s}, o, &r).code, "E_RANGE");
  s.steps = 10;
  s.score_begin = 40;
  s.score_end = 50;  // t = 49 has no next byte
  EXPECT_EQ(variant_pass(m, text.data(), text.size(), {s}, o, &r).code, "E_RANGE");
}

TEST(SignVectors, CountsMatchBruteForceUnderBothDynamics) {
  const int H = 12;  // few neurons: repeated vectors and non-deterministic keys both occur
  bi_test::RandomModel m(H, 9, 0.6f);
  auto text = random_text(3000, 4);
  for (const Kernels* k : all_kernels())
    for (bool sign_only : {false, true})
      for (int S : {1, 3}) {
        const uint64_t begin = 17, end = 2900;
        Brute b = brute_force(*k, m, text, begin, end, S, sign_only);
        SignVectorOptions o;
        o.kernels = k;
        o.sign_only = sign_only;
        o.streams = S;
        o.threads = 2;
        SignVectorResult r;
        ASSERT_TRUE(sign_vectors(m, text.data(), text.size(), begin, end, o, &r).ok());
        const std::string what = std::string(k->name) + (sign_only ? " sign-only" : " true") + " S=" + std::to_string(S);
        EXPECT_FALSE(r.estimated) << what;
        EXPECT_EQ(r.positions, b.positions) << what;
        EXPECT_EQ(r.positions, end - begin - 1);
        EXPECT_EQ(r.exact_distinct, b.vectors.size()) << what;
        EXPECT_EQ(r.distinct, double(b.vectors.size())) << what;
        EXPECT_EQ(r.exact_keys, b.keys.size()) << what;
        uint64_t det = 0, det_trans = 0, trans = 0;
        for (const auto& kv : b.keys) {
          trans += b.key_count[kv.first];
          if (kv.second.size() == 1) { ++det; det_trans += b.key_count[kv.first]; }
        }
        EXPECT_EQ(r.deterministic_keys, det) << what;
        EXPECT_EQ(r.deterministic_transitions, det_trans) << what;
        EXPECT_EQ(r.transitions, trans) << what;
        // Sign-only: h_{t−1} is a function of σ_{t−1}, so every key is deterministic; the true
        // dynamics carry more than the signs, and this case shows it.
        if (sign_only) EXPECT_EQ(det, b.keys.size()) << what;
        else EXPECT_LT(det, b.keys.size()) << what << ": the case should hold a non-deterministic key";
        double e = 0;
        for (const auto& kv : b.vectors) {
          const double p = double(kv.second) / double(b.positions);
          e -= p * std::log2(p);
        }
        EXPECT_NEAR(r.entropy, e, 1e-9) << what;
        // One thread groups the streams otherwise (a group of one stream takes the gemv path):
        // the same counts, figures within rounding.
        SignVectorResult one;
        o.threads = 1;
        ASSERT_TRUE(sign_vectors(m, text.data(), text.size(), begin, end, o, &one).ok());
        EXPECT_NEAR(one.margins.mean, r.margins.mean, 1e-5 * r.margins.mean) << what;
        EXPECT_NEAR(one.margins.median, r.margins.median, 1e-5 * r.margins.median) << what;
        EXPECT_NEAR(one.bits, r.bits, 1e-6 * r.bits) << what;
        EXPECT_EQ(r.top_counts.front(), std::max_element(b.vectors.begin(), b.vectors.end(),
            [](const auto& x, const auto& y) { return x.second < y.second; })->second);
      }
}

TEST(SignVectors, SignOnlyBpcAndMarginsMatchTheReference) {
  const int H = 16;
  bi_test::RandomModel m(H, 21, 0.4f);
  auto text = random_text(1001, 8);
  for (bool sign_only : {false, true}) {
    bi_test::VariantRef v;
    v.sign_only = sign_only;
    std::vector<double> z;
    const auto lp = bi_test::reference_log2p(m, text.data(), 0, text.size(), v, &z);
    SignVectorOptions o;
    o.kernels = all_kernels().back();
    o.sign_only = sign_only;
    SignVectorResult r;
    ASSERT_TRUE(sign_vectors(m, text.data(), text.size(), 0, text.size(), o, &r).ok());
    const double ref = bi_test::sum_bits(lp);
    EXPECT_NEAR(r.bits, ref, 1e-4 * (1 + ref));
    // Margins over the scored states t = 0 … n − 2.
    std::vector<double> a;
    for (size_t i = 0; i < (text.size() - 1) * H; ++i) a.push_back(std::fabs(z[i]));
    ASSERT_EQ(r.margins.count, a.size());
    double mean = 0;
    uint64_t b1 = 0, b01 = 0;
    for (double x : a) { mean += x; b1 += x < 1; b01 += x < 0.1; }
    mean /= a.size();
    std::sort(a.begin(), a.end());
    const double median = 0.5 * (a[a.size() / 2 - 1] + a[a.size() / 2]);  // an even count: 1000 × 16
    EXPECT_NEAR(r.margins.mean, mean, 1e-4 * mean);
    EXPECT_NEAR(r.margins.median, median, 1e-4 * (1 + median));
    EXPECT_TRUE(r.margins.median_exact);
    EXPECT_NEAR(double(r.margins.below_1), double(b1), 2.0);  // float vs double at the edge
    EXPECT_NEAR(double(r.margins.below_01), double(b01), 2.0);
    uint64_t hist = 0;
    for (uint64_t c : r.margins.histogram) hist += c;
    EXPECT_EQ(hist, r.margins.count);
  }
}

TEST(SignVectors, PastTheExactBoundTheMedianComesFromTheHistogramWithinItsError) {
  const int H = 16;
  bi_test::RandomModel m(H, 21, 0.6f);
  auto text = random_text(5000, 8);
  SignVectorOptions o;
  o.kernels = all_kernels()[0];
  SignVectorResult exact, binned;
  ASSERT_TRUE(sign_vectors(m, text.data(), text.size(), 0, text.size(), o, &exact).ok());
  o.exact_median_values = 1000;
  ASSERT_TRUE(sign_vectors(m, text.data(), text.size(), 0, text.size(), o, &binned).ok());
  EXPECT_TRUE(exact.margins.median_exact);
  EXPECT_FALSE(binned.margins.median_exact);
  EXPECT_NEAR(binned.margins.median, exact.margins.median, 0.008 * exact.margins.median);
  EXPECT_NE(binned.margins.median, exact.margins.median);
  EXPECT_EQ(binned.margins.mean, exact.margins.mean);
  EXPECT_EQ(binned.margins.below_1, exact.margins.below_1);
}

TEST(SignVectors, PastTheBudgetTheCountsAreMarkedEstimatesWithinTheirError) {
  const int H = 32;  // an expanding recurrence: nearly every state is new
  bi_test::RandomModel m(H, 13, 1.0f);
  auto text = random_text(40000, 6);
  const Kernels* k = all_kernels()[0];
  SignVectorOptions o;
  o.kernels = k;
  SignVectorResult exact, est;
  ASSERT_TRUE(sign_vectors(m, text.data(), text.size(), 0, text.size(), o, &exact).ok());
  ASSERT_FALSE(exact.estimated);
  ASSERT_GT(exact.exact_distinct, 20000u);
  o.max_memory = 64 << 10;  // 64 KiB: the tables freeze after a few thousand vectors
  ASSERT_TRUE(sign_vectors(m, text.data(), text.size(), 0, text.size(), o, &est).ok());
  EXPECT_TRUE(est.estimated);
  EXPECT_LT(est.exact_positions, est.positions);
  EXPECT_GT(est.exact_positions, 0u);
  // HyperLogLog with 2^14 registers: standard error 0.8%; 4% is five of them.
  EXPECT_NEAR(est.distinct, double(exact.exact_distinct), 0.04 * exact.exact_distinct);
  EXPECT_NEAR(est.keys, double(exact.exact_keys), 0.04 * exact.exact_keys);
  EXPECT_EQ(est.bits, exact.bits);
}

TEST(Ablation, MatchesSeparateReferenceEvaluations) {
  const int H = 10;
  bi_test::RandomModel m(H, 17, 0.5f);
  auto text = random_text(700, 3);
  const std::vector<EvalRange> ranges = {{0, 400}, {400, 700}};
  for (const Kernels* k : all_kernels()) {
    AblationOptions o;
    o.kernels = k;
    o.threads = 2;
    AblationResult r;
    ASSERT_TRUE(ablation(m, text.data(), text.size(), ranges, o, &r).ok());
    EXPECT_EQ(r.positions, 698u);
    double base = 0;
    for (auto rg : ranges) base += bi_test::sum_bits(bi_test::reference_log2p(m, text.data(), rg.begin, rg.end));
    EXPECT_NEAR(r.base_bits, base, 1e-4 * base);
    double sign_readout = 0;
    for (auto rg : ranges) {
      bi_test::VariantRef v;
      v.sign_readout = true;
      sign_readout += bi_test::sum_bits(bi_test::reference_log2p(m, text.data(), rg.begin, rg.end, v));
    }
    EXPECT_NEAR(r.sign_readout_bits, sign_readout, 1e-4 * sign_readout);
    EXPECT_GT(std::fabs(r.sign_readout_bits - r.base_bits), 1.0);
    for (int j = 0; j < H; ++j) {
      std::vector<float> ko(H, 1.0f), keep(H, 0.0f);
      ko[j] = 0.0f;
      keep[j] = 1.0f;
      double rko = 0, rkeep = 0;
      for (auto rg : ranges) {
        bi_test::VariantRef v;
        v.mask = ko.data();
        rko += bi_test::sum_bits(bi_test::reference_log2p(m, text.data(), rg.begin, rg.end, v));
        v.mask = keep.data();
        rkeep += bi_test::sum_bits(bi_test::reference_log2p(m, text.data(), rg.begin, rg.end, v));
      }
      EXPECT_NEAR(r.knockout_bits[j], rko, 1e-4 * rko) << k->name << " j=" << j;
      EXPECT_NEAR(r.keep_bits[j], rkeep, 1e-4 * rkeep) << k->name << " j=" << j;
    }
  }
}
