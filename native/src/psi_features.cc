// Best state feature per neuron (SPEC §3, factor_map3): in-sample R² of the cell means
// of h_j given (x_t, f_t) for each state feature f, and given x_t alone for contrast.
#include <string>

#include "bi/psi.h"

namespace bi {

Status feature_map(const uint8_t* x, uint64_t size, const StateRows& rows, const Control& control,
                   FeatureMapResult* out) {
  Status s = check_rows(rows, size, 0, "feature map");
  if (!s.ok()) return s;
  const int H = rows.H;
  const uint64_t n = rows.end - rows.begin;
  std::vector<uint8_t> feats(size_t(kFeatureCount) * n);
  state_features(x, rows.begin, rows.end, feats.data());

  std::vector<double> mean(H, 0.0), ss(H, 0.0);
  for (uint64_t t = rows.begin; t < rows.end; ++t)
    for (int j = 0; j < H; ++j) mean[j] += rows.row(t)[j];
  for (int j = 0; j < H; ++j) mean[j] /= double(n);
  for (uint64_t t = rows.begin; t < rows.end; ++t)
    for (int j = 0; j < H; ++j) {
      const double d = rows.row(t)[j] - mean[j];
      ss[j] += d * d;
    }

  // f = −1: the byte alone.
  auto r2_of = [&](int f, double* dst) {
    const uint32_t range = f < 0 ? 1 : uint32_t(feature_range(f));
    auto key = [&](uint64_t t) {
      return uint32_t(x[t]) * range + (f < 0 ? 0u : feats[size_t(f) * n + (t - rows.begin)]);
    };
    CellMeans cm;
    cm.reset(H, 256 * range);
    for (uint64_t t = rows.begin; t < rows.end; ++t) cm.add(key(t), rows.row(t));
    cm.finish();
    std::vector<double> res(H, 0.0);
    for (uint64_t t = rows.begin; t < rows.end; ++t) {
      const double* m = cm.mean(cm.cell(key(t)));
      const float* h = rows.row(t);
      for (int j = 0; j < H; ++j) {
        const double d = h[j] - m[j];
        res[j] += d * d;
      }
    }
    for (int j = 0; j < H; ++j) dst[j] = ss[j] > 0 ? 1.0 - res[j] / ss[j] : 0.0;
  };
  out->H = H;
  out->r2.assign(size_t(kFeatureCount) * H, 0.0);
  out->byte_r2.assign(H, 0.0);
  r2_of(-1, out->byte_r2.data());
  for (int f = 0; f < kFeatureCount; ++f) {
    r2_of(f, &out->r2[size_t(f) * H]);
    control.report(f + 1, kFeatureCount);
    if (control.cancelled()) return Status::Error("E_ABORTED", "feature map cancelled");
  }
  return Status::Ok();
}

}  // namespace bi
