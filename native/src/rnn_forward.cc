// The forward pass (rnn.h): weight preparation, the recurrence over a window of steps for
// a batch of streams, and the chunked readout with cross-entropy. Training, evaluation,
// trajectory capture and the analyses all run these; the backward pass (BPTT) lives
// beside it in rnn_backward.cc.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "bi/rnn.h"
#include "bi/step_phases.h"

namespace bi {

using Phase = step_phases::Scope;  // times a block into one phase of bench_train --phases

Status check_hidden(int H) {
  if (H < kMinHidden || H > kMaxHidden)
    return Status::Error("E_HIDDEN_RANGE", "hidden size must be in 1…1024, got " + std::to_string(H));
  return Status::Ok();
}

ForwardWeights prepare_forward(const Kernels& k, const ModelView& m) {
  const int H = m.H;
  ForwardWeights w;
  w.H = H;
  w.WxTb.resize(size_t(kVocab) * H);
  k.transpose(H, kVocab, m.Wx, kVocab, w.WxTb.data(), H);
  for (int x = 0; x < kVocab; ++x) {
    float* row = w.WxTb.data() + size_t(x) * H;
    for (int i = 0; i < H; ++i) row[i] += m.bh[i];
  }
  pad_forward(k, m, &w);
  return w;
}

void pad_forward(const Kernels& k, const ModelView& m, ForwardWeights* w) {
  const int H = m.H;
  w->H = H;
  w->by.assign(m.by, m.by + kVocab);
  // A stride that is a multiple of 64 bytes puts the rows of a panel into a few L1 sets;
  // 8 floats more keeps 32-byte alignment (no load crosses a cache line).
  w->ldh = H % 16 == 0 ? H + 8 : H;
  w->ldv = kVocab + 8;
  w->WhTp.resize(size_t(H) * w->ldh);
  w->Whp.resize(size_t(H) * w->ldh);
  w->WyTp.resize(size_t(H) * w->ldv);
  w->Wyp.resize(size_t(kVocab) * w->ldh);
  k.transpose(H, H, m.Wh, H, w->WhTp.data(), w->ldh);
  k.transpose(kVocab, H, m.Wy, H, w->WyTp.data(), w->ldv);
  for (int i = 0; i < H; ++i) std::memcpy(w->Whp.data() + size_t(i) * w->ldh, m.Wh + size_t(i) * H, sizeof(float) * H);
  for (int o = 0; o < kVocab; ++o)
    std::memcpy(w->Wyp.data() + size_t(o) * w->ldh, m.Wy + size_t(o) * H, sizeof(float) * H);
}

bool window_forward(const Kernels& k, const ForwardWeights& w, int T, int B, const uint8_t* xs,
                    const float* h0, float* z, float* h, const Control* control) {
  const int H = w.H;
  const size_t BH = size_t(B) * H;
  for (int t = 0; t < T; ++t) {
    if (control && control->cancelled()) return false;
    float* zt = z + t * BH;
    const float* hprev = t == 0 ? h0 : h + (t - 1) * BH;
    {
      Phase p(step_phases::kRecurrence);
      for (int b = 0; b < B; ++b)
        std::memcpy(zt + size_t(b) * H, w.WxTb.data() + size_t(xs[size_t(t) * B + b]) * H, sizeof(float) * H);
      if (hprev) {
        if (B == 1)  // one stream: h·Whᵀ as gemv_t (as fast as gemv_n in AVX2, 2–3× faster in scalar)
          k.gemv_t(H, H, w.WhTp.data(), w.ldh, hprev, zt, true);
        else
          k.gemm_nn(B, H, H, hprev, H, w.WhTp.data(), w.ldh, zt, H, true);
      }
    }
    Phase p(step_phases::kTanh);
    k.tanh(int(BH), zt, h + t * BH);
  }
  return true;
}

void readout_logits(const Kernels& k, const ForwardWeights& w, int R, const float* h, float* logits) {
  Phase p(step_phases::kReadout);
  for (int r = 0; r < R; ++r) std::memcpy(logits + size_t(r) * kVocab, w.by.data(), sizeof(float) * kVocab);
  k.gemm_nn(R, kVocab, w.H, h, w.H, w.WyTp.data(), w.ldv, logits, kVocab, true);
}

void readout_xent(const Kernels& k, const ForwardWeights& w, int R, const float* h,
                  const uint8_t* targets, float* logits, float* nats) {
  readout_chunks(k, w, R, h, logits, [&](int r0, int rc, const float* l) {
    for (int r = 0; r < rc; ++r)
      nats[r0 + r] = k.logsoftmax_xent(kVocab, l + size_t(r) * kVocab, targets[r0 + r], nullptr, 1.0f);
  });
}

double floored_bits(double nats) {
  static const double kFloor = -std::log(1e-30);  // p floored at 1e-30
  if (std::isnan(nats)) return nats;
  return std::min(nats, kFloor) / std::log(2.0);
}

}  // namespace bi
