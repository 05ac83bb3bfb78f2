// The training loop: chunked runs equal one run bitwise (the resume property), fixed
// thread counts are deterministic, NaN stops with E_NON_FINITE leaving the previous
// step's parameters, cancellation, the study's schedule, and that training learns.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>

#include "bi/rnn.h"
#include "bi/step_phases.h"
#include "bi/train.h"
#include "reference.h"

using namespace bi;

namespace {

std::vector<uint8_t> text(size_t n, uint32_t seed) {
  const char* words[] = {"the ", "cat ", "<b>", "sat ", "on ", "a ", "mat\n"};
  std::mt19937 rng(seed);
  std::vector<uint8_t> v;
  while (v.size() < n) {
    const char* w = words[rng() % 7];
    v.insert(v.end(), w, w + std::strlen(w));
  }
  v.resize(n);
  return v;
}

struct Trainer {
  TrainConfig c;
  std::vector<float> params, m, v, hidden, best;
  TrainState s;

  Trainer(const TrainConfig& config, uint32_t seed) : c(config) {
    params = bi_test::random_params(c.H, seed, 0.1f);
    const size_t n = param_count(c.H);
    if (c.optimizer == Optimizer::adam) { m.assign(n, 0.0f); v.assign(n, 0.0f); }
    hidden.assign(size_t(c.streams) * c.H, 0.0f);
    if (c.track_best) best = params;
    s.params = params.data();
    s.m = m.empty() ? nullptr : m.data();
    s.v = v.empty() ? nullptr : v.data();
    s.hidden = hidden.data();
    s.best = best.empty() ? nullptr : best.data();
    s.best_bpc = INFINITY;
  }

  Status steps(const std::vector<uint8_t>& data, uint64_t n, TrainRunResult* r = nullptr,
               const int32_t* cancel = nullptr) {
    TrainRunOptions o;
    o.kernels = default_kernels(nullptr);
    o.max_steps = n;
    o.control.cancel_flag = cancel;
    TrainRunResult local;
    return train_run(data.data(), data.size(), c, &s, o, r ? r : &local);
  }
};

TrainConfig study_like(int H) {
  TrainConfig c;
  c.H = H;
  c.window = 10;
  c.schedule = Schedule::cosine;
  c.epochs = 5;
  c.lr = 0.05;
  c.sum_loss = true;
  c.partial_tail = true;
  c.track_best = true;
  return c;
}

TrainConfig scale_like(int H, int threads) {
  TrainConfig c;
  c.H = H;
  c.streams = 5;
  c.window = 8;
  c.threads = threads;
  c.optimizer = Optimizer::adam;
  c.lr = 3e-3;
  return c;
}

}  // namespace

TEST(Train, ChunkedRunsEqualOneRunBitwise) {
  auto data = text(437, 1);
  for (int variant = 0; variant < 4; ++variant) {
    TrainConfig c = variant == 0 ? study_like(16) : scale_like(16, variant == 3 ? 2 : variant);
    if (variant == 3) {  // the scale recipe's warm-up + cosine over a 97-step budget
      c.schedule = Schedule::warmup_cosine;
      c.warmup = 9;
      c.decay_start = 60;
      c.horizon = 97;
      c.min_lr = 0;
    }
    c.end = data.size();
    Trainer whole(c, 3), chunked(c, 3);
    ASSERT_TRUE(whole.steps(data, 97).ok());
    for (uint64_t k : {1, 5, 13, 40, 38}) ASSERT_TRUE(chunked.steps(data, k).ok());
    EXPECT_EQ(chunked.s.step, 97u);
    EXPECT_EQ(0, std::memcmp(whole.params.data(), chunked.params.data(), whole.params.size() * 4)) << variant;
    EXPECT_EQ(0, std::memcmp(whole.hidden.data(), chunked.hidden.data(), whole.hidden.size() * 4)) << variant;
    if (c.optimizer == Optimizer::adam) {
      EXPECT_EQ(0, std::memcmp(whole.v.data(), chunked.v.data(), whole.v.size() * 4));
    }
    if (c.track_best) {
      EXPECT_EQ(whole.s.best_bpc, chunked.s.best_bpc);
      EXPECT_EQ(0, std::memcmp(whole.best.data(), chunked.best.data(), whole.best.size() * 4));
    }
  }
}

