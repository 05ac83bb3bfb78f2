// The training loop of train.h. Streams are dealt into G = min(threads, B) contiguous
// groups; each group runs its BPTT window on a pool thread into its own gradient buffer;
// the buffers are summed in group order (element-wise, so the partition of that sum over
// threads does not matter). Same seed, ISA and thread count → bitwise the same weights.
#include "bi/train.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <vector>

#include "bi/rnn.h"
#include "bi/step_phases.h"
#include "bi/threadpool.h"

namespace bi {

uint64_t windows_per_cycle(uint64_t n, int T, bool partial_tail) {
  if (n < 2) return 0;
  return partial_tail ? (n - 1 + uint64_t(T) - 1) / uint64_t(T) : (n - 1) / uint64_t(T);
}

double learning_rate(const TrainConfig& c, uint64_t step) {
  const double kPi = 3.14159265358979323846;
  if (c.schedule == Schedule::constant) return c.lr;
  if (c.schedule == Schedule::warmup_cosine) {
    if (step < c.warmup) return c.lr * double(step + 1) / double(c.warmup);
    const uint64_t start = std::max(c.warmup, c.decay_start);
    if (step < start) return c.lr;
    const double span = double(c.horizon > start ? c.horizon - start : 1);
    const double x = std::min(1.0, double(step - start) / span);
    return c.min_lr + (c.lr - c.min_lr) * 0.5 * (1.0 + std::cos(kPi * x));
  }
  const uint64_t W = std::max<uint64_t>(1, windows_per_cycle(c.end - c.begin, c.window, c.partial_tail));
  const double epoch = double(step / W + 1);
  return std::max(c.min_lr, c.lr * 0.5 * (1.0 + std::cos(kPi * epoch / double(std::max<int64_t>(1, c.epochs)))));
}

namespace {

// During a call the parameters and Adam moments are kept in the training layout (Wx
// stored transposed, as the gradient is), so no step transposes the gradient: the
// update is element-wise, hence a permutation of it gives bitwise the same values.
// The caller's buffers are converted on entry and back on every return.
void wx_to_train(const Kernels& k, int H, float* p, float* tmp) {
  if (!p) return;
  k.transpose(H, kVocab, p, kVocab, tmp, H);
  std::memcpy(p, tmp, sizeof(float) * size_t(H) * kVocab);
}
void wx_to_raw(const Kernels& k, int H, float* p, float* tmp) {
  if (!p) return;
  k.transpose(kVocab, H, p, H, tmp, kVocab);
  std::memcpy(p, tmp, sizeof(float) * size_t(H) * kVocab);
}
struct TrainLayoutScope {
  const Kernels& k;
  int H;
  float *p, *m, *v;
  std::vector<float> tmp;
  TrainLayoutScope(const Kernels& k_, int H_, float* p_, float* m_, float* v_)
      : k(k_), H(H_), p(p_), m(m_), v(v_), tmp(size_t(H_) * kVocab) {
    for (float* b : {p, m, v}) wx_to_train(k, H, b, tmp.data());
  }
  ~TrainLayoutScope() {
    for (float* b : {p, m, v}) wx_to_raw(k, H, b, tmp.data());
  }
};

// Forward weights refreshed in place after every update (no reallocation per step).
// m.Wx holds WxT (training layout). Only the input rows WxTb[x] of the bytes this step
// reads are rebuilt (`used`): the other rows are stale but never read.
void refresh_forward(const Kernels& k, const ModelView& m, const bool* used, ForwardWeights* w) {
  const int H = m.H;
  w->WxTb.resize(size_t(kVocab) * H);
  for (int x = 0; x < kVocab; ++x) {
    if (!used[x]) continue;
    float* row = w->WxTb.data() + size_t(x) * H;
    const float* wx = m.Wx + size_t(x) * H;
    for (int i = 0; i < H; ++i) row[i] = wx[i] + m.bh[i];
  }
  pad_forward(k, m, w);  // by and the matrix copies
}

struct Group {
  int first = 0, count = 0;  // streams [first, first + count)
  AlignedVector<float> grad;  // training layout
  std::vector<float> h;      // count × H, the states this step leaves
  std::vector<uint8_t> xs, ys;
  WindowBuffers buf;
  double nats = 0;
};

Status validate(uint64_t size, const TrainConfig& c, const TrainState& s, const TrainRunOptions& o) {
  Status st = check_hidden(c.H);
  if (!st.ok()) return st;
  if (!o.kernels) return Status::Error("E_NATIVE", "no kernels selected");
  if (c.streams < 1 || c.streams > 65536) return Status::Error("E_OPTION", "streams must be in 1…65536");
  if (c.window < 1 || c.window > 100000) return Status::Error("E_OPTION", "window must be in 1…100000");
  if (c.threads < 1 || c.threads > 256) return Status::Error("E_OPTION", "threads must be in 1…256");
  if (c.begin >= c.end || c.end > size) return Status::Error("E_RANGE", "training range outside the corpus");
  if (c.partial_tail && c.streams != 1) return Status::Error("E_OPTION", "partial_tail needs one stream");
  if (windows_per_cycle(c.end - c.begin, c.window, c.partial_tail) == 0)
    return Status::Error("E_CORPUS_TOO_SHORT", "training range holds fewer than window + 1 bytes");
  if (!s.params || !s.hidden) return Status::Error("E_NATIVE", "missing training state");
  if (c.optimizer == Optimizer::adam && (!s.m || !s.v)) return Status::Error("E_NATIVE", "Adam needs m and v");
  if (c.track_best && !s.best) return Status::Error("E_NATIVE", "track_best needs a best-parameter buffer");
  return Status::Ok();
}

}  // namespace

namespace {

// The steps of train_run. An update that makes a parameter non-finite has already written
// part of the new state when it is detected; it sets *overflowed and returns E_NON_FINITE,
// and train_run puts the state back.
Status run_steps(const uint8_t* data, const TrainConfig& c, TrainState* s, const TrainRunOptions& o,
                 TrainRunResult* result, bool* overflowed) {
  *result = TrainRunResult{};
  const Kernels& k = *o.kernels;
  const int H = c.H, B = c.streams, T = c.window;
  const size_t n = param_count(H);
  const uint64_t W = windows_per_cycle(c.end - c.begin, T, c.partial_tail);
  const uint64_t positions_per_cycle = c.end - c.begin - 1;

  const int G = std::min(c.threads, B);
  std::vector<std::unique_ptr<Group>> groups;
  for (int g = 0; g < G; ++g) {
    auto gr = std::make_unique<Group>();
    gr->first = int(int64_t(g) * B / G);
    gr->count = int(int64_t(g + 1) * B / G) - gr->first;
    gr->grad.resize(n);
    gr->h.resize(size_t(gr->count) * H);
    gr->xs.resize(size_t(T) * gr->count);
    gr->ys.resize(size_t(T) * gr->count);
    groups.push_back(std::move(gr));
  }
  ThreadPool pool(c.threads);
  TrainLayoutScope layout(k, H, s->params, c.optimizer == Optimizer::adam ? s->m : nullptr,
                          c.optimizer == Optimizer::adam ? s->v : nullptr);
  const int reduce_chunks = c.threads > 1 ? 4 * c.threads : 1;
  ForwardWeights w;
  const ModelView m = param_views<const float>(s->params, H);

  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  auto last_report = t0;
  for (uint64_t i = 0; i < o.max_steps; ++i) {
    const auto step_start = Clock::now();
    const uint64_t step = s->step;
    // Steps of this window: T, or the remainder for the study's partial last window.
    int Ts = T;
    if (c.partial_tail && (step % W) == W - 1) Ts = int(positions_per_cycle - (W - 1) * uint64_t(T));
    const float scale = c.sum_loss ? 1.0f : float(1.0 / (double(B) * Ts));
    bool used[kVocab] = {};
    {
      step_phases::Scope phase(step_phases::kWeightCopies);
      for (int b = 0; b < B; ++b) {
        const uint8_t* p = data + c.begin + ((uint64_t(b) * W / uint64_t(B) + step) % W) * uint64_t(T);
        for (int t = 0; t < Ts; ++t) used[p[t]] = true;
      }
      refresh_forward(k, m, used, &w);
    }

    pool.run(G, [&](int gi) {
      Group& g = *groups[gi];  // g.grad is all zeros here (cleared by the last reduction or update)
      {
        step_phases::Scope phase(step_phases::kInputs);
        for (int j = 0; j < g.count; ++j) {
          const int b = g.first + j;
          const uint64_t win = (uint64_t(b) * W / uint64_t(B) + step) % W;
          float* hj = g.h.data() + size_t(j) * H;
          if (win == 0) std::fill(hj, hj + H, 0.0f);  // a new cycle starts from h = 0
          else std::memcpy(hj, s->hidden + size_t(b) * H, sizeof(float) * H);
          const uint8_t* p = data + c.begin + win * uint64_t(T);
          for (int t = 0; t < Ts; ++t) {
            g.xs[size_t(t) * g.count + j] = p[t];
            g.ys[size_t(t) * g.count + j] = p[t + 1];
          }
        }
      }
      g.nats = window_backward(k, w, Ts, g.count, g.xs.data(), g.ys.data(), g.h.data(), scale, &g.buf,
                               param_views<float>(g.grad.data(), H), &o.control);
    });
    if (o.control.cancelled()) {  // cancelled inside the step: drop it (the state is the last step's)
      result->cancelled = true;
      break;
    }

    // Fixed-order reduction: grad = Σ_g grad_g, g ascending, per element.
    float* total = groups[0]->grad.data();
    if (G > 1) {
      step_phases::Scope phase(step_phases::kReduce);
      pool.run(reduce_chunks, [&](int ci) {
        const size_t a = n * size_t(ci) / reduce_chunks, e = n * size_t(ci + 1) / reduce_chunks;
        for (int g = 1; g < G; ++g) {
          float* src = groups[g]->grad.data();
          k.axpy(int(e - a), 1.0f, src + a, total + a);
          std::memset(src + a, 0, sizeof(float) * (e - a));  // ready for the next step
        }
      });
    }
    double nats = 0;
    for (auto& g : groups) nats += g->nats;
    if (c.nan_at_step >= 0 && step == uint64_t(c.nan_at_step)) total[0] = std::numeric_limits<float>::quiet_NaN();
    double norm;
    {
      step_phases::Scope phase(step_phases::kNorm);
      norm = std::sqrt(sum_squares(k, total, n));
    }
    if (!std::isfinite(nats) || !std::isfinite(norm))
      return Status::Error("E_NON_FINITE", std::string("non-finite ") + (std::isfinite(nats) ? "gradient" : "loss") +
                                               " at step " + std::to_string(step) +
                                               "; the parameters were left at the previous step");

    // The update is element-wise: its chunks over the pool give bitwise the same values.
    const double lr = step == uint64_t(c.overflow_at_step) ? HUGE_VAL : learning_rate(c, step);
    const float gscale = clip_scale(norm, c.clip);
    const int update_chunks = c.threads > 1 ? 4 * c.threads : 1;
    bool chunk_ok[4 * 256];
    AdamConfig ac = c.adam;
    ac.lr = lr;
    const AdamStep st = adam_step(ac, step + 1, gscale);
    // Blocks of kClearBlock floats: each block of the gradient is cleared for the next step
    // right after the update read it, while it is still in L1 (no separate pass over it).
    constexpr size_t kClearBlock = 2048;
    pool.run(update_chunks, [&](int ci) {
      step_phases::Scope phase(step_phases::kUpdate);
      const size_t a = n * size_t(ci) / update_chunks, e = n * size_t(ci + 1) / update_chunks;
      bool ok = true;
      for (size_t b0 = a; b0 < e; b0 += kClearBlock) {
        const int len = int(std::min(kClearBlock, e - b0));
        if (c.optimizer == Optimizer::sgd)
          ok = sgd_update(s->params + b0, total + b0, size_t(len), lr, gscale) && ok;
        else
          ok = k.adam(len, s->params + b0, s->m + b0, s->v + b0, total + b0, st) && ok;
        std::memset(total + b0, 0, sizeof(float) * len);
      }
      chunk_ok[ci] = ok;
    });
    bool finite = true;
    for (int ci = 0; ci < update_chunks; ++ci) finite = finite && chunk_ok[ci];
    if (!finite) {
      *overflowed = true;
      return Status::Error("E_NON_FINITE", "a parameter overflowed to a non-finite value at step " +
                                               std::to_string(step) + " (learning rate too high?); the state was " +
                                               "left at the previous step");
    }
    for (auto& g : groups) std::memcpy(s->hidden + size_t(g->first) * H, g->h.data(), sizeof(float) * g->h.size());
    s->step = step + 1;
    if (step_phases::enabled()) step_phases::end_step(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - step_start).count());
    result->steps++;
    result->nats += nats;
    result->positions += uint64_t(B) * Ts;
    result->last_grad_norm = norm;
    result->last_lr = lr;

    if (c.track_best) {
      s->cycle_nats += nats;
      s->cycle_positions += uint64_t(B) * Ts;
      if (s->step % W == 0) {
        const double bpc = s->cycle_nats / double(s->cycle_positions) / std::log(2.0);
        result->last_cycle_bpc = bpc;
        s->cycle_nats = 0;
        s->cycle_positions = 0;
        if (!(s->best_bpc - 1e-4 <= bpc)) {  // improves by more than 1e-4 (or the first epoch)
          s->best_bpc = bpc;
          s->best_step = s->step;
          std::memcpy(s->best, s->params, sizeof(float) * n);
          wx_to_raw(k, H, s->best, layout.tmp.data());  // best is kept in the raw layout
        }
      }
    }

    const auto now = Clock::now();
    if (now - last_report > std::chrono::milliseconds(200)) {
      last_report = now;
      o.control.report(double(result->steps), double(o.max_steps));
    }
    if (o.control.cancelled()) {
      result->cancelled = true;
      break;
    }
    if (o.max_seconds > 0 && std::chrono::duration<double>(now - t0).count() >= o.max_seconds) break;
  }
  return Status::Ok();
}

// The state a call starts from, kept so that a non-finite update can be undone: the steps
// before it are run again from here, which gives bitwise the state of the last good step
// (training is deterministic). The update itself stays in place and fused (no copy per step).
struct Snapshot {
  std::vector<float> params, m, v, hidden;
  TrainState scalars;
  Snapshot(const TrainConfig& c, const TrainState& s) : scalars(s) {
    const size_t n = param_count(c.H);
    params.assign(s.params, s.params + n);
    if (s.m) m.assign(s.m, s.m + n);
    if (s.v) v.assign(s.v, s.v + n);
    hidden.assign(s.hidden, s.hidden + size_t(c.streams) * c.H);
  }
  void restore(TrainState* s) const {
    std::copy(params.begin(), params.end(), s->params);
    if (s->m) std::copy(m.begin(), m.end(), s->m);
    if (s->v) std::copy(v.begin(), v.end(), s->v);
    std::copy(hidden.begin(), hidden.end(), s->hidden);
    s->step = scalars.step;
    s->best_bpc = scalars.best_bpc;
    s->best_step = scalars.best_step;
    s->cycle_nats = scalars.cycle_nats;
    s->cycle_positions = scalars.cycle_positions;
  }
};

}  // namespace

Status train_run(const uint8_t* data, uint64_t size, const TrainConfig& c, TrainState* s,
                 const TrainRunOptions& o, TrainRunResult* result) {
  Status st = validate(size, c, *s, o);
  if (!st.ok()) return st;
  const Snapshot start(c, *s);
  bool overflowed = false;
  st = run_steps(data, c, s, o, result, &overflowed);
  if (!overflowed) return st;
  // s->step is the failed step (it moves only after a good update). s->best may hold a copy
  // taken in this call; the replay takes the same copies again.
  const uint64_t failed = s->step;
  start.restore(s);
  TrainRunOptions replay = o;
  replay.max_steps = failed - start.scalars.step;
  replay.max_seconds = 0;
  replay.control = Control{};
  const Status again = run_steps(data, c, s, replay, result, &overflowed);
  return again.ok() ? st : again;
}

}  // namespace bi
