// Evaluation against the float64 reference: every ISA, batch 1 and multi-stream,
// 1 and 2 threads, losses, captures, cancellation, bad ranges, and the study's model.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "bi/eval.h"
#include "fixtures.h"
#include "reference.h"

using namespace bi;
using bi_test::all_kernels;
using bi_test::random_text;

TEST(Eval, MatchesReferenceForEveryIsaBatchAndThreads) {
  for (int H : {1, 7, 33, 128}) {
    // Contractive recurrence (gain < 1): chaotic weights would amplify float32 rounding.
    bi_test::RandomModel m(H, 11 + H, std::min(0.3f, 0.8f * std::sqrt(3.0f / H)));
    auto text = random_text(3000, H);
    std::vector<EvalRange> ranges = {{0, 700}, {700, 1500}, {1500, 1502}, {1502, 3000}, {5, 400}};
    std::vector<double> ref;
    for (auto r : ranges) ref.push_back(bi_test::reference_bits(m, text.data(), r.begin, r.end));
    for (const Kernels* k : all_kernels()) {
      for (int threads : {1, 2, 3}) {
        EvalOptions opt;
        opt.kernels = k;
        opt.threads = threads;
        EvalResult res;
        ASSERT_TRUE(evaluate(m, text.data(), text.size(), ranges, opt, &res).ok());
        for (size_t i = 0; i < ranges.size(); ++i) {
          EXPECT_NEAR(res.bits[i], ref[i], 1e-4 * (1 + ref[i])) << k->name << " H=" << H << " range " << i;
          EXPECT_EQ(res.positions[i], ranges[i].end - ranges[i].begin - 1);
        }
        // batch 1, one range at a time, agrees with the batch
        for (size_t i = 0; i < ranges.size(); ++i) {
          EvalResult one;
          ASSERT_TRUE(evaluate(m, text.data(), text.size(), {ranges[i]}, opt, &one).ok());
          EXPECT_NEAR(one.total_bits, ref[i], 1e-4 * (1 + ref[i]));
        }
      }
    }
  }
}

TEST(Eval, LossesAndCapturesAreConsistent) {
  const int H = 20;
  bi_test::RandomModel m(H, 3, 0.5f);
  auto text = random_text(600, 9);
  std::vector<EvalRange> ranges = {{0, 300}, {300, 600}};
  for (const Kernels* k : all_kernels()) {
    std::vector<float> losses(598), hid[2], pre[2];
    std::vector<uint8_t> signs[2];
    std::vector<Capture> caps(2);
    for (int r = 0; r < 2; ++r) {
      hid[r].resize(300 * H);
      pre[r].resize(300 * H);
      signs[r].resize(300 * sign_bytes(H));
      caps[r] = {hid[r].data(), pre[r].data(), signs[r].data()};
    }
    EvalOptions opt;
    opt.kernels = k;
    opt.losses = losses.data();
    opt.captures = caps.data();
    EvalResult res;
    ASSERT_TRUE(evaluate(m, text.data(), text.size(), ranges, opt, &res).ok());
    double sum = 0;
    for (float l : losses) sum += l;
    EXPECT_NEAR(sum, res.total_bits, 1e-3);
    for (int r = 0; r < 2; ++r) {
      std::vector<double> states;
      bi_test::reference_bits(m, text.data(), ranges[r].begin, ranges[r].end, &states);
      ASSERT_EQ(states.size(), hid[r].size());
      for (size_t i = 0; i < states.size(); ++i) {
        ASSERT_NEAR(hid[r][i], states[i], 1e-4) << k->name;
        ASSERT_NEAR(std::tanh(pre[r][i]), hid[r][i], 2e-6);
        const bool bit = (signs[r][(i % H) / 8 + (i / H) * sign_bytes(H)] >> ((i % H) % 8)) & 1;
        ASSERT_EQ(bit, hid[r][i] >= 0.0f);
      }
    }
  }
}

