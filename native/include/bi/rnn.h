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

// ───────────────────────── forward pass (rnn_forward.cc) ─────────────────────────
// The one forward pass of the house: training (window_backward), evaluation and trajectory
// capture (eval.cc) and the analyses all run window_forward for the recurrence and
// readout_chunks / readout_xent for the output layer. Typical use:
//
//   ForwardWeights w = prepare_forward(k, model);           // once per job
//   window_forward(k, w, T, B, xs, h0, z, h);               // T steps of B streams
//   readout_xent(k, w, T * B, h, ys, logits, nats);         // or readout_chunks(…, fn)

// Weights rearranged for row-oriented kernels, prepared once per job:
// WxTb[x] = Wx[:, x] + bh (the input column with the bias folded in), and Whᵀ, Wh, Wyᵀ, Wy
// with row strides ldh (rows of H) and ldv (rows of 256) padded off multiples of 64 bytes, so
// the GEMMs read them unpacked (their rows spread over the L1 sets) instead of packing the
// same panels on every call.
struct ForwardWeights {
  int H = 0;
  AlignedVector<float> WxTb;  // 256 × H
  AlignedVector<float> by;    // 256
  int ldh = 0, ldv = 0;
  AlignedVector<float> WhTp, Whp;  // H × ldh: Whᵀ (the recurrence), Wh (its backward)
  AlignedVector<float> WyTp;       // H × ldv: the readout
  AlignedVector<float> Wyp;        // 256 × ldh: the readout's backward (dH = dlogits·Wy)
};
// All of ForwardWeights from a model in the raw layout.
ForwardWeights prepare_forward(const Kernels& k, const ModelView& m);
// Refreshes by and the matrix copies (WhTp, Whp, WyTp, Wyp) from m; WxTb is left alone
// (training rebuilds only the input rows a step reads, from its transposed Wx).
void pad_forward(const Kernels& k, const ModelView& m, ForwardWeights* w);

// The recurrence over T steps for B streams:
//   z_t[b] = WxTb[x_{t,b}] + Wh·h_{t−1}[b],  h_t[b] = tanh z_t[b],  t = 0 … T−1,
// xs: T × B bytes (row t·B + b); h0: the B × H states entering the window (nullptr: h = 0);
// z, h: T·B × H outputs (block t = step t, rows of stride H). h0 may be the block just
// before h in one buffer (h0 + B·H == h), as training keeps them. Each step is one product
// with the padded Whᵀ: gemv_t for one stream, a GEMM across streams for several.
// With a control, the cancel flag is polled once per step; a cancelled call returns false
// with the outputs partial.
bool window_forward(const Kernels& k, const ForwardWeights& w, int T, int B, const uint8_t* xs,
                    const float* h0, float* z, float* h, const Control* control = nullptr);

// Rows of the output layer per chunk: 256 rows of logits are 256 KB and stay in L2.
constexpr int kReadoutRows = 256;

// logits[r] = by + Wy·h[r] for R ≤ kReadoutRows rows of states (stride H).
void readout_logits(const Kernels& k, const ForwardWeights& w, int R, const float* h, float* logits);

// The readout of R rows of states in chunks of at most kReadoutRows rows, in row order:
// for each chunk, logits (scratch of min(R, kReadoutRows) × 256) = by + Wy·h, then
// chunk(r0, rc, logits) with the chunk's first row and row count — where the caller takes
// its loss, gradient or argmax. One output-layer GEMM per chunk, compute-bound. With a
// control, the cancel flag is polled once per chunk; a cancelled call returns false.
template <typename Chunk>
bool readout_chunks(const Kernels& k, const ForwardWeights& w, int R, const float* h, float* logits,
                    Chunk&& chunk, const Control* control = nullptr) {
  for (int r0 = 0; r0 < R; r0 += kReadoutRows) {
    if (control && control->cancelled()) return false;
    const int rc = R - r0 < kReadoutRows ? R - r0 : kReadoutRows;
    readout_logits(k, w, rc, h + size_t(r0) * w.H, logits);
    chunk(r0, rc, static_cast<float*>(logits));
  }
  return true;
}

// Cross-entropy of R rows: nats[r] = −ln softmax(by + Wy·h[r])[targets[r]] (unfloored);
// logits: scratch of min(R, kReadoutRows) × 256 floats.
void readout_xent(const Kernels& k, const ForwardWeights& w, int R, const float* h,
                  const uint8_t* targets, float* logits, float* nats);

// −log2 p with p floored at 1e-30 (SPEC §0), from natural-log cross-entropy.
double floored_bits(double nats);

// ───────────────────────── backward pass (BPTT, rnn_backward.cc) ─────────────────────────

// Gradient accumulators in the training layout: the raw order except that Wx is stored
// transposed (WxT: 256 × H, row x = ∂/∂Wx[:, x]), so one step adds one contiguous row.
using TrainGradView = ParamViews<float>;  // .Wx holds WxT (256 × H)

// Scratch of one window of T steps for B streams (rows (t, b) at (t·B + b)·H), reusable.
struct WindowBuffers {
  AlignedVector<float> hs;      // (T+1)·B·H: block 0 = initial states, block t+1 = h_t
  AlignedVector<float> dz;      // T·B·H
  AlignedVector<float> dh;      // T·B·H: ∂loss/∂h_t from the readout
  AlignedVector<float> logits;  // one readout chunk (≤ kReadoutRows rows × 256), overwritten by dlogits
  AlignedVector<float> dnext;   // B·H: ∂loss/∂h_{t−1} through the recurrence
  std::vector<double> nats;   // T·B
  void resize(int T, int B, int H);
};

// One BPTT window for B streams: runs the forward pass (window_forward, readout_chunks)
// from h (B × H; on return the final states h_{T−1}), scores targets ys, and accumulates (+=) the gradients of
// scale · Σ nats into g (training layout). xs, ys: T × B bytes, row t·B + b. The state
// entering the window is treated as a constant (truncated BPTT). w must hold the
// forward weights of m (prepare_forward, or pad_forward after an update). Returns Σ nats over the T·B positions,
// summed in a fixed order. When `control` is cancelled (polled once per time step and
// readout chunk) it returns early with h and g partial: the caller must drop the step.
double window_backward(const Kernels& k, const ForwardWeights& w, int T, int B, const uint8_t* xs,
                       const uint8_t* ys, float* h, float scale, WindowBuffers* buf, const TrainGradView& g,
                       const Control* control = nullptr);

}  // namespace bi
