// Backward pass (BPTT over one window), beside the forward pass of rnn_forward.cc.
// Window-batched as llm.c does it: the forward recurrence runs step by step (one GEMM
// across streams per step), then the readout, its loss gradient, dWy, dby and dH are
// GEMMs over all T·B rows (in chunks of 256 rows that stay in cache); the backward recurrence runs step by step, and dWh is
// one rank-(T·B) GEMM at the end. Gradients accumulate with +=.
#include <algorithm>
#include <cstring>

#include "bi/rnn.h"
#include "bi/step_phases.h"

namespace bi {

using Phase = step_phases::Scope;  // times a block into one phase of bench_train --phases

void transpose(int rows, int cols, const float* src, int lds, float* dst, int ldd) {
  constexpr int kTile = 16;  // tiles keep both sides' cache lines hot
  for (int i0 = 0; i0 < rows; i0 += kTile) {
    const int i1 = std::min(rows, i0 + kTile);
    for (int j0 = 0; j0 < cols; j0 += kTile) {
      const int j1 = std::min(cols, j0 + kTile);
      for (int i = i0; i < i1; ++i)
        for (int j = j0; j < j1; ++j) dst[size_t(j) * ldd + i] = src[size_t(i) * lds + j];
    }
  }
}

void grads_to_raw(int H, const float* src, float* raw) {
  const size_t n = param_count(H);
  const size_t wx = size_t(H) * kVocab;
  transpose(kVocab, H, src, H, raw, kVocab);
  std::memcpy(raw + wx, src + wx, sizeof(float) * (n - wx));
}

// Rows of the output layer per chunk: 256 rows of logits are 256 KB.
constexpr int kOutputRows = 256;

void WindowBuffers::resize(int T, int B, int H) {
  const size_t rows = size_t(T) * B;
  hs.resize((rows + B) * H);
  dz.resize(rows * H);
  dh.resize(rows * H);
  logits.resize(std::min<size_t>(rows, kOutputRows) * kVocab);
  dnext.resize(size_t(B) * H);
  nats.resize(rows);
}

double window_backward(const Kernels& k, const ModelView& m, const ForwardWeights& w, int T, int B,
                       const uint8_t* xs, const uint8_t* ys, float* h, float scale, WindowBuffers* buf,
                       const TrainGradView& g, const Control* control) {
  // A step at a large batch and H takes a minute: cancel must not wait for its end.
  const auto stop = [control] { return control && control->cancelled(); };
  const int H = m.H;
  const int R = T * B;
  const size_t BH = size_t(B) * H;
  buf->resize(T, B, H);
  float* hs = buf->hs.data();
  float* dz = buf->dz.data();
  float* dh = buf->dh.data();
  float* logits = buf->logits.data();
  float* dnext = buf->dnext.data();

  // The padded weight copies of pad_forward (row strides ldh, ldv).
  const int ldh = w.ldh, ldv = w.ldv;
  const float* whtp = w.WhTp.data();
  const float* whp = w.Whp.data();

  // Forward: h_t for every step (dz holds the pre-activations for now; unused later).
  // Z[b] = WxTb[x_b] + Hprev[b]·WhT, h = tanh Z (rnn_step, with the padded WhT).
  std::memcpy(hs, h, sizeof(float) * BH);
  for (int t = 0; t < T; ++t) {
    if (stop()) return 0;
    float* z = dz + t * BH;
    {
      Phase p(step_phases::kRecurrence);
      for (int b = 0; b < B; ++b)
        std::memcpy(z + size_t(b) * H, w.WxTb.data() + size_t(xs[size_t(t) * B + b]) * H, sizeof(float) * H);
      if (B == 1)  // one stream: Wh·h as a row-dot gemv (faster than gemv_t on Whᵀ)
        k.gemv_n(H, H, whp, ldh, hs + t * BH, z, true);
      else
        k.gemm_nn(B, H, H, hs + t * BH, H, whtp, ldh, z, H, true);
    }
    Phase p(step_phases::kTanh);
    k.tanh(int(BH), z, hs + (t + 1) * BH);
  }
  std::memcpy(h, hs + T * BH, sizeof(float) * BH);

  // Output layer in chunks of rows (the logits of a chunk stay in L2): logits, then
  // dlogits = scale·(softmax − onehot) in place, dWy += dlogitsᵀ·H, dby += Σ dlogits,
  // dH = dlogits·Wy. Chunks run in row order, so the sums have a fixed order.
  const float* hout = hs + BH;
  double nats = 0;
  for (int r0 = 0; r0 < R; r0 += kOutputRows) {
    if (stop()) return 0;
    const int rc = std::min(kOutputRows, R - r0);
    const float* hc = hout + size_t(r0) * H;
    {
      Phase p(step_phases::kReadout);
      for (int r = 0; r < rc; ++r) std::memcpy(logits + size_t(r) * kVocab, w.by.data(), sizeof(float) * kVocab);
      k.gemm_nn(rc, kVocab, H, hc, H, w.WyTp.data(), ldv, logits, kVocab, true);
    }
    {
      Phase p(step_phases::kSoftmax);
      for (int r = 0; r < rc; ++r) {
        float* lr = logits + size_t(r) * kVocab;
        const double v = k.logsoftmax_xent(kVocab, lr, ys[r0 + r], lr, scale);
        buf->nats[r0 + r] = v;
        nats += v;
      }
    }
    {
      Phase p(step_phases::kGradWy);
      k.gemm_tn(kVocab, H, rc, logits, kVocab, hc, H, g.Wy, H);
      for (int r = 0; r < rc; ++r) k.axpy(kVocab, 1.0f, logits + size_t(r) * kVocab, g.by);
    }
    Phase p(step_phases::kGradH);
    k.gemm_nn(rc, H, kVocab, logits, kVocab, w.Wyp.data(), ldh, dh + size_t(r0) * H, H, false);
  }

  // Backward through time: dz_t = (dh_t + dnext)·(1 − h_t²), dnext = dz_t·Wh.
  for (int t = T - 1; t >= 0; --t) {
    if (stop()) return 0;
    const float* ht = hs + (t + 1) * BH;
    const float* dht = dh + t * BH;
    float* dzt = dz + t * BH;
    {
      Phase p(step_phases::kTanhGrad);
      k.tanh_grad(int(BH), dht, t < T - 1 ? dnext : nullptr, ht, dzt);
    }
    if (t == 0) break;  // the state entering the window is a constant
    Phase p(step_phases::kRecurrenceBack);
    if (B == 1)
      k.gemv_n(H, H, whtp, ldh, dzt, dnext, false);  // Whᵀ·dz
    else
      k.gemm_nn(B, H, H, dzt, H, whp, ldh, dnext, H, false);
  }

  // Recurrent and input weights over the whole window: dWh += dZᵀ·Hprev, dWxT[x] += dz, dbh += dz.
  {
    Phase p(step_phases::kGradWh);
    k.gemm_tn(H, H, R, dz, H, hs, H, g.Wh, H);
  }
  Phase p(step_phases::kGradWx);
  for (int r = 0; r < R; ++r) {
    const float* d = dz + size_t(r) * H;
    k.axpy(H, 1.0f, d, g.Wx + size_t(xs[r]) * H);
    k.axpy(H, 1.0f, d, g.bh);
  }
  return nats;
}

}  // namespace bi