TEST(Train, ThreadCountsAgreeWithinTolerance) {
  auto data = text(900, 2);
  TrainConfig c1 = scale_like(24, 1), c2 = scale_like(24, 2);
  c1.end = c2.end = data.size();
  Trainer a(c1, 5), b(c2, 5);
  ASSERT_TRUE(a.steps(data, 20).ok());
  ASSERT_TRUE(b.steps(data, 20).ok());
  double diff = 0;
  for (size_t i = 0; i < a.params.size(); ++i) diff = std::max(diff, double(std::fabs(a.params[i] - b.params[i])));
  EXPECT_LT(diff, 1e-3);
  Trainer b2(c2, 5);  // and a fixed thread count is deterministic
  ASSERT_TRUE(b2.steps(data, 20).ok());
  EXPECT_EQ(0, std::memcmp(b.params.data(), b2.params.data(), b.params.size() * 4));
}

TEST(Train, NonFiniteGradientStopsAndKeepsThePreviousStep) {
  auto data = text(300, 3);
  TrainConfig c = scale_like(8, 2);
  c.end = data.size();
  Trainer ref(c, 7), bad(c, 7);
  ASSERT_TRUE(ref.steps(data, 6).ok());
  bad.c.nan_at_step = 6;
  TrainRunResult r;
  Status st = bad.steps(data, 10, &r);
  EXPECT_EQ(st.code, "E_NON_FINITE");
  EXPECT_EQ(bad.s.step, 6u);
  EXPECT_EQ(0, std::memcmp(ref.params.data(), bad.params.data(), ref.params.size() * 4));
  EXPECT_EQ(0, std::memcmp(ref.hidden.data(), bad.hidden.data(), ref.hidden.size() * 4));
}

// An update that overflows has written part of the new state when it is caught: the state
// (parameters, Adam moments, stream states, counters, best model) is put back to the last
// good step, bitwise, under SGD and Adam, 1 and 2 threads.
TEST(Train, NonFiniteUpdateLeavesTheLastGoodState) {
  auto data = text(400, 6);
  for (bool adam : {false, true}) {
    for (int threads : {1, 2}) {
      for (int64_t at : {2, 3, 9}) {  // the call's first step, its second, a later one
        TrainConfig c = adam ? scale_like(8, threads) : study_like(8);
        c.end = data.size();
        Trainer ref(c, 5), bad(c, 5);
        ASSERT_TRUE(ref.steps(data, 2).ok());  // the call starts at step 2, not 0
        ASSERT_TRUE(bad.steps(data, 2).ok());
        ASSERT_TRUE(ref.steps(data, uint64_t(at - 2)).ok());
        bad.c.overflow_at_step = at;
        TrainRunResult r;
        EXPECT_EQ(bad.steps(data, 20, &r).code, "E_NON_FINITE");
        const uint64_t good = uint64_t(at);
        EXPECT_EQ(bad.s.step, good);
        EXPECT_EQ(r.steps, good - 2);
        EXPECT_EQ(0, std::memcmp(ref.params.data(), bad.params.data(), ref.params.size() * 4)) << adam << threads << at;
        EXPECT_EQ(0, std::memcmp(ref.hidden.data(), bad.hidden.data(), ref.hidden.size() * 4));
        if (adam) {
          EXPECT_EQ(0, std::memcmp(ref.m.data(), bad.m.data(), ref.m.size() * 4));
          EXPECT_EQ(0, std::memcmp(ref.v.data(), bad.v.data(), ref.v.size() * 4));
        } else {
          EXPECT_EQ(0, std::memcmp(ref.best.data(), bad.best.data(), ref.best.size() * 4));
          EXPECT_EQ(ref.s.cycle_nats, bad.s.cycle_nats);
          EXPECT_EQ(ref.s.best_bpc, bad.s.best_bpc);
        }
        for (float p : bad.params) ASSERT_TRUE(std::isfinite(p));
      }
    }
  }
}

TEST(Train, DivergingLearningRateIsCaughtAsNonFinite) {
  auto data = text(300, 4);
  TrainConfig c = study_like(8);
  c.end = data.size();
  c.clip = 0;
  c.lr = 1e37;
  Trainer run(c, 9);
  TrainRunResult r;
  Status st = run.steps(data, 50, &r);
  EXPECT_EQ(st.code, "E_NON_FINITE");
  EXPECT_LT(run.s.step, 50u);
}