// The argmax capture (the RNN's guess per position, read by the skip-gram witnesses) against
// the float64 reference, under every ISA, for one range alone and among several streams.
TEST(Eval, ArgmaxCaptureMatchesReference) {
  const int H = 9;
  bi_test::RandomModel m(H, 5, 0.6f);
  auto x = random_text(700, 3);
  std::vector<double> states;
  bi_test::reference_bits(m, x.data(), 0, 300, &states);
  std::vector<int> ref(299, -1);  // −1: a near tie, float32 may pick either
  for (size_t t = 0; t + 1 < 300; ++t) {
    std::vector<double> logits(256);
    for (int o = 0; o < 256; ++o) {
      logits[o] = m.by[o];
      for (int j = 0; j < H; ++j) logits[o] += double(m.Wy[size_t(o) * H + j]) * states[t * H + j];
    }
    auto sorted = logits;
    std::sort(sorted.rbegin(), sorted.rend());
    if (sorted[0] - sorted[1] >= 1e-4) ref[t] = int(std::max_element(logits.begin(), logits.end()) - logits.begin());
  }
  int checked = 0;
  for (const Kernels* k : all_kernels()) {
    for (bool alone : {true, false}) {
      std::vector<EvalRange> ranges = {{0, 300}};
      if (!alone) ranges = {{300, 700}, {0, 300}, {100, 250}};
      std::vector<std::vector<uint8_t>> am(ranges.size());
      std::vector<Capture> caps(ranges.size());
      for (size_t i = 0; i < ranges.size(); ++i) {
        am[i].assign(ranges[i].end - ranges[i].begin - 1, 0);
        caps[i].argmax = am[i].data();
      }
      EvalOptions opt;
      opt.kernels = k;
      opt.threads = alone ? 1 : 2;
      opt.captures = caps.data();
      EvalResult res;
      ASSERT_TRUE(evaluate(m, x.data(), x.size(), ranges, opt, &res).ok());
      const auto& got = am[alone ? 0 : 1];
      for (size_t t = 0; t < got.size(); ++t) {
        if (ref[t] < 0) continue;
        EXPECT_EQ(int(got[t]), ref[t]) << k->name << " t " << t;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 2 * 250);
}

TEST(Eval, RejectsBadInput) {
  const int H = 4;
  bi_test::RandomModel m(H, 1, 0.1f);
  std::vector<uint8_t> text(10, 'a');
  EvalOptions opt;
  opt.kernels = kernels_for(Isa::scalar);
  EvalResult res;
  EXPECT_EQ(evaluate(m, text.data(), 10, {{0, 11}}, opt, &res).code, "E_RANGE");
  EXPECT_EQ(evaluate(m, text.data(), 10, {{3, 4}}, opt, &res).code, "E_RANGE");
  EXPECT_EQ(evaluate(m, text.data(), 10, {}, opt, &res).code, "E_RANGE");
  opt.threads = 0;
  EXPECT_EQ(evaluate(m, text.data(), 10, {{0, 10}}, opt, &res).code, "E_OPTION");
  opt.threads = 1;
  ModelView bad = m;
  bad.H = 0;
  EXPECT_EQ(evaluate(bad, text.data(), 10, {{0, 10}}, opt, &res).code, "E_HIDDEN_RANGE");
  m.params[size_t(H) * kVocab] = std::nanf("");  // Wh[0][0]: reaches every loss
  EXPECT_EQ(evaluate(m, text.data(), 10, {{0, 10}}, opt, &res).code, "E_NON_FINITE");
}

TEST(Eval, CancelFlagStopsTheJob) {
  const int H = 16;
  bi_test::RandomModel m(H, 1, 0.1f);
  std::vector<uint8_t> text(200000, 'a');
  int32_t flag = 1;
  EvalOptions opt;
  opt.kernels = kernels_for(Isa::scalar);
  opt.control.cancel_flag = &flag;
  EvalResult res;
  EXPECT_EQ(evaluate(m, text.data(), text.size(), {{0, text.size()}}, opt, &res).code, "E_ABORTED");
}

TEST(Eval, StudyModelGivesTheStudysBpc) {
  auto model = bi_test::read_file(bi_test::study_dir() + "/sat_model.bin");
  auto text = bi_test::read_file(bi_test::study_dir() + "/enwik_1024.txt");
  ASSERT_EQ(model.size(), param_count(128) * 4) << "study files missing: set BI_EMBED_STUDY_DIR";
  ASSERT_EQ(text.size(), 1024u);
  std::vector<float> params(param_count(128));
  std::memcpy(params.data(), model.data(), model.size());  // little-endian host
  auto m = param_views<const float>(params.data(), 128);
  const double ref = bi_test::reference_bits(m, text.data(), 0, 1024) / 1023;
  EXPECT_NEAR(ref, 0.0792, 5e-5);
  for (const Kernels* k : all_kernels()) {
    EvalOptions opt;
    opt.kernels = k;
    EvalResult res;
    ASSERT_TRUE(evaluate(m, text.data(), 1024, {{0, 1024}}, opt, &res).ok());
    EXPECT_NEAR(res.total_bits / 1023, ref, 1e-4) << k->name;
  }
}
