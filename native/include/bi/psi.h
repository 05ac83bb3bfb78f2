// ψ — reading a trained model (SPEC §3): Hebbian estimates from a trajectory, the
// factor map (cell means of each neuron given bytes at two lags, and R²), the best
// state feature per neuron, and reading bytes back through the trained readout.
// Lag ℓ relative to state h_t is byte x_{t−ℓ} (SPEC §0). States come from a captured
// trajectory (row r of `states` is h_{first + r}); nothing here runs the recurrence.
#pragma once
#include <cstdint>
#include <vector>

#include "bi/control.h"
#include "bi/kernels.h"
#include "bi/rnn.h"
#include "bi/status.h"

namespace bi {

// A captured trajectory and the positions t ∈ [begin, end) an analysis reads from it.
struct StateRows {
  const float* states = nullptr;  // rows × H, row-major
  uint64_t rows = 0;
  uint64_t first = 0;             // t of row 0
  uint64_t begin = 0, end = 0;    // positions used; first ≤ begin ≤ end ≤ first + rows
  const float* row(uint64_t t) const { return states + (t - first) * size_t(H); }
  int H = 0;
};
Status check_rows(const StateRows& r, uint64_t size, int max_lag, const char* what);

// ---- Hebbian estimates (efbaac3) -------------------------------------------------
// Over the T = end − begin states: mean[j] = h̄_j;
// C[i·H + j] = 1/(T−1) Σ_{t=begin}^{end−2} (h_j(t) − h̄_j)(h_i(t+1) − h̄_i);
// Cx[j·256 + x] = mean{h_j(t) : x_t = x} − h̄_j (0 where x never occurs, count[x] = 0);
// Cy[o·H + j] = mean{h_j(t) : x_{t+1} = o, t ≤ end − 2} − h̄_j (likewise, countY[o]).
struct HebbianResult {
  int H = 0;
  std::vector<double> mean, C, Cx, Cy;
  std::vector<uint64_t> count_x, count_y;
};
Status hebbian(const Kernels& k, const uint8_t* data, uint64_t size, const StateRows& rows,
               HebbianResult* out);

// ---- Cell means: the shared primitive -------------------------------------------
// Keys are small integers (< key_space) per position. Cells are compacted in order of
// first occurrence, so memory is cells × H doubles, never key_space × H.
struct CellMeans {
  int H = 0;
  std::vector<int32_t> index;   // key → cell, −1 when unseen (key_space entries)
  std::vector<double> sums;     // cells × H, then means after finish()
  std::vector<uint64_t> counts; // per cell
  void reset(int H, uint32_t key_space);
  void add(uint32_t key, const float* h);
  void finish();                // sums → means
  int32_t cell(uint32_t key) const { return key < index.size() ? index[key] : -1; }
  const double* mean(int32_t c) const { return sums.data() + size_t(c) * H; }
  size_t cells() const { return counts.size(); }
  size_t bytes() const { return index.size() * 4 + sums.size() * 8 + counts.size() * 8; }
};

// ---- Factor map (74ddb51) --------------------------------------------------------
// For every neuron and every candidate pair of lags (in `lags` order: pairs (a, b) with
// index a < b) and every single lag: cell means over the fit positions, then
// R² = 1 − Σ(h − ĥ)² / Σ(h − h̄)² over the score positions (h̄ = mean over the score
// positions). In-sample when fit and score are the same rows. A score key unseen in the
// fit positions is predicted by the fit mean of the neuron (counted in `unseen`).
// R² is 0 for a neuron constant over the score positions.
struct FactorMapOptions {
  std::vector<int> lags;   // distinct, ≥ 0
  int threads = 1;
  Control control;
};
struct FactorMapResult {
  int H = 0;
  std::vector<int> pair_lag1, pair_lag2;   // per pair, in enumeration order
  std::vector<double> pair_r2;             // pairs × H
  std::vector<double> single_r2;           // lags × H
  std::vector<uint64_t> pair_cells;        // distinct fit cells per pair
  std::vector<uint64_t> pair_unseen;       // score positions with an unseen cell, per pair
  uint64_t peak_cell_bytes = 0;            // largest cell table built (per task)
};
Status factor_map(const uint8_t* data, uint64_t size, const StateRows& fit, const StateRows& score,
                  const FactorMapOptions& options, FactorMapResult* out);

// ---- State features (SPEC §3, factor_map3) ----------------------------------------
// After consuming x_t: word_len (0 after space/newline/tab, else +1, capped at 15) and
// in_tag (set by '<', cleared by '>'). A scan started at `begin` takes its initial state
// from the bytes before it, so any range gets the values a scan from byte 0 would give.
// The study's order (its ties go to the earlier feature): class of x_t, in_tag, word_len,
// class of x_{t−1}, after_space (x_{t−1} is ' ' or '\n'), tag_depth (count of '<' so far,
// capped at 7), class of the last byte before t that is not ' ' or '\n', t mod 8.
enum StateFeature : int {
  kClass = 0, kInTag, kWordLen, kPrevClass, kAfterSpace, kTagDepth, kLastNonSpaceClass, kPosMod8,
  kFeatureCount
};
int feature_range(int f);  // number of values of feature f
int char_class(uint8_t c);  // 0 space/control, 1 letter, 2 digit, 3 punctuation, 4 '<' '>', 5 other
// out[f·(end − begin) + (t − begin)] for t ∈ [begin, end), f in StateFeature order.
void state_features(const uint8_t* data, uint64_t begin, uint64_t end, uint8_t* out);

// Best state feature per neuron: key (x_t, f_t), in-sample R² per (feature, neuron).
struct FeatureMapResult {
  int H = 0;
  std::vector<double> r2;       // kFeatureCount × H
  std::vector<double> byte_r2;  // H: key x_t alone
};
Status feature_map(const uint8_t* data, uint64_t size, const StateRows& rows, const Control& control,
                   FeatureMapResult* out);

// ---- Reading bytes back ----------------------------------------------------------
// Levels of key for neuron j with partner lag p_j: 0 = (x_{t−1}, x_{t−p_j});
// 1 = + word_len_t; 2 = + word_len_t + in_tag_t. Cell means over the fit positions;
// ĥ_j(t) at a level is the finest non-empty cell at or below that level, then the
// lag-1 cell (x_{t−1}), then the fit mean of h_j. bpc of the trained readout on ĥ over
// the score positions t with t + 1 < size (predicting x_{t+1}); also the readout on the
// true h_t over the same positions and the order-0 entropy of the predicted bytes.
struct ReadbackOptions {
  const Kernels* kernels = nullptr;
  std::vector<int> partner;  // per neuron, a lag ≥ 0 other than 1
  Control control;
};
struct ReadbackResult {
  double bpc[3] = {0, 0, 0};
  double bpc_rnn = 0;
  double h0 = 0;
  uint64_t positions = 0;
  // Score positions resolved at each depth, per level: [level][0] at the level's own
  // key, [1] a coarser study level, [2] the lag-1 cell, [3] the fit mean (summed over neurons).
  uint64_t resolved[3][4] = {};
};
Status readback(const ModelView& model, const uint8_t* data, uint64_t size, const StateRows& fit,
                const StateRows& score, const ReadbackOptions& options, ReadbackResult* out);

}  // namespace bi