// The flag is polled inside a step (a step can take a minute at a large batch and H): a step
// cancelled part-way is dropped, and the state stays bitwise that of the last full step.
TEST(Train, CancelInsideAStepDropsIt) {
  auto data = text(300, 5);
  for (int threads : {1, 2}) {
    TrainConfig c = scale_like(8, threads);
    c.end = data.size();
    Trainer run(c, 1);
    ASSERT_TRUE(run.steps(data, 3).ok());
    const std::vector<float> params = run.params, m = run.m, hidden = run.hidden;
    int32_t flag = 1;
    TrainRunResult r;
    ASSERT_TRUE(run.steps(data, 1000, &r, &flag).ok());
    EXPECT_TRUE(r.cancelled);
    EXPECT_EQ(r.steps, 0u);
    EXPECT_EQ(run.s.step, 3u);
    EXPECT_EQ(run.params, params);
    EXPECT_EQ(run.m, m);
    EXPECT_EQ(run.hidden, hidden);
  }
}

TEST(Train, StudyScheduleAndWindows) {
  TrainConfig c = study_like(8);
  c.lr = 0.01;
  c.epochs = 4000;
  c.window = 50;
  c.begin = 0;
  c.end = 1024;
  EXPECT_EQ(windows_per_cycle(1024, 50, true), 21u);   // 20 full windows + 23 positions
  EXPECT_EQ(windows_per_cycle(1024, 50, false), 20u);
  const double pi = std::acos(-1.0);
  EXPECT_DOUBLE_EQ(learning_rate(c, 0), 0.01 * 0.5 * (1 + std::cos(pi * 1 / 4000)));  // epoch 1
  EXPECT_DOUBLE_EQ(learning_rate(c, 21 * 1999), 0.01 * 0.5 * (1 + std::cos(pi * 2000 / 4000)));
  EXPECT_DOUBLE_EQ(learning_rate(c, 21 * 3999), 1e-4);  // the floor
}

TEST(Train, WarmupCosineSchedule) {
  TrainConfig c = scale_like(8, 1);
  c.schedule = Schedule::warmup_cosine;
  c.lr = 2e-3;
  c.min_lr = 1e-4;
  c.warmup = 100;
  c.horizon = 1100;
  const double pi = std::acos(-1.0);
  EXPECT_DOUBLE_EQ(learning_rate(c, 0), 2e-3 / 100);  // linear warm-up from lr/warmup
  EXPECT_DOUBLE_EQ(learning_rate(c, 49), 2e-3 * 50 / 100);
  EXPECT_DOUBLE_EQ(learning_rate(c, 100), 2e-3);  // the cosine's top
  EXPECT_DOUBLE_EQ(learning_rate(c, 350), 1e-4 + (2e-3 - 1e-4) * 0.5 * (1 + std::cos(pi * 0.25)));
  EXPECT_DOUBLE_EQ(learning_rate(c, 1100), 1e-4);  // the floor at the horizon and after it
  EXPECT_DOUBLE_EQ(learning_rate(c, 5000), 1e-4);
  c.decay_start = 900;  // constant until the last fifth, then the cosine
  EXPECT_DOUBLE_EQ(learning_rate(c, 899), 2e-3);
  EXPECT_DOUBLE_EQ(learning_rate(c, 950), 1e-4 + (2e-3 - 1e-4) * 0.5 * (1 + std::cos(pi * 0.25)));
  EXPECT_DOUBLE_EQ(learning_rate(c, 1100), 1e-4);
  c.decay_start = 0;
  c.horizon = 50;  // a horizon inside the warm-up: the warm-up still runs, then the floor
  EXPECT_DOUBLE_EQ(learning_rate(c, 99), 2e-3);
  EXPECT_DOUBLE_EQ(learning_rate(c, 101), 1e-4);
}

TEST(Train, LearnsARepetitiveText) {
  auto data = text(1024, 6);
  for (int variant = 0; variant < 2; ++variant) {
    TrainConfig c = variant == 0 ? study_like(32) : scale_like(32, 2);
    c.end = data.size();
    if (variant == 0) { c.epochs = 60; c.lr = 0.05; c.window = 50; }
    Trainer run(c, 11);
    TrainRunResult first, last;
    ASSERT_TRUE(run.steps(data, 20, &first).ok());
    ASSERT_TRUE(run.steps(data, 1000, &last).ok());
    const double b0 = first.nats / first.positions / std::log(2.0), b1 = last.nats / last.positions / std::log(2.0);
    EXPECT_LT(b1, 0.6 * b0) << "variant " << variant << ": " << b0 << " → " << b1;
    if (variant == 0) {
      EXPECT_TRUE(std::isfinite(run.s.best_bpc));
      EXPECT_GT(run.s.best_step, 0u);
      // The kept parameters score the bpc recorded for them within rounding: best ≤ every later epoch.
      EXPECT_LE(run.s.best_bpc, last.last_cycle_bpc + 1e-4);
    }
  }
}

