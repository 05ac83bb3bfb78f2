// Prompt → next-byte distribution → sampled continuation, on the forward-pass blocks of
// rnn_forward.cc (prepare_forward, window_forward, readout_xent) for one stream.
#include "bi/generate.h"
#include "bi/splitmix.h"

#include <algorithm>
#include <cmath>

namespace bi {
namespace {

// softmax(logits / T) in double; T = 1 gives the model's distribution.
void softmax(const float* logits, double T, double* p) {
  const float mx = *std::max_element(logits, logits + kVocab);
  double sum = 0;
  for (int i = 0; i < kVocab; ++i) sum += p[i] = std::exp((double(logits[i]) - mx) / T);
  for (int i = 0; i < kVocab; ++i) p[i] /= sum;
}

uint8_t draw(const float* logits, double T, uint64_t* rng, double* p) {
  if (T == 0) return uint8_t(std::max_element(logits, logits + kVocab) - logits);
  softmax(logits, T, p);
  const double u = double(splitmix64(rng) >> 11) * 0x1.0p-53;
  double c = 0;
  for (int i = 0; i < kVocab; ++i)
    if (u < (c += p[i])) return uint8_t(i);
  // Rounding left Σp a hair below u: the last byte with mass.
  int last = kVocab - 1;
  while (last > 0 && p[last] == 0) --last;
  return uint8_t(last);
}

}  // namespace

Status generate(const ModelView& m, const uint8_t* prompt, uint64_t n, uint64_t count,
                const GenerateOptions& o, GenerateResult* r) {
  if (Status s = check_hidden(m.H); !s.ok()) return s;
  if (n == 0) return Status::Error("E_OPTION", "the prompt must hold at least one byte");
  if (!(o.temperature >= 0) || !std::isfinite(o.temperature))
    return Status::Error("E_OPTION", "temperature must be a finite number ≥ 0");
  const Kernels& k = *o.kernels;
  const ForwardWeights w = prepare_forward(k, m);
  const int H = m.H;
  AlignedVector<float> h(H), hnext(H), z(H), logits(kVocab);
  std::vector<double> p(kVocab);
  float nats = 0;
  const double total = double(n + count);
  auto step = [&](uint8_t x, bool first) {
    window_forward(k, w, 1, 1, &x, first ? nullptr : h.data(), z.data(), hnext.data());
    std::swap(h, hnext);
  };
  // Scores target y from the current state; leaves the logits of that state in `logits`.
  auto readout = [&](uint8_t y) {
    readout_xent(k, w, 1, h.data(), &y, logits.data(), &nats);
    return double(nats);
  };
  *r = GenerateResult();
  for (uint64_t t = 0; t < n; ++t) {
    if (t > 0) {
      r->prompt_bits += floored_bits(readout(prompt[t]));
      ++r->prompt_positions;
    }
    step(prompt[t], t == 0);
    if ((t & 1023) == 1023) {
      if (o.control.cancelled()) return Status::Error("E_ABORTED", "cancelled");
      o.control.report(double(t + 1), total);
    }
  }
  readout(0);
  r->next_probs.resize(kVocab);
  softmax(logits.data(), 1.0, r->next_probs.data());
  uint64_t rng = o.seed;
  r->sampled.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    const uint8_t x = draw(logits.data(), o.temperature, &rng, p.data());
    r->sampled.push_back(x);
    if (i + 1 == count) break;
    step(x, false);
    readout(0);
    if ((i & 255) == 255) {
      if (o.control.cancelled()) return Status::Error("E_ABORTED", "cancelled");
      o.control.report(double(n + i + 1), total);
    }
  }
  o.control.report(total, total);
  return Status::Ok();
}

}  // namespace bi
