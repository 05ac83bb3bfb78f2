// Evaluation driver. Streams (ranges) are sorted longest first so the active ones are
// always a prefix of the batch; a group of streams advances in chunks: first the
// recurrence for `steps` steps (one GEMM per step across streams), then one readout
// GEMM over the states of the chunk. With more threads than groups, the recurrence of
// chunk c+1 overlaps the readout of chunk c (a two-stage pipeline).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <numeric>

#include "bi/eval.h"
#include "bi/threadpool.h"

namespace bi {
namespace {

constexpr int kRowsPerChunk = kReadoutRows;  // one readout GEMM per chunk of states

struct Stream {
  int range = 0;          // index into the caller's ranges
  uint64_t begin = 0;     // first byte
  uint64_t steps = 0;     // recurrence steps to run
  uint64_t preds = 0;     // predictions (steps, or steps − 1 when the last state is unused)
  uint64_t loss_offset = 0;
  Capture capture;
  double bits = 0;
};

// States of one chunk: rows (step j, stream b) at (j·B + b)·H.
struct ChunkBuffer {
  AlignedVector<float> h, z;  // 64-byte aligned: no GEMM load straddles two cache lines
  uint64_t first_step = 0;
  int steps = 0;
};

class StreamGroup {
 public:
  StreamGroup(const Kernels& k, const ForwardWeights& w, const uint8_t* data,
              std::vector<Stream> streams, float* losses)
      : k_(k), w_(w), data_(data), streams_(std::move(streams)), losses_(losses) {
    B_ = int(streams_.size());
    max_steps_ = streams_.empty() ? 0 : streams_.front().steps;
    chunk_steps_ = std::max(1, kRowsPerChunk / std::max(1, B_));
    const size_t rows = size_t(chunk_steps_) * B_;
    for (auto& buf : bufs_) {
      buf.h.resize(rows * w_.H);
      buf.z.resize(rows * w_.H);
    }
    logits_.resize(std::min<size_t>(rows, kReadoutRows) * kVocab);
    targets_.resize(rows);
    xs_.resize(rows);
  }

  uint64_t chunks() const { return (max_steps_ + chunk_steps_ - 1) / chunk_steps_; }
  const std::vector<Stream>& streams() const { return streams_; }

  // Runs the recurrence of chunk c into buffer c % 2, continuing from chunk c − 1. Steps
  // where every stream is active run as one window; the tail steps of shorter streams one
  // by one on the active prefix.
  void recur(uint64_t c) {
    ChunkBuffer& buf = bufs_[c & 1];
    const ChunkBuffer& prev = bufs_[(c + 1) & 1];
    const size_t BH = size_t(B_) * w_.H;
    buf.first_step = c * chunk_steps_;
    buf.steps = int(std::min<uint64_t>(chunk_steps_, max_steps_ - buf.first_step));
    for (int j = 0; j < buf.steps;) {
      const uint64_t s = buf.first_step + j;
      const int active = active_at(s, false);
      int run = 1;
      if (active == B_)
        while (j + run < buf.steps && active_at(s + run, false) == B_) ++run;
      for (int r = 0; r < run; ++r)
        for (int b = 0; b < active; ++b) xs_[size_t(r) * active + b] = data_[streams_[b].begin + s + r];
      const float* hprev = nullptr;
      if (j > 0) hprev = buf.h.data() + (j - 1) * BH;
      else if (c > 0) hprev = prev.h.data() + (prev.steps - 1) * BH;
      float* z = buf.z.data() + j * BH;
      float* h = buf.h.data() + j * BH;
      window_forward(k_, w_, run, active, xs_.data(), hprev, z, h);
      for (int r = 0; r < run; ++r)
        for (int b = 0; b < active; ++b)
          capture_row(streams_[b], s + r, z + r * BH + size_t(b) * w_.H, h + r * BH + size_t(b) * w_.H);
      j += run;
    }
  }

  // Scores the predictions of chunk c from buffer c % 2.
  void readout(uint64_t c) {
    const ChunkBuffer& buf = bufs_[c & 1];
    const int H = w_.H;
    bool full = true;
    for (int j = 0; j < buf.steps; ++j) full = full && active_at(buf.first_step + j, true) == B_;
    if (full) {  // one GEMM over the whole chunk
      score(buf, 0, buf.steps * B_, buf.h.data());
      return;
    }
    for (int j = 0; j < buf.steps; ++j) {
      const int active = active_at(buf.first_step + j, true);
      if (active > 0) score(buf, j * B_, active, buf.h.data() + size_t(j) * B_ * H);
    }
  }

 private:
  int active_at(uint64_t s, bool predicting) const {
    int n = 0;  // streams are sorted by steps, longest first
    while (n < B_ && (predicting ? streams_[n].preds : streams_[n].steps) > s) ++n;
    return n;
  }

  // Rows [row0, row0 + R) of the chunk: targets, readout, losses, argmax captures.
  void score(const ChunkBuffer& buf, int row0, int R, const float* h) {
    for (int r = 0; r < R; ++r) {
      const int row = row0 + r;
      const Stream& st = streams_[row % B_];
      targets_[r] = data_[st.begin + buf.first_step + row / B_ + 1];
    }
    readout_chunks(k_, w_, R, h, logits_.data(), [&](int r0, int rc, const float* logits) {
      for (int r = 0; r < rc; ++r) {
        const int row = row0 + r0 + r;
        Stream& st = streams_[row % B_];
        const uint64_t step = buf.first_step + row / B_;
        const float* l = logits + size_t(r) * kVocab;
        const float nats = k_.logsoftmax_xent(kVocab, l, targets_[r0 + r], nullptr, 1.0f);
        const double bits = floored_bits(nats);
        st.bits += bits;
        if (losses_) losses_[st.loss_offset + step] = float(bits);
        if (st.capture.argmax) st.capture.argmax[step] = uint8_t(std::max_element(l, l + kVocab) - l);
      }
    });
  }