TEST(Train, StepsEqualAHandWrittenLoopOverWindowBackward) {
  // The loop's bookkeeping (stream windows, resets, partial refresh of the forward weights,
  // reduction, clipping, SGD) against the plain composition of the pieces, bitwise.
  auto data = text(263, 8);
  TrainConfig c;
  c.H = 6;
  c.streams = 2;
  c.window = 9;
  c.lr = 0.3;
  c.clip = 0.5;  // small: the clip is active
  c.end = data.size();
  Trainer run(c, 12);
  std::vector<float> p = run.params, h(size_t(c.streams) * c.H, 0.0f);
  const Kernels& k = *default_kernels(nullptr);
  const size_t n = param_count(c.H);
  const uint64_t W = windows_per_cycle(data.size(), c.window, false);
  for (uint64_t step = 0; step < 2 * W + 3; ++step) {
    auto m = param_views<const float>(p.data(), c.H);
    ForwardWeights w = prepare_forward(k, m);
    std::vector<float> g(n, 0.0f), raw(n);
    std::vector<uint8_t> xs(size_t(c.window) * c.streams), ys(xs.size());
    for (int b = 0; b < c.streams; ++b) {
      const uint64_t win = (uint64_t(b) * W / c.streams + step) % W;
      if (win == 0) std::fill(h.begin() + b * c.H, h.begin() + (b + 1) * c.H, 0.0f);
      for (int t = 0; t < c.window; ++t) {
        xs[size_t(t) * c.streams + b] = data[win * c.window + t];
        ys[size_t(t) * c.streams + b] = data[win * c.window + t + 1];
      }
    }
    WindowBuffers buf;
    window_backward(k, w, c.window, c.streams, xs.data(), ys.data(), h.data(),
                    float(1.0 / (double(c.streams) * c.window)), &buf, param_views<float>(g.data(), c.H));
    bi_test::grads_to_raw(c.H, g.data(), raw.data());
    const double norm = std::sqrt(sum_squares(k, g.data(), n));
    sgd_update(p.data(), raw.data(), n, c.lr, clip_scale(norm, c.clip));
  }
  ASSERT_TRUE(run.steps(data, 2 * W + 3).ok());
  EXPECT_EQ(0, std::memcmp(p.data(), run.params.data(), n * 4));
  EXPECT_EQ(0, std::memcmp(h.data(), run.hidden.data(), h.size() * 4));
}

// The phase timers of bench_train --phases: off, nothing is recorded; on, every step is
// recorded, each phase is entered as often as the configuration does that work (reduce only
// with several groups), and the weights are bitwise those of a run without timers.
TEST(Train, StepPhasesRecordEveryStepAndLeaveTheWeightsAlone) {
  namespace sp = step_phases;
  auto data = text(700, 4);
  for (int threads : {1, 2}) {
    TrainConfig c = scale_like(16, threads);  // 5 streams, window 8
    c.end = data.size();
    Trainer plain(c, 9), timed(c, 9);
    ASSERT_TRUE(plain.steps(data, 7).ok());
    EXPECT_EQ(sp::take_summary().steps, 0);  // off by default
    sp::enable(true);
    ASSERT_TRUE(timed.steps(data, 7).ok());
    const sp::Summary s = sp::take_summary();
    sp::enable(false);
    EXPECT_EQ(0, std::memcmp(plain.params.data(), timed.params.data(), plain.params.size() * 4));
    EXPECT_EQ(s.steps, 7);
    EXPECT_GT(s.step_us, 0.0);
    const int64_t groups = threads, windows = 7 * groups;
    EXPECT_EQ(s.calls[sp::kRecurrence], windows * 8);
    EXPECT_EQ(s.calls[sp::kTanh], windows * 8);
    EXPECT_EQ(s.calls[sp::kTanhGrad], windows * 8);
    EXPECT_EQ(s.calls[sp::kRecurrenceBack], windows * 7);  // none for the window's first step
    for (sp::Phase p : {sp::kInputs, sp::kReadout, sp::kSoftmax, sp::kGradWy, sp::kGradH, sp::kGradWh, sp::kGradWx})
      EXPECT_EQ(s.calls[p], windows) << sp::name(p);  // ≤ 256 rows: one output chunk
    EXPECT_EQ(s.calls[sp::kWeightCopies], 7);
    EXPECT_EQ(s.calls[sp::kNorm], 7);
    EXPECT_EQ(s.calls[sp::kReduce], threads > 1 ? 7 : 0);
    EXPECT_EQ(s.calls[sp::kUpdate], 7 * (threads > 1 ? 4 * threads : 1));  // update chunks
  }
}
