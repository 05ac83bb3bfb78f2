// Variant forward passes (variant_pass.h). Streams are sorted longest first and dealt into
// groups of at most kGroupRows rows; a group advances in chunks: the recurrence step by step
// (window_forward over the active rows, then each row's change), then one readout of the chunk's
// scored states. Groups run on the pool in rounds, between which progress and cancel are
// polled. Every stream's sums are its own; the grouping follows the thread count, and a group of
// one stream takes window_forward's gemv path, so results agree across thread counts up to rounding.
#include "bi/variant_pass.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <numeric>

#include "bi/eval.h"
#include "bi/threadpool.h"

namespace bi {
namespace {

constexpr int kGroupRows = 256;  // rows of the recurrence GEMM (the readout's: rnn.h kReadoutRows)

class Group {
 public:
  Group(const Kernels& k, const ForwardWeights& w, const uint8_t* data, const std::vector<VariantStream>& all,
        std::vector<int> ids, const StepHook& hook)
      : k_(k), w_(w), data_(data), all_(all), ids_(std::move(ids)), hook_(hook) {
    B_ = int(ids_.size());
    const int H = w_.H;
    max_steps_ = all_[ids_[0]].steps;
    chunk_steps_ = std::max(1, kReadoutRows / B_);
    h_.resize(size_t(chunk_steps_ + 1) * B_ * H);
    z_.resize(size_t(B_) * H);
    xs_.resize(B_);
    rows_.resize(size_t(kReadoutRows) * H);
    logits_.resize(size_t(kReadoutRows) * kVocab);
    nats_.resize(kReadoutRows);
    targets_.resize(kReadoutRows);
    row_stream_.resize(kReadoutRows);
    row_t_.resize(kReadoutRows);
    bits_.assign(B_, 0.0);
    positions_.assign(B_, 0);
    for (int id : ids_) sign_readout_ = sign_readout_ || all_[id].sign_readout;
    // Block 0 of h_ holds the state entering the chunk: h0 of each stream, or zeros.
    for (int b = 0; b < B_; ++b) {
      const VariantStream& s = all_[ids_[b]];
      float* dst = h_.data() + size_t(b) * H;
      if (s.h0) std::memcpy(dst, s.h0, sizeof(float) * H);
      else std::fill(dst, dst + H, 0.0f);
    }
  }

  bool done() const { return step_ >= max_steps_; }
  double bits(int b) const { return bits_[b]; }
  uint64_t positions(int b) const { return positions_[b]; }
  int stream(int b) const { return ids_[b]; }
  int rows() const { return B_; }

  // Runs one chunk: up to chunk_steps_ recurrence steps, then the readout of their scored states.
  void chunk(int slot) {
    const int H = w_.H;
    const size_t BH = size_t(B_) * H;
    const int n = int(std::min<uint64_t>(chunk_steps_, max_steps_ - step_));
    for (int j = 0; j < n; ++j) {
      const uint64_t s = step_ + j;
      const int active = each_active(j, [&](int b, const VariantStream& st, uint64_t t) {
        xs_[b] = int64_t(t) == st.replace_at ? st.replace_byte : data_[t];
      });
      float* hprev = h_.data() + size_t(j) * BH;
      float* hnext = h_.data() + size_t(j + 1) * BH;
      window_forward(k_, w_, 1, active, xs_.data(), hprev, z_.data(), hnext);
      for (int b = 0; b < active; ++b) {
        const float* z = z_.data() + size_t(b) * H;
        float* h = hnext + size_t(b) * H;
        change_row(all_[ids_[b]], s, z, h);
        if (hook_) hook_(slot, ids_[b], s, z, h);
      }
    }
    readout(n);
    for (int b = 0; b < B_; ++b) {  // the last state of a stream that ends in this chunk
      const VariantStream& st = all_[ids_[b]];
      if (st.h_last && st.steps > step_ && st.steps <= step_ + n)
        std::memcpy(st.h_last, h_.data() + size_t(st.steps - step_) * BH + size_t(b) * H, sizeof(float) * H);
    }
    std::memcpy(h_.data(), h_.data() + size_t(n) * BH, sizeof(float) * BH);  // carry the state
    step_ += n;
  }

