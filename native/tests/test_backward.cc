// The backward pass against a float64 reference: the reference's gradient is checked
// against central finite differences for every tensor, then window_backward (every ISA,
// odd sizes, batch 1 and several streams) is checked against the reference, and the SIMD
// tables against scalar.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>

#include "bi/rnn.h"
#include "reference.h"

using namespace bi;

namespace {

// A window problem: T steps, B streams, bytes xs/ys (row t·B + b), initial states h0.
struct Problem {
  int H, T, B;
  std::vector<uint8_t> xs, ys;
  std::vector<float> h0;
  double scale;
};

Problem make_problem(int H, int T, int B, uint32_t seed) {
  std::mt19937 rng(seed);
  Problem p{H, T, B, {}, {}, {}, 1.0 / (double(T) * B)};
  const char* alphabet = "ab <>e\n";
  std::vector<uint8_t> stream(size_t(T + 1) * B);
  for (auto& c : stream) c = uint8_t(rng() % 5 == 0 ? rng() % 256 : alphabet[rng() % 7]);
  p.xs.resize(size_t(T) * B);
  p.ys.resize(size_t(T) * B);
  for (int b = 0; b < B; ++b)
    for (int t = 0; t < T; ++t) {
      p.xs[size_t(t) * B + b] = stream[size_t(b) * (T + 1) + t];
      p.ys[size_t(t) * B + b] = stream[size_t(b) * (T + 1) + t + 1];
    }
  std::uniform_real_distribution<float> u(-0.9f, 0.9f);
  p.h0.resize(size_t(B) * H);
  for (auto& v : p.h0) v = u(rng);
  return p;
}

// Float64 reference: loss = scale·Σ −ln p, and (if grad) its gradient in the raw layout.
double reference_loss(const Problem& pr, const std::vector<double>& P, std::vector<double>* grad) {
  const int H = pr.H, T = pr.T, B = pr.B;
  const double* Wx = P.data();
  const double* Wh = Wx + size_t(H) * kVocab;
  const double* bh = Wh + size_t(H) * H;
  const double* Wy = bh + H;
  const double* by = Wy + size_t(kVocab) * H;
  double loss = 0;
  if (grad) grad->assign(P.size(), 0.0);
  for (int b = 0; b < B; ++b) {
    std::vector<std::vector<double>> hs(T + 1, std::vector<double>(H));
    for (int i = 0; i < H; ++i) hs[0][i] = pr.h0[size_t(b) * H + i];
    std::vector<std::vector<double>> dlog(T, std::vector<double>(kVocab));
    for (int t = 0; t < T; ++t) {
      const int x = pr.xs[size_t(t) * B + b], y = pr.ys[size_t(t) * B + b];
      for (int i = 0; i < H; ++i) {
        double z = bh[i] + Wx[size_t(i) * kVocab + x];
        for (int j = 0; j < H; ++j) z += Wh[size_t(i) * H + j] * hs[t][j];
        hs[t + 1][i] = std::tanh(z);
      }
      std::vector<double> lg(kVocab);
      double mx = -1e300;
      for (int o = 0; o < kVocab; ++o) {
        double s = by[o];
        for (int j = 0; j < H; ++j) s += Wy[size_t(o) * H + j] * hs[t + 1][j];
        lg[o] = s;
        mx = std::max(mx, s);
      }
      double sum = 0;
      for (int o = 0; o < kVocab; ++o) sum += std::exp(lg[o] - mx);
      loss += pr.scale * (mx + std::log(sum) - lg[y]);
      for (int o = 0; o < kVocab; ++o) dlog[t][o] = pr.scale * (std::exp(lg[o] - mx) / sum - (o == y));
    }
    if (!grad) continue;
    double* gWx = grad->data();
    double* gWh = gWx + size_t(H) * kVocab;
    double* gbh = gWh + size_t(H) * H;
    double* gWy = gbh + H;
    double* gby = gWy + size_t(kVocab) * H;
    std::vector<double> dnext(H, 0.0), dz(H);
    for (int t = T - 1; t >= 0; --t) {
      const int x = pr.xs[size_t(t) * B + b];
      std::vector<double> dh(dnext);
      for (int o = 0; o < kVocab; ++o) {
        gby[o] += dlog[t][o];
        for (int j = 0; j < H; ++j) {
          gWy[size_t(o) * H + j] += dlog[t][o] * hs[t + 1][j];
          dh[j] += dlog[t][o] * Wy[size_t(o) * H + j];
        }
      }
      for (int i = 0; i < H; ++i) dz[i] = dh[i] * (1 - hs[t + 1][i] * hs[t + 1][i]);
      for (int i = 0; i < H; ++i) {
        gbh[i] += dz[i];
        gWx[size_t(i) * kVocab + x] += dz[i];
        for (int j = 0; j < H; ++j) gWh[size_t(i) * H + j] += dz[i] * hs[t][j];
      }
      std::fill(dnext.begin(), dnext.end(), 0.0);
      for (int i = 0; i < H; ++i)
        for (int j = 0; j < H; ++j) dnext[j] += Wh[size_t(i) * H + j] * dz[i];
    }
  }
  return loss;
}

std::vector<float> kernel_grad(const Kernels& k, const Problem& pr, const std::vector<float>& params,
                               double* loss) {
  const int H = pr.H;
  auto m = param_views<const float>(params.data(), H);
  ForwardWeights w = prepare_forward(k, m);
  std::vector<float> g(param_count(H), 0.0f), raw(param_count(H));
  std::vector<float> h = pr.h0;
  WindowBuffers buf;
  const double nats = window_backward(k, w, pr.T, pr.B, pr.xs.data(), pr.ys.data(), h.data(),
                                      float(pr.scale), &buf, param_views<float>(g.data(), H));
  if (loss) *loss = nats * pr.scale;
  bi_test::grads_to_raw(H, g.data(), raw.data());
  return raw;
}

const char* tensor_of(size_t i, int H) {
  const size_t wx = size_t(H) * kVocab, wh = wx + size_t(H) * H, bh = wh + H, wy = bh + size_t(kVocab) * H;
  return i < wx ? "Wx" : i < wh ? "Wh" : i < bh ? "bh" : i < wy ? "Wy" : "by";
}

}  // namespace

