// φ fitting on frozen states: the (α, s) grid search of the analytic readout and the
// full-batch gradient descent of the optimised one. Both split the rows into a fixed
// number of slices reduced in order, so results do not depend on the thread count.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "bi/construct.h"
#include "bi/threadpool.h"

namespace bi {
namespace {

constexpr int kSlices = 8;
constexpr uint64_t kRowsPerBlock = 256;

uint64_t slice_begin(uint64_t S, int i) { return S * uint64_t(i) / kSlices; }

}  // namespace

Status phi_grid(const PhiCounts& c, const float* by, const float* states, const uint8_t* targets,
                uint64_t S, const std::vector<double>& alphas, const std::vector<double>& scales,
                const PhiGridOptions& options, std::vector<double>* bits) {
  if (!options.kernels) return Status::Error("E_NATIVE", "phi_grid: no kernels");
  const Kernels& k = *options.kernels;
  const int H = kPhiHidden;
  const size_t na = alphas.size(), ns = scales.size();
  bits->assign(na * ns, 0.0);
  ThreadPool pool(std::max(1, options.threads));
  std::vector<float> L(size_t(kVocab) * H), LT(size_t(H) * kVocab);
  std::vector<double> slice_bits(size_t(kSlices) * ns);
  for (size_t a = 0; a < na; ++a) {
    phi_log_ratios(c, alphas[a], L.data());
    for (int o = 0; o < kVocab; ++o)
      for (int i = 0; i < H; ++i) LT[size_t(i) * kVocab + o] = L[size_t(o) * H + i];
    std::fill(slice_bits.begin(), slice_bits.end(), 0.0);
    pool.run(kSlices, [&](int sl) {
      std::vector<float> U(kRowsPerBlock * kVocab), logits(kVocab);
      double* acc = slice_bits.data() + size_t(sl) * ns;
      const uint64_t r1 = slice_begin(S, sl + 1);
      for (uint64_t r0 = slice_begin(S, sl); r0 < r1; r0 += kRowsPerBlock) {
        if (options.control.cancelled()) return;
        const int R = int(std::min(kRowsPerBlock, r1 - r0));
        k.gemm_nn(R, kVocab, H, states + r0 * H, H, LT.data(), kVocab, U.data(), kVocab, false);
        for (int r = 0; r < R; ++r) {
          const float* u = U.data() + size_t(r) * kVocab;
          for (size_t si = 0; si < ns; ++si) {
            const float s = float(scales[si]);
            for (int o = 0; o < kVocab; ++o) logits[o] = by[o] + s * u[o];
            acc[si] += floored_bits(k.logsoftmax_xent(kVocab, logits.data(), targets[r0 + r], nullptr, 1.0f));
          }
        }
      }
    });
    if (options.control.cancelled()) return Status::Error("E_ABORTED", "grid search cancelled");
    for (int sl = 0; sl < kSlices; ++sl)
      for (size_t si = 0; si < ns; ++si) (*bits)[a * ns + si] += slice_bits[size_t(sl) * ns + si];
    options.control.report(double(a + 1), double(na));
  }
  return Status::Ok();
}

Status phi_fit_readout(const float* states, const uint8_t* targets, uint64_t S, const PhiFitOptions& options,
                       float* Wy, float* by, std::vector<double>* loss) {
  if (!options.kernels) return Status::Error("E_NATIVE", "phi_fit_readout: no kernels");
  if (S == 0) return Status::Error("E_CORPUS_TOO_SHORT", "no positions to fit the readout on");
  const Kernels& k = *options.kernels;
  const int H = kPhiHidden;
  std::vector<float> WyT(size_t(H) * kVocab);
  for (int o = 0; o < kVocab; ++o)
    for (int i = 0; i < H; ++i) WyT[size_t(i) * kVocab + o] = Wy[size_t(o) * H + i];
  // Per slice: gradient of WyT and by (summed over its rows, already divided by S) and loss.
  std::vector<float> gW(size_t(kSlices) * H * kVocab), gb(size_t(kSlices) * kVocab);
  std::vector<double> sl_loss(kSlices);
  ThreadPool pool(std::max(1, options.threads));
  const float inv = float(1.0 / double(S));
  loss->clear();
  double lr = options.lr;
  for (int e = 0; e < options.epochs; ++e) {
    if (std::find(options.milestones.begin(), options.milestones.end(), e) != options.milestones.end())
      lr *= options.decay;
    std::fill(gW.begin(), gW.end(), 0.0f);
    std::fill(gb.begin(), gb.end(), 0.0f);
    pool.run(kSlices, [&](int sl) {
      std::vector<float> logits(kRowsPerBlock * kVocab);
      float* gw = gW.data() + size_t(sl) * H * kVocab;
      float* g = gb.data() + size_t(sl) * kVocab;
      double l = 0;
      const uint64_t r1 = slice_begin(S, sl + 1);
      for (uint64_t r0 = slice_begin(S, sl); r0 < r1; r0 += kRowsPerBlock) {
        if (options.control.cancelled()) break;
        const int R = int(std::min(kRowsPerBlock, r1 - r0));
        for (int r = 0; r < R; ++r) std::memcpy(logits.data() + size_t(r) * kVocab, by, sizeof(float) * kVocab);
        k.gemm_nn(R, kVocab, H, states + r0 * H, H, WyT.data(), kVocab, logits.data(), kVocab, true);
        for (int r = 0; r < R; ++r) {
          float* lr_row = logits.data() + size_t(r) * kVocab;
          l += k.logsoftmax_xent(kVocab, lr_row, targets[r0 + r], lr_row, inv);
          k.axpy(kVocab, 1.0f, lr_row, g);
        }
        // dWyT += statesᵀ · dlogits
        k.gemm_tn(H, kVocab, R, states + r0 * H, H, logits.data(), kVocab, gw, kVocab);
      }
      sl_loss[sl] = l;
    });
    if (options.control.cancelled()) return Status::Error("E_ABORTED", "readout fit cancelled");
    double l = 0;
    for (int sl = 0; sl < kSlices; ++sl) {
      l += sl_loss[sl];
      if (sl > 0) {
        k.axpy(H * kVocab, 1.0f, gW.data() + size_t(sl) * H * kVocab, gW.data());
        k.axpy(kVocab, 1.0f, gb.data() + size_t(sl) * kVocab, gb.data());
      }
    }
    loss->push_back(l / double(S));
    if (!std::isfinite(l)) return Status::Error("E_NON_FINITE", "readout fit diverged at epoch " + std::to_string(e));
    k.axpy(H * kVocab, float(-lr), gW.data(), WyT.data());
    k.axpy(kVocab, float(-lr), gb.data(), by);
    if ((e + 1) % 10 == 0) options.control.report(double(e + 1), double(options.epochs));
  }
  for (int o = 0; o < kVocab; ++o)
    for (int i = 0; i < H; ++i) Wy[size_t(o) * H + i] = WyT[size_t(i) * kVocab + o];
  return Status::Ok();
}

}  // namespace bi
