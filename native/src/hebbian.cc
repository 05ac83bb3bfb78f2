// Hebbian estimates (SPEC §3, efbaac3): the lagged covariance of the states, which a
// Hebbian rule would write into Wh, and the byte-conditioned state means that it would
// write into Wx and Wy. C goes through the gemm_tn kernel in float blocks summed in double.
#include <algorithm>

#include "bi/psi.h"

namespace bi {

Status hebbian(const Kernels& k, const uint8_t* x, uint64_t size, const StateRows& r, HebbianResult* out) {
  Status s = check_rows(r, size, 0, "hebbian");
  if (!s.ok()) return s;
  const int H = r.H;
  const uint64_t T = r.end - r.begin;
  if (T < 2) return Status::Error("E_CORPUS_TOO_SHORT", "hebbian: needs at least 2 states");
  out->H = H;
  out->mean.assign(H, 0.0);
  for (uint64_t t = r.begin; t < r.end; ++t)
    for (int j = 0; j < H; ++j) out->mean[j] += r.row(t)[j];
  for (int j = 0; j < H; ++j) out->mean[j] /= double(T);

  // C[i][j] = Σ_t d_i(t+1)·d_j(t): blocks of centred rows, overlapping by one row.
  constexpr uint64_t kBlock = 4096;
  std::vector<float> d((kBlock + 1) * H), cblock(size_t(H) * H);
  std::vector<double> C(size_t(H) * H, 0.0);
  for (uint64_t t0 = r.begin; t0 + 1 < r.end; t0 += kBlock) {
    const uint64_t rows = std::min(kBlock, r.end - 1 - t0) + 1;  // states t0 … t0 + rows − 1
    for (uint64_t i = 0; i < rows; ++i) {
      const float* h = r.row(t0 + i);
      for (int j = 0; j < H; ++j) d[i * H + j] = float(h[j] - out->mean[j]);
    }
    std::fill(cblock.begin(), cblock.end(), 0.0f);
    k.gemm_tn(H, H, int(rows - 1), d.data() + H, H, d.data(), H, cblock.data(), H);
    for (size_t i = 0; i < C.size(); ++i) C[i] += cblock[i];
  }
  for (auto& c : C) c /= double(T - 1);
  out->C = std::move(C);

  // Cx[j][x] from states t with x_t = x; Cy[o][j] from states t ≤ end − 2 with x_{t+1} = o.
  std::vector<double> sx(size_t(kVocab) * H, 0.0), sy(size_t(kVocab) * H, 0.0);
  out->count_x.assign(kVocab, 0);
  out->count_y.assign(kVocab, 0);
  for (uint64_t t = r.begin; t < r.end; ++t) {
    const float* h = r.row(t);
    double* a = &sx[size_t(x[t]) * H];
    for (int j = 0; j < H; ++j) a[j] += h[j];
    ++out->count_x[x[t]];
    if (t + 1 < r.end) {
      double* b = &sy[size_t(x[t + 1]) * H];
      for (int j = 0; j < H; ++j) b[j] += h[j];
      ++out->count_y[x[t + 1]];
    }
  }
  out->Cx.assign(size_t(H) * kVocab, 0.0);
  out->Cy.assign(size_t(kVocab) * H, 0.0);
  for (int v = 0; v < kVocab; ++v)
    for (int j = 0; j < H; ++j) {
      if (out->count_x[v]) out->Cx[size_t(j) * kVocab + v] = sx[size_t(v) * H + j] / double(out->count_x[v]) - out->mean[j];
      if (out->count_y[v]) out->Cy[size_t(v) * H + j] = sy[size_t(v) * H + j] / double(out->count_y[v]) - out->mean[j];
    }
  return Status::Ok();
}

}  // namespace bi
