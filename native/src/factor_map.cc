// Factor map (SPEC §3, 74ddb51): how much of each neuron the bytes at two lags explain.
// One task per lag pair (and per single lag) on the thread pool; each builds its own
// compacted cell table over the fit positions, then sums squared residuals over the
// score positions in position order, as the study's two-pass computation does.
#include <algorithm>
#include <string>

#include "bi/psi.h"
#include "bi/threadpool.h"

namespace bi {
namespace {

// Per-neuron mean and Σ(h − mean)² over a row range, both in position order.
void moments(const StateRows& r, std::vector<double>* mean, std::vector<double>* ss) {
  const int H = r.H;
  mean->assign(H, 0.0);
  if (ss) ss->assign(H, 0.0);
  for (uint64_t t = r.begin; t < r.end; ++t) {
    const float* h = r.row(t);
    for (int j = 0; j < H; ++j) (*mean)[j] += h[j];
  }
  const double n = double(r.end - r.begin);
  for (int j = 0; j < H; ++j) (*mean)[j] /= n;
  if (!ss) return;
  for (uint64_t t = r.begin; t < r.end; ++t) {
    const float* h = r.row(t);
    for (int j = 0; j < H; ++j) {
      const double d = h[j] - (*mean)[j];
      (*ss)[j] += d * d;
    }
  }
}

struct Task {
  int a = -1, b = -1;  // lag values; b < 0 for a single lag
};

}  // namespace

Status factor_map(const uint8_t* x, uint64_t size, const StateRows& fit, const StateRows& score,
                  const FactorMapOptions& opt, FactorMapResult* out) {
  if (opt.lags.empty()) return Status::Error("E_OPTION", "factor map: no lags");
  int max_lag = 0;
  for (size_t i = 0; i < opt.lags.size(); ++i) {
    if (opt.lags[i] < 0) return Status::Error("E_OPTION", "factor map: lags must be ≥ 0");
    for (size_t k = 0; k < i; ++k)
      if (opt.lags[k] == opt.lags[i]) return Status::Error("E_OPTION", "factor map: lags must be distinct");
    max_lag = std::max(max_lag, opt.lags[i]);
  }
  if (fit.H != score.H) return Status::Error("E_SHAPE", "factor map: fit and score states differ in H");
  Status s = check_rows(fit, size, max_lag, "factor map fit");
  if (!s.ok()) return s;
  s = check_rows(score, size, max_lag, "factor map score");
  if (!s.ok()) return s;

  const int H = fit.H;
  const int L = int(opt.lags.size());
  std::vector<Task> tasks;
  out->H = H;
  out->pair_lag1.clear();
  out->pair_lag2.clear();
  for (int i = 0; i < L; ++i)
    for (int k = i + 1; k < L; ++k) {
      tasks.push_back({opt.lags[i], opt.lags[k]});
      out->pair_lag1.push_back(opt.lags[i]);
      out->pair_lag2.push_back(opt.lags[k]);
    }
  const size_t npairs = tasks.size();
  for (int i = 0; i < L; ++i) tasks.push_back({opt.lags[i], -1});

  std::vector<double> fit_mean, score_mean, ss_tot;
  moments(fit, &fit_mean, nullptr);
  moments(score, &score_mean, &ss_tot);

  std::vector<std::vector<double>> res(tasks.size());
  std::vector<uint64_t> cells(tasks.size()), unseen(tasks.size()), bytes(tasks.size());
  // Scratch per concurrent slot, reused round after round (no reallocation, no page faults).
  struct Scratch {
    std::vector<int32_t> index, ids;
    std::vector<double> sums;
    std::vector<uint64_t> counts;
  };
  ThreadPool pool(std::max(1, opt.threads));
  const int round = 2 * pool.size();
  std::vector<Scratch> scratch(round);

  auto run_task = [&](int ti, Scratch& sc) {
    const Task& tk = tasks[ti];
    const bool pair = tk.b >= 0;
    auto key = [&](uint64_t t) -> uint32_t {
      return pair ? (uint32_t(x[t - tk.a]) << 8) | x[t - tk.b] : x[t - tk.a];
    };
    // Cells in order of first occurrence; the table is sized once they are known.
    sc.index.assign(pair ? 65536u : 256u, -1);
    sc.ids.resize(fit.end - fit.begin);
    int32_t ncells = 0;
    for (uint64_t t = fit.begin; t < fit.end; ++t) {
      int32_t& c = sc.index[key(t)];
      if (c < 0) c = ncells++;
      sc.ids[t - fit.begin] = c;
    }
    sc.sums.assign(size_t(ncells) * H, 0.0);
    sc.counts.assign(ncells, 0);
    for (uint64_t t = fit.begin; t < fit.end; ++t) {
      const int32_t c = sc.ids[t - fit.begin];
      ++sc.counts[c];
      double* sum = &sc.sums[size_t(c) * H];
      const float* h = fit.row(t);
      for (int j = 0; j < H; ++j) sum[j] += h[j];
    }
    for (int32_t c = 0; c < ncells; ++c) {
      double* sum = &sc.sums[size_t(c) * H];
      const double n = double(sc.counts[c]);
      for (int j = 0; j < H; ++j) sum[j] /= n;
    }
    std::vector<double>& r = res[ti];
    r.assign(H, 0.0);
    uint64_t miss = 0;
    for (uint64_t t = score.begin; t < score.end; ++t) {
      const int32_t c = sc.index[key(t)];
      const double* m = c >= 0 ? &sc.sums[size_t(c) * H] : fit_mean.data();
      miss += c < 0;
      const float* h = score.row(t);
      for (int j = 0; j < H; ++j) {
        const double d = h[j] - m[j];
        r[j] += d * d;
      }
    }
    cells[ti] = uint64_t(ncells);
    unseen[ti] = miss;
    bytes[ti] = sc.index.size() * 4 + sc.ids.size() * 4 + sc.sums.size() * 8 + sc.counts.size() * 8;
  };

  for (size_t t0 = 0; t0 < tasks.size(); t0 += round) {
    const int n = int(std::min(tasks.size() - t0, size_t(round)));
    pool.run(n, [&](int i) { run_task(int(t0) + i, scratch[i]); });
    opt.control.report(double(t0 + n), double(tasks.size()));
    if (opt.control.cancelled()) return Status::Error("E_ABORTED", "factor map cancelled");
  }

  auto r2 = [&](const std::vector<double>& rs, int j) { return ss_tot[j] > 0 ? 1.0 - rs[j] / ss_tot[j] : 0.0; };
  out->pair_r2.assign(npairs * H, 0.0);
  out->single_r2.assign(size_t(L) * H, 0.0);
  out->pair_cells.assign(cells.begin(), cells.begin() + npairs);
  out->pair_unseen.assign(unseen.begin(), unseen.begin() + npairs);
  out->peak_cell_bytes = 0;
  for (size_t ti = 0; ti < tasks.size(); ++ti) {
    out->peak_cell_bytes = std::max(out->peak_cell_bytes, bytes[ti]);
    double* dst = ti < npairs ? &out->pair_r2[ti * H] : &out->single_r2[(ti - npairs) * H];
    for (int j = 0; j < H; ++j) dst[j] = r2(res[ti], j);
  }
  return Status::Ok();
}

}  // namespace bi