 private:
  int active_at(uint64_t s) const {
    int n = 0;  // sorted by steps, longest first
    while (n < B_ && all_[ids_[n]].steps > s) ++n;
    return n;
  }

  // Calls f(b, stream, t) for each stream b active at step j of the chunk (t: the byte it
  // consumes there); returns how many are active.
  template <typename F>
  int each_active(int j, const F& f) const {
    const uint64_t s = step_ + j;
    const int active = active_at(s);
    for (int b = 0; b < active; ++b) f(b, all_[ids_[b]], all_[ids_[b]].begin + s);
    return active;
  }

  // The stream's change to the step just taken, then its captures.
  void change_row(const VariantStream& st, uint64_t s, const float* z, float* h) {
    const int H = w_.H;
    if (st.sign_only)
      for (int i = 0; i < H; ++i) h[i] = z[i] >= 0.0f ? 1.0f : -1.0f;
    if (st.mask)
      for (int i = 0; i < H; ++i) h[i] *= st.mask[i];
    if (st.preact) std::memcpy(st.preact + s * H, z, sizeof(float) * H);
    if (st.signs) k_.sign_bits(H, h, st.signs + s * sign_bytes(H));
  }

  // Gathers the scored states of the chunk's n steps into rows of at most kReadoutRows.
  void readout(int n) {
    const int H = w_.H;
    if (!sign_readout_ && all_scored(n)) {  // the chunk's states are already contiguous rows: no gathering
      int R = 0;
      for (int j = 0; j < n; ++j)
        for (int b = 0; b < B_; ++b, ++R) {
          const uint64_t t = all_[ids_[b]].begin + step_ + j;
          targets_[R] = data_[t + 1];
          row_stream_[R] = b;
          row_t_[R] = t;
        }
      score(R, h_.data() + size_t(B_) * H);
      return;
    }
    int R = 0;
    for (int j = 0; j < n; ++j) {
      each_active(j, [&](int b, const VariantStream& st, uint64_t t) {
        if (t < st.score_begin || t >= st.score_end) return;
        float* row = rows_.data() + size_t(R) * H;
        std::memcpy(row, h_.data() + (size_t(j + 1) * B_ + b) * H, sizeof(float) * H);
        if (st.sign_readout)
          for (int i = 0; i < H; ++i) row[i] = row[i] >= 0.0f ? 1.0f : -1.0f;
        targets_[R] = data_[t + 1];
        row_stream_[R] = b;
        row_t_[R] = t;
        if (++R == kReadoutRows) { score(R, rows_.data()); R = 0; }
      });
    }
    if (R > 0) score(R, rows_.data());
  }

  // True when every stream is active and scored at each of the chunk's n steps.
  bool all_scored(int n) const {
    for (int b = 0; b < B_; ++b) {
      const VariantStream& st = all_[ids_[b]];
      if (st.steps < step_ + n || st.score_begin > st.begin + step_ || st.score_end < st.begin + step_ + n) return false;
    }
    return true;
  }

  void score(int R, const float* h) {
    readout_xent(k_, w_, R, h, targets_.data(), logits_.data(), nats_.data());
    for (int r = 0; r < R; ++r) {
      const int b = row_stream_[r];
      const double bits = floored_bits(nats_[r]);
      bits_[b] += bits;
      ++positions_[b];
      const VariantStream& st = all_[ids_[b]];
      if (st.losses) st.losses[row_t_[r] - st.score_begin] = float(bits);
    }
  }

