// Forward pass building blocks: weight preparation, one recurrence step for a batch of
// streams, and the window-batched readout with cross-entropy. The backward pass (BPTT)
// lives beside it in rnn_backward.cc.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "bi/rnn.h"

namespace bi {

Status check_hidden(int H) {
  if (H < kMinHidden || H > kMaxHidden)
    return Status::Error("E_HIDDEN_RANGE", "hidden size must be in 1…1024, got " + std::to_string(H));
  return Status::Ok();
}

ForwardWeights prepare_forward(const ModelView& m) {
  const int H = m.H;
  ForwardWeights w;
  w.H = H;
  w.WxTb.resize(size_t(kVocab) * H);
  w.WhT.resize(size_t(H) * H);
  w.WyT.resize(size_t(H) * kVocab);
  w.by.assign(m.by, m.by + kVocab);
  for (int i = 0; i < H; ++i)
    for (int x = 0; x < kVocab; ++x) w.WxTb[size_t(x) * H + i] = m.Wx[size_t(i) * kVocab + x] + m.bh[i];
  for (int i = 0; i < H; ++i)
    for (int j = 0; j < H; ++j) w.WhT[size_t(j) * H + i] = m.Wh[size_t(i) * H + j];
  for (int o = 0; o < kVocab; ++o)
    for (int j = 0; j < H; ++j) w.WyT[size_t(j) * kVocab + o] = m.Wy[size_t(o) * H + j];
  return w;
}

void pad_forward(const Kernels& k, const ModelView& m, ForwardWeights* w) {
  const int H = m.H;
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

void rnn_step(const Kernels& k, const ForwardWeights& w, int B, const uint8_t* xs,
              const float* hprev, float* z, float* hnext) {
  const int H = w.H;
  for (int b = 0; b < B; ++b)
    std::memcpy(z + size_t(b) * H, w.WxTb.data() + size_t(xs[b]) * H, sizeof(float) * H);
  if (hprev) {
    if (B == 1)
      k.gemv_t(H, H, w.WhT.data(), H, hprev, z, true);
    else if (w.ldh > 0)  // padded copy (pad_forward): the GEMM reads it without packing
      k.gemm_nn(B, H, H, hprev, H, w.WhTp.data(), w.ldh, z, H, true);
    else
      k.gemm_nn(B, H, H, hprev, H, w.WhT.data(), H, z, H, true);
  }
  k.tanh(B * H, z, hnext);
}

void readout_xent(const Kernels& k, const ForwardWeights& w, int R, const float* h,
                  const uint8_t* targets, float* logits, float* nats) {
  const int H = w.H;
  for (int r = 0; r < R; ++r) std::memcpy(logits + size_t(r) * kVocab, w.by.data(), sizeof(float) * kVocab);
  if (w.ldv > 0)
    k.gemm_nn(R, kVocab, H, h, H, w.WyTp.data(), w.ldv, logits, kVocab, true);
  else
    k.gemm_nn(R, kVocab, H, h, H, w.WyT.data(), kVocab, logits, kVocab, true);
  for (int r = 0; r < R; ++r)
    nats[r] = k.logsoftmax_xent(kVocab, logits + size_t(r) * kVocab, targets[r], nullptr, 1.0f);
}

double floored_bits(double nats) {
  static const double kFloor = -std::log(1e-30);  // p floored at 1e-30
  if (std::isnan(nats)) return nats;
  return std::min(nats, kFloor) / std::log(2.0);
}

}  // namespace bi
