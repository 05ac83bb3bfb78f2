// Fixtures the module tests share: a random model that is its own view, the hidden states
// of one evaluate() pass, and those states as the StateRows the ψ and attribution passes read.
#pragma once
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "bi/eval.h"
#include "bi/psi.h"
#include "bi/rnn.h"
#include "reference.h"

namespace bi_test {

// Parameters uniform in ±scale (random_params) and the views into them: `RandomModel m(H,
// seed, scale)` passes wherever a ModelView does. Not copyable (the views point into
// params); a copy of the views alone is `bi::ModelView v = m`.
struct ParamStore {
  std::vector<float> params;
};
struct RandomModel : ParamStore, bi::ModelView {
  RandomModel(int H, uint32_t seed, float scale)
      : ParamStore{random_params(H, seed, scale)}, bi::ModelView(bi::param_views<const float>(params.data(), H)) {}
  RandomModel(const RandomModel&) = delete;
  RandomModel& operator=(const RandomModel&) = delete;
};

// h_t for t ∈ [begin, end) of x, from h = 0 at begin: one evaluate() pass with table k.
inline std::vector<float> hidden_states(const bi::Kernels& k, const bi::ModelView& m, const std::vector<uint8_t>& x,
                                        uint64_t begin, uint64_t end) {
  std::vector<float> h((end - begin) * size_t(m.H));
  bi::Capture cap;
  cap.hidden = h.data();
  EXPECT_TRUE(capture_pass(k, m, x, begin, end, cap).ok());
  return h;
}

// Positions [begin, end) of states captured from position `first` (row 0 is h_first).
inline bi::StateRows state_rows(const std::vector<float>& states, int H, uint64_t first, uint64_t begin, uint64_t end) {
  bi::StateRows r;
  r.states = states.data();
  r.rows = states.size() / H;
  r.H = H;
  r.first = first;
  r.begin = begin;
  r.end = end;
  return r;
}

}  // namespace bi_test
