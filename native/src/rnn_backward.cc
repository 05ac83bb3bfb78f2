// Backward pass (BPTT over one window) on top of the forward pass of rnn_forward.cc.
// Window-batched as llm.c does it: the forward recurrence (window_forward) runs step by
// step (one GEMM across streams per step), then the readout (readout_chunks), its loss
// gradient, dWy, dby and dH are GEMMs over all T·B rows in chunks that stay in cache; the
// backward recurrence runs step by step, and dWh is one rank-(T·B) GEMM at the end.
// Gradients accumulate with +=.
#include <algorithm>
#include <cstring>

#include "bi/rnn.h"
#include "bi/step_phases.h"

namespace bi {

using Phase = step_phases::Scope;  // times a block into one phase of bench_train --phases

void WindowBuffers::resize(int T, int B, int H) {
  const size_t rows = size_t(T) * B;
  hs.resize((rows + B) * H);
  dz.resize(rows * H);
  dh.resize(rows * H);
  logits.resize(std::min<size_t>(rows, kReadoutRows) * kVocab);
  dnext.resize(size_t(B) * H);
  nats.resize(rows);
}

double window_backward(const Kernels& k, const ForwardWeights& w, int T, int B, const uint8_t* xs,
                       const uint8_t* ys, float* h, float scale, WindowBuffers* buf, const TrainGradView& g,
                       const Control* control) {
  // A step at a large batch and H takes a minute: cancel must not wait for its end.
  const auto stop = [control] { return control && control->cancelled(); };
  const int H = w.H;
  const int R = T * B;
  const size_t BH = size_t(B) * H;
  buf->resize(T, B, H);
  float* hs = buf->hs.data();
  float* dz = buf->dz.data();
  float* dh = buf->dh.data();
  float* logits = buf->logits.data();
  float* dnext = buf->dnext.data();

  // Forward: h_t for every step (dz holds the pre-activations for now; unused later).
  std::memcpy(hs, h, sizeof(float) * BH);
  if (!window_forward(k, w, T, B, xs, hs, dz, hs + BH, control)) return 0;
  std::memcpy(h, hs + T * BH, sizeof(float) * BH);

  // Output layer chunk by chunk (the logits of a chunk stay in L2): after the logits,
  // dlogits = scale·(softmax − onehot) in place, dWy += dlogitsᵀ·H, dby += Σ dlogits,
  // dH = dlogits·Wy. Chunks run in row order, so the sums have a fixed order.
  const float* hout = hs + BH;
  double nats = 0;
  const bool done = readout_chunks(k, w, R, hout, logits, [&](int r0, int rc, float* dlogits) {
    const float* hc = hout + size_t(r0) * H;
    {
      Phase p(step_phases::kSoftmax);
      for (int r = 0; r < rc; ++r) {
        float* lr = dlogits + size_t(r) * kVocab;
        const double v = k.logsoftmax_xent(kVocab, lr, ys[r0 + r], lr, scale);
        buf->nats[r0 + r] = v;
        nats += v;
      }
    }
    {
      Phase p(step_phases::kGradWy);
      k.gemm_tn(kVocab, H, rc, dlogits, kVocab, hc, H, g.Wy, H);
      for (int r = 0; r < rc; ++r) k.axpy(kVocab, 1.0f, dlogits + size_t(r) * kVocab, g.by);
    }
    Phase p(step_phases::kGradH);
    k.gemm_nn(rc, H, kVocab, dlogits, kVocab, w.Wyp.data(), w.ldh, dh + size_t(r0) * H, H, false);
  }, control);
  if (!done) return 0;

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
      k.gemv_n(H, H, w.WhTp.data(), w.ldh, dzt, dnext, false);  // Whᵀ·dz
    else
      k.gemm_nn(B, H, H, dzt, H, w.Whp.data(), w.ldh, dnext, H, false);
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
