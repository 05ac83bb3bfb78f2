// Where a training step spends its time, phase by phase, measured inside the real code
// (bench_train --phases). Off by default: then a phase scope costs one relaxed load and a
// predictable branch. On, each scope reads the clock twice and adds the elapsed time to its
// phase with an atomic add, so any thread may record; with several threads a phase's time
// is CPU time summed over them.
#pragma once
#include <chrono>
#include <cstdint>
#include <vector>

namespace bi {
namespace step_phases {

enum Phase : int {
  kInputs,          // the step's bytes and streams' states (train_run)
  kWeightCopies,    // refresh_forward: input rows, padded Wh/Wy copies
  kRecurrence,      // forward Wh·h (gemv or GEMM across streams), input row copies
  kTanh,            // forward tanh
  kReadout,         // logits = by + H·Wyᵀ
  kSoftmax,         // log-softmax, loss and dlogits
  kGradWy,          // dWy += dlogitsᵀ·H, dby
  kGradH,           // dH = dlogits·Wy
  kTanhGrad,        // backward through tanh
  kRecurrenceBack,  // dnext = dz·Wh
  kGradWh,          // dWh += dZᵀ·Hprev
  kGradWx,          // dWx, dbh
  kReduce,          // the sum of the groups' gradients (threads > 1)
  kNorm,            // the global gradient norm
  kUpdate,          // Adam or SGD, gradient cleared
  kCount
};
const char* name(Phase p);

void enable(bool on);
bool enabled();
// Adds a duration to phase p of the current step.
void add(Phase p, int64_t nanoseconds);
// Closes a step (called by train_run after each update when enabled) with its wall time.
void end_step(int64_t wall_nanoseconds);
// The median over the recorded steps, per phase and for the whole step (µs), and how many
// times each phase was entered in all; clears them.
struct Summary {
  double phase_us[kCount] = {};
  int64_t calls[kCount] = {};
  double step_us = 0;
  int steps = 0;
};
Summary take_summary();

// Times the rest of the enclosing scope into phase p when enabled.
class Scope {
 public:
  explicit Scope(Phase p) : p_(p), on_(enabled()) {
    if (on_) t0_ = std::chrono::steady_clock::now();
  }
  ~Scope() {
    if (on_) add(p_, std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0_).count());
  }
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  Phase p_;
  bool on_;
  std::chrono::steady_clock::time_point t0_;
};

}  // namespace step_phases
}  // namespace bi
