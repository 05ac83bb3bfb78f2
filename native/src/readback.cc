// Reading bytes back (SPEC §3): replace h_t by the cell-mean prediction ĥ_t and score
// the trained readout on it. Neurons that share a partner lag share their cell tables;
// each table holds only that group's neurons.
#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "bi/psi.h"

namespace bi {
namespace {

constexpr int kLevels = 3;
constexpr int kBatch = 256;  // readout rows per kernel call

// Level 0 is keyed by the two bytes; levels 1 and 2 refine a level-0 cell c, so their keys
// are c·16 + word_len and c·32 + word_len·2 + in_tag: index tables sized by the cells that
// occur, not by 2^21 byte-and-state combinations.
inline uint32_t pair_key(uint8_t b1, uint8_t b2) { return uint32_t(b1) | uint32_t(b2) << 8; }
inline uint32_t fine_key(int level, int32_t c0, uint8_t wl, uint8_t it) {
  return level == 1 ? uint32_t(c0) * 16 + wl : uint32_t(c0) * 32 + wl * 2u + it;
}

struct Group {
  int partner = 0;
  std::vector<int> neurons;
  CellMeans cells[kLevels];
};

}  // namespace

Status readback(const ModelView& model, const uint8_t* x, uint64_t size, const StateRows& fit,
                const StateRows& score, const ReadbackOptions& opt, ReadbackResult* out) {
  const int H = model.H;
  if (!opt.kernels) return Status::Error("E_NATIVE", "readback: no kernels");
  if (fit.H != H || score.H != H) return Status::Error("E_SHAPE", "readback: states and model differ in H");
  if (int(opt.partner.size()) != H) return Status::Error("E_SHAPE", "readback: one partner lag per neuron needed");
  int max_lag = 1;
  for (int p : opt.partner) {
    if (p < 0 || p == 1) return Status::Error("E_OPTION", "readback: partner lags must be ≥ 0 and ≠ 1");
    max_lag = std::max(max_lag, p);
  }
  Status s = check_rows(fit, size, max_lag, "readback fit");
  if (!s.ok()) return s;
  s = check_rows(score, size, max_lag, "readback score");
  if (!s.ok()) return s;
  const uint64_t score_end = std::min(score.end, size - 1);  // x_{t+1} must exist
  if (score_end <= score.begin) return Status::Error("E_CORPUS_TOO_SHORT", "readback: no position has a next byte");

  // Fit: one table per (partner group, level), the lag-1 table, the mean.
  std::map<int, Group> groups;
  for (int j = 0; j < H; ++j) {
    Group& g = groups[opt.partner[j]];
    g.partner = opt.partner[j];
    g.neurons.push_back(j);
  }
  const uint64_t nfit = fit.end - fit.begin;
  std::vector<uint8_t> ffeat(size_t(kFeatureCount) * nfit);
  state_features(x, fit.begin, fit.end, ffeat.data());
  const uint8_t* fwl = &ffeat[size_t(kWordLen) * nfit];
  const uint8_t* fit_tag = &ffeat[size_t(kInTag) * nfit];
  std::vector<float> gathered(H);
  for (auto& [p, g] : groups) {
    const int G = int(g.neurons.size());
    g.cells[0].reset(G, 1u << 16);
    for (uint64_t t = fit.begin; t < fit.end; ++t) {
      const float* h = fit.row(t);
      for (int q = 0; q < G; ++q) gathered[q] = h[g.neurons[q]];
      g.cells[0].add(pair_key(x[t - 1], x[t - p]), gathered.data());
    }
    const uint32_t c0s = uint32_t(g.cells[0].cells());
    g.cells[1].reset(G, c0s * 16);
    g.cells[2].reset(G, c0s * 32);
    for (uint64_t t = fit.begin; t < fit.end; ++t) {
      const float* h = fit.row(t);
      for (int q = 0; q < G; ++q) gathered[q] = h[g.neurons[q]];
      const uint64_t i = t - fit.begin;
      const int32_t c0 = g.cells[0].cell(pair_key(x[t - 1], x[t - p]));
      for (int L = 1; L < kLevels; ++L) g.cells[L].add(fine_key(L, c0, fwl[i], fit_tag[i]), gathered.data());
    }
    for (auto& c : g.cells) c.finish();
    if (opt.control.cancelled()) return Status::Error("E_ABORTED", "readback cancelled");
  }
  CellMeans lag1;
  lag1.reset(H, 256);
  std::vector<double> fit_mean(H, 0.0);
  for (uint64_t t = fit.begin; t < fit.end; ++t) {
    lag1.add(x[t - 1], fit.row(t));
    for (int j = 0; j < H; ++j) fit_mean[j] += fit.row(t)[j];
  }
  lag1.finish();
  for (auto& m : fit_mean) m /= double(nfit);

  // Score: ĥ rows for each level and the true h, in batches through the readout.
  const uint64_t nscore = score_end - score.begin;
  std::vector<uint8_t> sfeat(size_t(kFeatureCount) * (score.end - score.begin));
  state_features(x, score.begin, score.end, sfeat.data());
  const uint64_t sn = score.end - score.begin;
  const uint8_t* swl = &sfeat[size_t(kWordLen) * sn];
  const uint8_t* stag = &sfeat[size_t(kInTag) * sn];

  const Kernels& k = *opt.kernels;
  const ForwardWeights w = prepare_forward(k, model);
  std::vector<float> hhat(size_t(kLevels + 1) * kBatch * H);  // level rows, then true-h rows
  std::vector<float> logits(size_t(kBatch) * kVocab), nats(kBatch);
  std::vector<uint8_t> targets(kBatch);
  double bits[kLevels + 1] = {0, 0, 0, 0};
  uint64_t hist[kVocab] = {};
  for (auto& row : out->resolved) std::fill(std::begin(row), std::end(row), 0);

  for (uint64_t t0 = score.begin; t0 < score_end; t0 += kBatch) {
    const int R = int(std::min<uint64_t>(kBatch, score_end - t0));
    for (int r = 0; r < R; ++r) {
      const uint64_t t = t0 + r, i = t - score.begin;
      targets[r] = x[t + 1];
      ++hist[x[t + 1]];
      std::copy(score.row(t), score.row(t) + H, &hhat[(size_t(kLevels) * kBatch + r) * H]);
      const int32_t c1 = lag1.cell(x[t - 1]);
      for (auto& [p, g] : groups) {
        int32_t cell[kLevels];
        cell[0] = g.cells[0].cell(pair_key(x[t - 1], x[t - p]));
        for (int L = 1; L < kLevels; ++L) cell[L] = cell[0] < 0 ? -1 : g.cells[L].cell(fine_key(L, cell[0], swl[i], stag[i]));
        for (int L = 0; L < kLevels; ++L) {
          float* dst = &hhat[(size_t(L) * kBatch + r) * H];
          int at = L;
          while (at >= 0 && cell[at] < 0) --at;
          const int G = int(g.neurons.size());
          if (at >= 0) {
            const double* m = g.cells[at].mean(cell[at]);
            for (int q = 0; q < G; ++q) dst[g.neurons[q]] = float(m[q]);
            out->resolved[L][at == L ? 0 : 1] += G;
          } else if (c1 >= 0) {
            const double* m = lag1.mean(c1);
            for (int q = 0; q < G; ++q) dst[g.neurons[q]] = float(m[g.neurons[q]]);
            out->resolved[L][2] += G;
          } else {
            for (int q = 0; q < G; ++q) dst[g.neurons[q]] = float(fit_mean[g.neurons[q]]);
            out->resolved[L][3] += G;
          }
        }
      }
    }
    for (int L = 0; L <= kLevels; ++L) {
      readout_xent(k, w, R, &hhat[size_t(L) * kBatch * H], targets.data(), logits.data(), nats.data());
      for (int r = 0; r < R; ++r) bits[L] += floored_bits(nats[r]);
    }
    if (opt.control.cancelled()) return Status::Error("E_ABORTED", "readback cancelled");
    opt.control.report(double(t0 + R - score.begin), double(nscore));
  }

  out->positions = nscore;
  for (int L = 0; L < kLevels; ++L) out->bpc[L] = bits[L] / double(nscore);
  out->bpc_rnn = bits[kLevels] / double(nscore);
  double h0 = 0;
  for (uint64_t c : hist)
    if (c) {
      const double q = double(c) / double(nscore);
      h0 -= q * std::log2(q);
    }
  out->h0 = h0;
  if (!std::isfinite(out->bpc_rnn)) return Status::Error("E_NON_FINITE", "readback: non-finite loss");
  return Status::Ok();
}

}  // namespace bi
