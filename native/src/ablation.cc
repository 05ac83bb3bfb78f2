// Neuron ablation (ablation.h): masks of 0/1 factors on h, one stream per (variant, range).
#include "bi/ablation.h"

#include "bi/variant_pass.h"

namespace bi {

Status ablation(const ModelView& m, const uint8_t* data, uint64_t size, const std::vector<EvalRange>& ranges,
                const AblationOptions& opt, AblationResult* out) {
  Status st = check_hidden(m.H);
  if (!st.ok()) return st;
  if (ranges.empty()) return Status::Error("E_RANGE", "no ranges to ablate");
  const int H = m.H;
  // variant 0: the model; 1 + j: knock-out j; 1 + H + j: keep-only j; 2H + 1: sign readout
  const int V = 2 * H + 2;
  std::vector<float> masks(size_t(2 * H + 1) * H, 1.0f);
  for (int j = 0; j < H; ++j) {
    masks[size_t(1 + j) * H + j] = 0.0f;
    float* keep = masks.data() + size_t(1 + H + j) * H;
    for (int i = 0; i < H; ++i) keep[i] = i == j ? 1.0f : 0.0f;
  }
  std::vector<VariantStream> streams;
  for (const EvalRange& r : ranges) {
    if (r.begin >= r.end || r.end > size || r.end - r.begin < 2)
      return Status::Error("E_RANGE", "ablation range must lie within the corpus and hold at least 2 bytes");
    for (int v = 0; v < V; ++v) {
      VariantStream s;
      s.begin = r.begin;
      s.steps = r.end - r.begin - 1;  // the last state predicts nothing
      s.score_begin = r.begin;
      s.score_end = r.end - 1;
      s.mask = v == 0 || v == V - 1 ? nullptr : masks.data() + size_t(v) * H;
      s.sign_readout = v == V - 1;
      streams.push_back(s);
    }
  }
  VariantResult vr;
  st = variant_pass(m, data, size, streams, variant_options(opt), &vr);
  if (!st.ok()) return st;
  out->positions = 0;
  out->base_bits = 0;
  out->sign_readout_bits = 0;
  out->knockout_bits.assign(H, 0.0);
  out->keep_bits.assign(H, 0.0);
  for (size_t r = 0; r < ranges.size(); ++r) {  // range order: a fixed order of the sums
    const size_t o = r * V;
    out->positions += vr.positions[o];
    out->base_bits += vr.bits[o];
    out->sign_readout_bits += vr.bits[o + V - 1];
    for (int j = 0; j < H; ++j) {
      out->knockout_bits[j] += vr.bits[o + 1 + j];
      out->keep_bits[j] += vr.bits[o + 1 + H + j];
    }
  }
  return Status::Ok();
}

}  // namespace bi