TEST(Backward, ReferenceMatchesCentralFiniteDifferencesForEveryTensor) {
  for (int B : {1, 3}) {
    const int H = 5, T = 6;
    Problem pr = make_problem(H, T, B, 7 + B);
    auto pf = bi_test::random_params(H, 3 + B, 0.6f);
    std::vector<double> P(pf.begin(), pf.end()), g;
    reference_loss(pr, P, &g);
    int checked[5] = {0, 0, 0, 0, 0}, nonzero = 0;
    const double eps = 1e-5;
    for (size_t i = 0; i < P.size(); ++i) {
      const double keep = P[i];
      P[i] = keep + eps;
      const double lp = reference_loss(pr, P, nullptr);
      P[i] = keep - eps;
      const double lm = reference_loss(pr, P, nullptr);
      P[i] = keep;
      const double fd = (lp - lm) / (2 * eps);
      ASSERT_NEAR(g[i], fd, 1e-8 + 1e-6 * std::fabs(fd)) << tensor_of(i, H) << " index " << i << " B=" << B;
      const char* t = tensor_of(i, H);
      checked[t[0] == 'W' ? (t[1] == 'x' ? 0 : t[1] == 'h' ? 1 : 3) : (t[1] == 'h' ? 2 : 4)]++;
      if (std::fabs(fd) > 1e-6) ++nonzero;
    }
    for (int c : checked) EXPECT_GT(c, 0);
    EXPECT_GT(nonzero, 100);  // the check is not vacuous
  }
}