  const Kernels& k_;
  const ForwardWeights& w_;
  const uint8_t* data_;
  const std::vector<VariantStream>& all_;
  std::vector<int> ids_;
  const StepHook& hook_;
  int B_ = 0, chunk_steps_ = 1;
  bool sign_readout_ = false;
  uint64_t max_steps_ = 0, step_ = 0;
  AlignedVector<float> h_, z_, rows_, logits_;
  std::vector<float> nats_;
  std::vector<uint8_t> xs_, targets_;
  std::vector<int> row_stream_;
  std::vector<uint64_t> row_t_;
  std::vector<double> bits_;
  std::vector<uint64_t> positions_;
};

Status validate(const ModelView& m, uint64_t size, const std::vector<VariantStream>& streams, const VariantOptions& opt) {
  Status s = check_hidden(m.H);
  if (!s.ok()) return s;
  if (!opt.kernels) return Status::Error("E_NATIVE", "no kernels selected");
  if (opt.threads < 1 || opt.threads > 256)
    return Status::Error("E_OPTION", "threads must be in 1…256, got " + std::to_string(opt.threads));
  for (const auto& st : streams) {
    const bool scored = st.score_begin < st.score_end;
    if (st.steps == 0 || st.begin + st.steps > size ||
        (scored && (st.score_begin < st.begin || st.score_end > st.begin + st.steps || st.score_end > size - 1)))
      return Status::Error("E_RANGE", "variant stream at " + std::to_string(st.begin) + " (" + std::to_string(st.steps) +
                                          " steps) does not fit the corpus of " + std::to_string(size) + " bytes");
  }
  return Status::Ok();
}

}  // namespace

Status variant_pass(const ModelView& m, const uint8_t* data, uint64_t size, const std::vector<VariantStream>& streams,
                    const VariantOptions& opt, VariantResult* out) {
  Status st = validate(m, size, streams, opt);
  if (!st.ok()) return st;
  out->bits.assign(streams.size(), 0.0);
  out->positions.assign(streams.size(), 0);
  if (streams.empty()) return Status::Ok();
  const ForwardWeights w = prepare_forward(*opt.kernels, m);

  std::vector<int> order(streams.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return streams[a].steps > streams[b].steps; });
  // Enough groups for the threads, none over kGroupRows rows; consecutive (similar) lengths.
  const size_t n = streams.size();
  const size_t per = std::max<size_t>(1, std::min<size_t>(kGroupRows, (n + opt.threads - 1) / opt.threads));
  std::vector<std::unique_ptr<Group>> groups;
  for (size_t i = 0; i < n; i += per)
    groups.emplace_back(new Group(*opt.kernels, w, data, streams,
                                  std::vector<int>(order.begin() + i, order.begin() + std::min(n, i + per)),
                                  opt.on_step));

  uint64_t total = 0, done = 0;
  for (const auto& s : streams) total += s.steps;
  ThreadPool pool(opt.threads);
  // Rounds: each group runs a few chunks; then progress and the cancel flag.
  for (size_t g0 = 0; g0 < groups.size(); g0 += size_t(opt.threads)) {
    const int ng = int(std::min(groups.size() - g0, size_t(opt.threads)));
    bool more = true;
    while (more) {
      pool.run(ng, [&](int t) {
        Group& g = *groups[g0 + t];
        for (int c = 0; c < 16 && !g.done(); ++c) g.chunk(t);
      });
      more = false;
      for (int t = 0; t < ng; ++t) more = more || !groups[g0 + t]->done();
      if (opt.control.cancelled()) return Status::Error("E_ABORTED", "variant pass cancelled");
      opt.control.report(double(done), double(total));
    }
    for (int t = 0; t < ng; ++t) {
      const Group& g = *groups[g0 + t];
      for (int b = 0; b < g.rows(); ++b) {
        out->bits[g.stream(b)] = g.bits(b);
        out->positions[g.stream(b)] = g.positions(b);
        done += streams[g.stream(b)].steps;
      }
    }
    opt.control.report(double(done), double(total));
  }
  for (double b : out->bits)
    if (!std::isfinite(b)) return Status::Error("E_NON_FINITE", "the model produced a non-finite loss");
  return Status::Ok();
}

}  // namespace bi
