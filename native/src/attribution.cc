// Temporal attribution (attribution.h). The counterfactual reruns short variant streams from
// stored states (variant_pass); the Jacobian runs the training backward's kernels over blocks
// of consecutive positions: readout GEMM, softmax gradient, dlogits·Wy, then for each offset
// one GEMM with Wh and tanh_grad against the states one step earlier. Rows of a block are
// consecutive positions, so the states each offset needs are consecutive trajectory rows.
#include "bi/attribution.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>

#include "bi/threadpool.h"
#include "bi/variant_pass.h"

namespace bi {
namespace {

constexpr int kBlock = 256;  // positions per block: the GEMMs' M

Status check_common(const ModelView& m, const Trajectory& traj, uint64_t size, const AttributionOptions& opt) {
  Status st = check_hidden(m.H);
  if (!st.ok()) return st;
  if (!opt.kernels) return Status::Error("E_NATIVE", "no kernels selected");
  if (opt.threads < 1 || opt.threads > 256) return Status::Error("E_OPTION", "threads must be in 1…256");
  if (opt.max_offset < 1 || opt.max_offset > 256) return Status::Error("E_OPTION", "max offset must be in 1…256");
  if (traj.H != m.H) return Status::Error("E_SHAPE", "trajectory and model differ in H");
  return check_rows(traj, size, 0, "attribution");
}

}  // namespace

Status counterfactual(const ModelView& m, const uint8_t* data, uint64_t size, const Trajectory& traj,
                      const std::vector<uint64_t>& positions, const AttributionOptions& opt, CounterfactualResult* out) {
  Status st = check_common(m, traj, size, opt);
  if (!st.ok()) return st;
  const int D = opt.max_offset;
  const uint64_t stop = traj.first + traj.rows;
  for (uint64_t t : positions)
    if (t < traj.first || t >= stop || t + 1 >= size)
      return Status::Error("E_RANGE", "counterfactual position " + std::to_string(t) + " is outside the trajectory [" +
                                          std::to_string(traj.first) + ", " + std::to_string(std::min(stop, size - 1)) + ")");
  // The state before consuming byte s: h_{s−1}, the zero state at the trajectory's start.
  auto state_before = [&](uint64_t s) -> const float* { return s == traj.first ? nullptr : traj.row(s - 1); };
  std::vector<VariantStream> streams;
  std::vector<int64_t> slot;  // index into alpha, or −1 − i for the base of position i
  for (size_t i = 0; i < positions.size(); ++i) {
    const uint64_t t = positions[i];
    VariantStream base;
    base.begin = t;
    base.steps = 1;
    base.score_begin = t;
    base.score_end = t + 1;
    base.h0 = state_before(t);
    streams.push_back(base);
    slot.push_back(-1 - int64_t(i));
    for (int d = 1; d <= D; ++d) {
      if (t + 1 < traj.first + uint64_t(d)) break;  // x_{t+1−d} precedes the trajectory
      const uint64_t s = t + 1 - d;
      VariantStream v = base;
      v.begin = s;
      v.steps = d;
      v.h0 = state_before(s);
      v.replace_at = int64_t(s);
      v.replace_byte = uint8_t(data[s] ^ 0x80);  // (x + 128) mod 256
      streams.push_back(v);
      slot.push_back(int64_t(i) * D + d - 1);
    }
  }
  VariantResult vr;
  st = variant_pass(m, data, size, streams, variant_options(opt), &vr);
  if (!st.ok()) return st;
  out->alpha.assign(positions.size() * D, std::numeric_limits<double>::quiet_NaN());
  out->bits.assign(positions.size(), 0.0);
  for (size_t k = 0; k < streams.size(); ++k)
    if (slot[k] < 0) out->bits[size_t(-1 - slot[k])] = vr.bits[k];
  for (size_t k = 0; k < streams.size(); ++k)
    if (slot[k] >= 0) out->alpha[size_t(slot[k])] = vr.bits[k] - out->bits[size_t(slot[k]) / D];
  return Status::Ok();
}

Status jacobian_attribution(const ModelView& m, const uint8_t* data, uint64_t size, const Trajectory& traj,
                            const JacobianOptions& opt, JacobianResult* out) {
  Status st = check_common(m, traj, size, opt);
  if (!st.ok()) return st;
  const int H = m.H, D = opt.max_offset;
  const Kernels& k = *opt.kernels;
  const uint64_t begin = traj.begin, end = std::min(traj.end, size - 1);  // t + 1 < size
  if (end <= begin) return Status::Error("E_CORPUS_TOO_SHORT", "attribution: no positions");
  const ForwardWeights w = prepare_forward(k, m);
  // Input columns without the bias: WxT[x] = Wx[:, x].
  AlignedVector<float> wxt(size_t(kVocab) * H);
  k.transpose(H, kVocab, m.Wx, kVocab, wxt.data(), H);

  const uint64_t nblocks = (end - begin + kBlock - 1) / kBlock;
  // Per-block sums, reduced in block order afterwards: the same result for any thread count.
  std::vector<double> sums(nblocks * D * 3, 0.0);
  std::vector<uint64_t> counts(nblocks * D, 0);
  struct Scratch {
    AlignedVector<float> logits, a, b;
    std::vector<double> sums;
    std::vector<uint64_t> counts;
  };
  std::vector<Scratch> scratch(opt.threads);
  for (auto& s : scratch) {
    s.logits.resize(size_t(kBlock) * kVocab);
    s.a.resize(size_t(kBlock) * H);
    s.b.resize(size_t(kBlock) * H);
    s.sums.resize(size_t(D) * 3);
    s.counts.resize(size_t(D));
  }
  static const float kLog2e = float(1.0 / std::log(2.0));

  auto run_block = [&](uint64_t blk, Scratch& sc) {
    const uint64_t t0 = begin + blk * kBlock;
    const int P = int(std::min<uint64_t>(kBlock, end - t0));
    const float* h = traj.row(t0);
    float* logits = sc.logits.data();
    readout_logits(k, w, P, h, logits);  // P ≤ kBlock = kReadoutRows
    // dlogits = −(softmax − onehot)/ln 2 = ∂log2 p/∂logits, in place.
    for (int r = 0; r < P; ++r) {
      float* lr = logits + size_t(r) * kVocab;
      k.logsoftmax_xent(kVocab, lr, data[t0 + r + 1], lr, -kLog2e);
    }
    float* cur = sc.a.data();
    float* nxt = sc.b.data();
    k.gemm_nn(P, H, kVocab, logits, kVocab, w.Wyp.data(), w.ldh, nxt, H, false);  // ∂/∂h_t
    k.tanh_grad(P * H, nxt, nullptr, h, cur);                                     // ∂/∂z_t (d = 1)
    // The block's sums stay in the thread's scratch and are stored once, at the end: no line
    // of the shared arrays is written by two threads while they run.
    double* bsum = sc.sums.data();
    uint64_t* bcount = sc.counts.data();
    std::fill(sc.sums.begin(), sc.sums.end(), 0.0);
    std::fill(sc.counts.begin(), sc.counts.end(), uint64_t(0));
    for (int d = 1; d <= D; ++d) {
      // Row r (position t0 + r) reaches byte s = t0 + r + 1 − d; rows with s < first have no byte.
      const int64_t lo64 = int64_t(traj.first) + d - 1 - int64_t(t0);
      const int lo = int(std::max<int64_t>(0, lo64));
      if (lo >= P) break;
      if (d > 1) {
        // ∂/∂z_s = (∂/∂z_{s+1}·Wh) ⊙ (1 − h_s²), for rows lo … P − 1.
        k.gemm_nn(P - lo, H, H, cur + size_t(lo) * H, H, w.Whp.data(), w.ldh, nxt + size_t(lo) * H, H, false);
        k.tanh_grad((P - lo) * H, nxt + size_t(lo) * H, nullptr, traj.row(t0 + lo + 1 - d), cur + size_t(lo) * H);
      }
      const uint8_t* mask = opt.aligned ? opt.aligned + size_t(d - 1) * 65536 : nullptr;
      for (int r = lo; r < P; ++r) {
        const uint64_t t = t0 + r, s = t + 1 - d;
        const float a = k.dot(H, cur + size_t(r) * H, wxt.data() + size_t(data[s]) * H);
        if (opt.alpha) opt.alpha[(t - begin) * D + d - 1] = a;
        bsum[(d - 1) * 3] += a;
        bsum[(d - 1) * 3 + 1] += std::fabs(a);
        if (mask && mask[size_t(data[s]) * 256 + data[t + 1]]) bsum[(d - 1) * 3 + 2] += std::fabs(a);
        ++bcount[d - 1];
      }
      if (opt.alpha)
        for (int r = 0; r < lo; ++r) opt.alpha[(t0 + r - begin) * D + d - 1] = std::numeric_limits<float>::quiet_NaN();
    }
    std::copy(sc.sums.begin(), sc.sums.end(), sums.begin() + blk * D * 3);
    std::copy(sc.counts.begin(), sc.counts.end(), counts.begin() + blk * D);
    if (opt.alpha)  // offsets past the trajectory's start that the loop above did not reach
      for (int r = 0; r < P; ++r)
        for (int d = 1; d <= D; ++d)
          if (t0 + r + 1 < traj.first + uint64_t(d)) opt.alpha[(t0 + r - begin) * D + d - 1] = std::numeric_limits<float>::quiet_NaN();
  };

  // Blocks are taken from a shared counter, so a thread that the machine slows down leaves its
  // share to the others instead of holding up the round; each block's sums are its own, so the
  // result does not depend on which thread ran it.
  ThreadPool pool(opt.threads);
  const uint64_t per_round = uint64_t(16) * opt.threads;
  for (uint64_t b0 = 0; b0 < nblocks; b0 += per_round) {
    const uint64_t b1 = std::min(nblocks, b0 + per_round);
    std::atomic<uint64_t> next{b0};
    pool.run(opt.threads, [&](int th) {
      for (uint64_t b; (b = next.fetch_add(1, std::memory_order_relaxed)) < b1;) run_block(b, scratch[th]);
    });
    opt.control.report(double(b1), double(nblocks));
    if (opt.control.cancelled()) return Status::Error("E_ABORTED", "attribution cancelled");
  }
  out->positions = end - begin;
  out->count.assign(D, 0);
  out->sum.assign(D, 0.0);
  out->abs_sum.assign(D, 0.0);
  out->aligned_abs.assign(D, 0.0);
  for (uint64_t b = 0; b < nblocks; ++b)
    for (int d = 0; d < D; ++d) {
      out->count[d] += counts[b * D + d];
      out->sum[d] += sums[(b * D + d) * 3];
      out->abs_sum[d] += sums[(b * D + d) * 3 + 1];
      out->aligned_abs[d] += sums[(b * D + d) * 3 + 2];
    }
  for (double v : out->abs_sum)
    if (!std::isfinite(v)) return Status::Error("E_NON_FINITE", "attribution produced a non-finite value");
  return Status::Ok();
}

}  // namespace bi
