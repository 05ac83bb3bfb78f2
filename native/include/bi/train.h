// The training loop (SPEC §1): BPTT windows over B streams, a fixed thread pool across
// stream groups with per-group gradient buffers reduced in a fixed order, global-norm
// clipping, SGD (study cosine schedule) or Adam, NaN/Inf detection, cancellation.
//
// A call runs from the state it is given for at most max_steps steps (or until the time
// budget or a cancel) and returns at a step boundary with the state updated in place;
// the caller checkpoints and calls again. Everything a step depends on is in TrainState
// and the step number, so N calls of k steps give bitwise the weights of one call of N·k.
//
// Window schedule: the training range [begin, end) holds W = ⌊(end − begin − 1)/T⌋
// windows of T+1 bytes at stride T (a cycle); with partial_tail (one stream only) a last,
// shorter window covers the remaining positions, W = ⌈(end − begin − 1)/T⌉, as the study's
// code does. Stream b starts at window ⌊b·W/B⌋; at step
// s it trains window (⌊b·W/B⌋ + s) mod W, and its state is reset to 0 whenever that
// index is 0 (a new cycle). With B = 1 a cycle is the study's epoch.
#pragma once
#include <cstdint>

#include "bi/control.h"
#include "bi/kernels.h"
#include "bi/optim.h"
#include "bi/status.h"

namespace bi {

enum class Optimizer { sgd = 0, adam = 1 };
enum class Schedule { constant = 0, cosine = 1, warmup_cosine = 2 };

struct TrainConfig {
  int H = 128;
  int streams = 1;  // B
  int window = 50;  // T
  int threads = 1;
  Optimizer optimizer = Optimizer::sgd;
  Schedule schedule = Schedule::constant;
  // constant: lr; cosine: max(min_lr, lr·½(1 + cos(π·epoch/epochs))), epoch = ⌊step/W⌋ + 1
  // (1-based, as in the study's code); warmup_cosine: lr·(step + 1)/warmup for the first
  // `warmup` steps, lr until `decay_start`, then a cosine from lr down to min_lr at step
  // `horizon` (min_lr after it). The horizon is the run's budget in steps: fixed for
  // --steps/--epochs, re-estimated by the caller between calls for a time budget.
  double lr = 0.01, min_lr = 1e-4;
  int64_t epochs = 1;
  uint64_t warmup = 0, decay_start = 0, horizon = 0;
  AdamConfig adam;
  double clip = 5.0;  // global gradient-norm clip; ≤ 0 = none
  // The loss whose gradient is taken: Σ over the window's positions (the study's code) or
  // their mean over all B·T positions (scale).
  bool sum_loss = false;
  bool partial_tail = false;
  uint64_t begin = 0, end = 0;  // training range of the corpus
  // At the end of every cycle (B = 1: epoch), take the cycle's mean training loss (bits per
  // byte, the study's "train bpc") and keep the parameters when it beats the best so far
  // by more than 1e-4 (the study's rule) in TrainState::best.
  bool track_best = false;
  // Testing hooks: the gradient of this 0-based step is made NaN; the update of this step
  // overflows (its learning rate is +inf). −1 = never.
  // Non-finite loss, gradient or updated parameters stop the run with E_NON_FINITE and leave
  // the state (parameters, moments, stream states, counters) of the last good step.
  int64_t nan_at_step = -1;
  int64_t overflow_at_step = -1;
};

// Owned by the caller; updated in place at step boundaries.
struct TrainState {
  float* params = nullptr;  // param_count(H), raw order
  float* m = nullptr;       // Adam first moments (param_count), null for SGD
  float* v = nullptr;       // Adam second moments
  float* hidden = nullptr;  // B × H stream states
  float* best = nullptr;    // param_count, track_best only
  uint64_t step = 0;        // steps done so far
  double best_bpc = 0;      // track_best: best cycle bpc so far (+inf before the first)
  uint64_t best_step = 0;   // steps done when best was taken
  double cycle_nats = 0;    // track_best: Σ loss of the current cycle so far
  uint64_t cycle_positions = 0;
};

struct TrainRunOptions {
  const Kernels* kernels = nullptr;
  uint64_t max_steps = 0;     // steps to run in this call
  double max_seconds = 0;     // wall-clock budget of this call (≤ 0 = none)
  Control control;            // progress(done steps, max_steps), cancel
};

struct TrainRunResult {
  uint64_t steps = 0;       // steps run in this call
  double nats = 0;          // Σ training loss (nats) over those steps' positions
  uint64_t positions = 0;
  double last_grad_norm = 0;
  double last_lr = 0;
  double last_cycle_bpc = -1;  // track_best: train bpc of the last completed cycle
  bool cancelled = false;
};

// Windows per cycle for a training range of n bytes (0 when none fits).
uint64_t windows_per_cycle(uint64_t n, int T, bool partial_tail);
// Learning rate of a 0-based step.
double learning_rate(const TrainConfig& c, uint64_t step);

// Benchmark probe: the best FLOP/s of one thread running independent FMA chains for about
// `seconds` (AVX2 when isa is avx2 and supported, NEON when neon on aarch64, else scalar
// FMAs). Never used in training.
double fma_peak_flops(Isa isa, double seconds);

Status train_run(const uint8_t* data, uint64_t size, const TrainConfig& config, TrainState* state,
                 const TrainRunOptions& options, TrainRunResult* result);

}  // namespace bi
