// Language-model use of one model: run a prompt from h = 0, give the next-byte
// distribution after it, and sample a continuation byte by byte (seeded, with a
// temperature). One stream, so every step is a gemv; the prompt's own bits come free.
#pragma once
#include <cstdint>
#include <vector>

#include "bi/control.h"
#include "bi/kernels.h"
#include "bi/rnn.h"
#include "bi/status.h"

namespace bi {

struct GenerateOptions {
  const Kernels* kernels = nullptr;
  // Sampling temperature: p ∝ exp(logit / T); 0 means greedy (argmax, lowest byte on ties).
  double temperature = 1.0;
  // SplitMix64 seed; draw i is u_i = (next() >> 11) · 2⁻⁵³ and picks the first byte whose
  // cumulative probability (bytes 0…255 in order) exceeds u_i.
  uint64_t seed = 1;
  Control control;
};

struct GenerateResult {
  // p(next byte | prompt) at temperature 1: softmax(by + Wy h_last), in double.
  std::vector<double> next_probs;  // 256
  // Σ −log2 p (floored at 1e-30) over the prompt's own positions 1 … n−1, and their count.
  double prompt_bits = 0;
  uint64_t prompt_positions = 0;
  std::vector<uint8_t> sampled;  // `count` bytes (fewer only if cancelled: the status says so)
};

// prompt: n ≥ 1 bytes; count: bytes to sample after it (0 = only the distribution).
Status generate(const ModelView& model, const uint8_t* prompt, uint64_t n, uint64_t count,
                const GenerateOptions& options, GenerateResult* result);

}  // namespace bi