  void capture_row(const Stream& st, uint64_t s, const float* z, const float* h) {
    const int H = w_.H;
    if (st.capture.hidden) std::memcpy(st.capture.hidden + s * H, h, sizeof(float) * H);
    if (st.capture.preact) std::memcpy(st.capture.preact + s * H, z, sizeof(float) * H);
    if (st.capture.signs) k_.sign_bits(H, h, st.capture.signs + s * sign_bytes(H));
  }

  const Kernels& k_;
  const ForwardWeights& w_;
  const uint8_t* data_;
  std::vector<Stream> streams_;
  float* losses_;
  int B_ = 0, chunk_steps_ = 1;
  uint64_t max_steps_ = 0;
  ChunkBuffer bufs_[2];
  AlignedVector<float> logits_;
  std::vector<uint8_t> targets_, xs_;
};

Status validate(const ModelView& model, uint64_t size, const std::vector<EvalRange>& ranges,
                const EvalOptions& opt) {
  Status s = check_hidden(model.H);
  if (!s.ok()) return s;
  if (!opt.kernels) return Status::Error("E_NATIVE", "no kernels selected");
  if (opt.threads < 1 || opt.threads > 256)
    return Status::Error("E_OPTION", "threads must be in 1…256, got " + std::to_string(opt.threads));
  if (ranges.empty()) return Status::Error("E_RANGE", "no ranges to evaluate");
  for (const auto& r : ranges) {
    if (r.begin >= r.end || r.end > size || r.end - r.begin < 2)
      return Status::Error("E_RANGE", "range " + std::to_string(r.begin) + ":" + std::to_string(r.end) +
                                          " must lie within the corpus (" + std::to_string(size) +
                                          " bytes) and hold at least 2 bytes");
  }
  return Status::Ok();
}

}  // namespace

Status evaluate(const ModelView& model, const uint8_t* data, uint64_t size,
                const std::vector<EvalRange>& ranges, const EvalOptions& opt, EvalResult* result) {
  Status st = validate(model, size, ranges, opt);
  if (!st.ok()) return st;
  const ForwardWeights w = prepare_forward(*opt.kernels, model);

  std::vector<Stream> all(ranges.size());
  uint64_t loss_offset = 0, total_preds = 0;
  for (size_t i = 0; i < ranges.size(); ++i) {
    Stream& s = all[i];
    s.range = int(i);
    s.begin = ranges[i].begin;
    s.preds = ranges[i].end - ranges[i].begin - 1;
    if (opt.captures) s.capture = opt.captures[i];
    // The state after the last byte predicts nothing: run it only when a state is kept.
    const bool states = s.capture.hidden || s.capture.preact || s.capture.signs;
    s.steps = states ? s.preds + 1 : s.preds;
    s.loss_offset = loss_offset;
    loss_offset += s.preds;
    total_preds += s.preds;
  }
  std::stable_sort(all.begin(), all.end(), [](const Stream& a, const Stream& b) { return a.steps > b.steps; });

  // Deal streams round-robin to at most `threads` groups (longest first keeps them balanced).
  const int ngroups = std::max(1, std::min<int>(opt.threads, int(all.size())));
  std::vector<std::vector<Stream>> dealt(ngroups);
  for (size_t i = 0; i < all.size(); ++i) dealt[i % ngroups].push_back(all[i]);
  std::vector<std::unique_ptr<StreamGroup>> groups;
  for (auto& d : dealt) groups.emplace_back(new StreamGroup(*opt.kernels, w, data, std::move(d), opt.losses));

  ThreadPool pool(opt.threads);
  const bool pipeline = opt.threads >= 2 * ngroups;  // spare threads: overlap the two stages
  uint64_t max_chunks = 0;
  for (auto& g : groups) max_chunks = std::max(max_chunks, g->chunks());

  // Rounds of several chunks between progress reports and cancel checks.
  const uint64_t chunks_per_round = 16;
  for (uint64_t c0 = 0; c0 < max_chunks; c0 += chunks_per_round) {
    const uint64_t c1 = std::min(max_chunks, c0 + chunks_per_round);
    if (pipeline) {
      for (uint64_t c = c0; c <= c1; ++c) {
        // task 2g: recurrence of chunk c; task 2g+1: readout of chunk c − 1
        pool.run(2 * ngroups, [&](int t) {
          StreamGroup& g = *groups[t / 2];
          if (t % 2 == 0) { if (c < c1 && c < g.chunks()) g.recur(c); }
          else if (c > c0 && c - 1 < g.chunks()) g.readout(c - 1);
        });
      }
    } else {
      pool.run(ngroups, [&](int t) {
        StreamGroup& g = *groups[t];
        for (uint64_t c = c0; c < c1 && c < g.chunks(); ++c) { g.recur(c); g.readout(c); }
      });
    }
    opt.control.report(double(c1), double(max_chunks));
    if (opt.control.cancelled()) return Status::Error("E_ABORTED", "evaluation cancelled");
  }

  result->bits.assign(ranges.size(), 0.0);
  result->positions.assign(ranges.size(), 0);
  for (auto& g : groups)
    for (const auto& s : g->streams()) {
      result->bits[s.range] = s.bits;
      result->positions[s.range] = s.preds;
    }
  result->total_bits = 0;
  for (double b : result->bits) result->total_bits += b;  // fixed order: range order
  result->total_positions = total_preds;
  if (!std::isfinite(result->total_bits))
    return Status::Error("E_NON_FINITE", "the model produced a non-finite loss (NaN or Inf in its parameters?)");
  return Status::Ok();
}

}  // namespace bi