TEST(Backward, EveryIsaMatchesTheFloat64Reference) {
  for (int H : {1, 5, 17, 33, 128}) {
    for (int B : {1, 2, 5}) {
      for (int T : {1, 7, 50}) {
        if (H == 128 && T == 50 && B == 5) continue;  // the reference is O(T·B·H·256): keep it fast
        Problem pr = make_problem(H, T, B, 100 + H * 7 + B * 3 + T);
        auto pf = bi_test::random_params(H, 200 + H + B, std::min(0.5f, 1.5f / std::sqrt(float(H))));
        std::vector<double> P(pf.begin(), pf.end()), ref;
        const double ref_loss = reference_loss(pr, P, &ref);
        double gmax = 0;
        for (double v : ref) gmax = std::max(gmax, std::fabs(v));
        for (const Kernels* k : bi_test::all_kernels()) {
          double loss = 0;
          auto g = kernel_grad(*k, pr, pf, &loss);
          EXPECT_NEAR(loss, ref_loss, 1e-5 * (1 + ref_loss)) << k->name << " H=" << H << " B=" << B << " T=" << T;
          for (size_t i = 0; i < g.size(); ++i)
            ASSERT_NEAR(g[i], ref[i], 2e-4 * gmax + 1e-7)
                << k->name << " " << tensor_of(i, H) << " index " << i << " H=" << H << " B=" << B << " T=" << T;
        }
      }
    }
  }
}

TEST(Backward, SimdMatchesScalar) {
  const Kernels* scalar = kernels_for(Isa::scalar);
  for (const Kernels* k : bi_test::simd_kernels()) {
    for (int H : {3, 8, 15, 16, 17, 64, 128}) {
      for (int B : {1, 4, 7}) {
        Problem pr = make_problem(H, 50, B, 300 + H + B);
        auto pf = bi_test::random_params(H, 400 + H, std::min(0.5f, 1.5f / std::sqrt(float(H))));
        double ls = 0, lk = 0;
        auto gs = kernel_grad(*scalar, pr, pf, &ls);
        auto gk = kernel_grad(*k, pr, pf, &lk);
        double gmax = 0;
        for (float v : gs) gmax = std::max(gmax, double(std::fabs(v)));
        EXPECT_NEAR(lk, ls, 1e-5 * (1 + ls));
        for (size_t i = 0; i < gs.size(); ++i)
          ASSERT_NEAR(gk[i], gs[i], 1e-4 * gmax) << k->name << " " << tensor_of(i, H) << " H=" << H << " B=" << B;
      }
    }
  }
}

// window_backward runs the forward pass through window_forward: the states it leaves are
// bitwise those of window_forward alone, under every ISA, for one stream and several.
TEST(Backward, WindowCarriesTheFinalStates) {
  for (const Kernels* k : bi_test::all_kernels()) {
    for (int B : {1, 2}) {
      const int H = 9, T = 4;
      Problem pr = make_problem(H, T, B, 5);
      auto pf = bi_test::random_params(H, 6, 0.4f);
      auto m = param_views<const float>(pf.data(), H);
      ForwardWeights w = prepare_forward(*k, m);
      std::vector<float> g(param_count(H), 0.0f), h = pr.h0;
      std::vector<float> z(size_t(T) * B * H), hf(size_t(T) * B * H);
      WindowBuffers buf;
      window_backward(*k, w, T, B, pr.xs.data(), pr.ys.data(), h.data(), 1.0f, &buf, param_views<float>(g.data(), H));
      window_forward(*k, w, T, B, pr.xs.data(), pr.h0.data(), z.data(), hf.data());
      EXPECT_EQ(0, std::memcmp(h.data(), hf.data() + size_t(T - 1) * B * H, sizeof(float) * h.size())) << k->name;
      EXPECT_NE(h, pr.h0);
    }
  }
}
