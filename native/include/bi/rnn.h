// The Elman RNN of SPEC §1 over one contiguous parameter buffer:
//   z_t = bh + Wx[:, x_t] + Wh h_{t−1},  h_t = tanh z_t,  p_t = softmax(by + Wy h_t).
// Parameters in raw order Wx[H][256], Wh[H][H], bh[H], Wy[256][H], by[256].
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "bi/aligned.h"
#include "bi/control.h"
#include "bi/kernels.h"
#include "bi/status.h"

namespace bi {

constexpr int kVocab = 256;
constexpr int kMinHidden = 1;
constexpr int kMaxHidden = 1024;

inline size_t param_count(int H) {
  return size_t(H) * kVocab + size_t(H) * H + H + size_t(kVocab) * H + kVocab;
}

// Named views into a parameter buffer (no ownership).
template <typename T>
struct ParamViews {
  int H = 0;
  T* Wx = nullptr;  // H × 256
  T* Wh = nullptr;  // H × H
  T* bh = nullptr;  // H
  T* Wy = nullptr;  // 256 × H
  T* by = nullptr;  // 256
};
using ModelView = ParamViews<const float>;
using GradView = ParamViews<float>;

template <typename T>
ParamViews<T> param_views(T* params, int H) {
  ParamViews<T> v;
  v.H = H;
  v.Wx = params;
  v.Wh = v.Wx + size_t(H) * kVocab;
  v.bh = v.Wh + size_t(H) * H;
  v.Wy = v.bh + H;
  v.by = v.Wy + size_t(kVocab) * H;
  return v;
}

Status check_hidden(int H);

// Weights rearranged for row-oriented kernels, prepared once per job:
// WxTb[x] = Wx[:, x] + bh (the input column with the bias folded in), WhT = Whᵀ, WyT = Wyᵀ.
struct ForwardWeights {
  int H = 0;
  AlignedVector<float> WxTb;  // 256 × H
  AlignedVector<float> WhT;   // H × H
  AlignedVector<float> WyT;   // H × 256
  AlignedVector<float> by;    // 256
  // For window_backward (pad_forward): Whᵀ, Wh, Wyᵀ, Wy with row strides ldh (rows of H) and
  // ldv (rows of 256) padded off multiples of 64 bytes, so the GEMMs read them unpacked (their
  // rows spread over the L1 sets) instead of packing the same panels on every call.
  int ldh = 0, ldv = 0;
  AlignedVector<float> WhTp, Whp;  // H × ldh
  AlignedVector<float> WyTp;       // H × ldv
  AlignedVector<float> Wyp;        // 256 × ldh
};
ForwardWeights prepare_forward(const ModelView& m);
// Fills the padded copies of w from m.Wh and m.Wy (nothing else is read or changed).
void pad_forward(const Kernels& k, const ModelView& m, ForwardWeights* w);

// One recurrence step for B streams: Z[b] = WxTb[x_b] + Hprev[b]·WhT, Hnext[b] = tanh Z[b].
// Hprev rows may be null-state (pass hprev = nullptr for h = 0). Rows have stride H.
void rnn_step(const Kernels& k, const ForwardWeights& w, int B, const uint8_t* xs,
              const float* hprev, float* z, float* hnext);

// Readout for R rows of states: logits[r] = by + WyT·h[r], then per-row natural-log
// cross-entropy against targets[r]; writes nats[r] (unfloored).
void readout_xent(const Kernels& k, const ForwardWeights& w, int R, const float* h,
                  const uint8_t* targets, float* logits_scratch, float* nats);

// −log2 p with p floored at 1e-30 (SPEC §0), from natural-log cross-entropy.
double floored_bits(double nats);

// ───────────────────────── backward pass (BPTT, rnn_backward.cc) ─────────────────────────

// Gradient accumulators in the training layout: the raw order except that Wx is stored
// transposed (WxT: 256 × H, row x = ∂/∂Wx[:, x]), so one step adds one contiguous row.
// grads_to_raw() turns a buffer of param_count(H) floats into the raw layout.
using TrainGradView = ParamViews<float>;  // .Wx holds WxT (256 × H)
void grads_to_raw(int H, const float* train_layout, float* raw);
// dst[j][i] = src[i][j] for a rows × cols source (cache-tiled).
void transpose(int rows, int cols, const float* src, int lds, float* dst, int ldd);

// Scratch of one window of T steps for B streams (rows (t, b) at (t·B + b)·H), reusable.
struct WindowBuffers {
  AlignedVector<float> hs;      // (T+1)·B·H: block 0 = initial states, block t+1 = h_t
  AlignedVector<float> dz;      // T·B·H
  AlignedVector<float> dh;      // T·B·H: ∂loss/∂h_t from the readout
  AlignedVector<float> logits;  // one chunk of ≤ 256 rows × 256, overwritten by dlogits
  AlignedVector<float> dnext;   // B·H: ∂loss/∂h_{t−1} through the recurrence
  std::vector<double> nats;   // T·B
  void resize(int T, int B, int H);
};

// One BPTT window for B streams: runs the forward pass from h (B × H; on return the
// final states h_{T−1}), scores targets ys, and accumulates (+=) the gradients of
// scale · Σ nats into g (training layout). xs, ys: T × B bytes, row t·B + b. The state
// entering the window is treated as a constant (truncated BPTT). w must hold the
// forward weights of m, with pad_forward applied. Returns Σ nats over the T·B positions,
// summed in a fixed order. When `control` is cancelled (polled once per time step and
// readout chunk) it returns early with h and g partial: the caller must drop the step.
double window_backward(const Kernels& k, const ModelView& m, const ForwardWeights& w, int T, int B,
                       const uint8_t* xs, const uint8_t* ys, float* h, float scale, WindowBuffers* buf,
                       const TrainGradView& g, const Control* control = nullptr);

}  // namespace bi
